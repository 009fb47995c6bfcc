"""A migrated database with one business set up: a car wash in Buenos Aires (UTC-3, no DST)
with two washers in a group, a capacity-3 bay, and services for them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest

from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.model import Business, Resource, ResourceGroup, Service, WeeklyInterval
from hub.domain.policies import BookingPolicy
from hub.persistence.migrate import migrate
from hub.persistence.uow import SqlDatabase, SqlUnitOfWork
from tests.support.world import argentine_business, persist

CLIENT = ChangedBy(Actor.CLIENT, Channel.PAGE)
OPERATOR = ChangedBy(Actor.OPERATOR, Channel.CONSOLE, user_id="staff-1")
# Monday 2030-03-04, 08:00 in Buenos Aires.
NOW = datetime(2030, 3, 4, 11, 0, tzinfo=UTC)
WEEKDAYS_9_TO_18 = tuple(WeeklyInterval(d, time(9), time(18)) for d in range(6))


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """March ``day`` 2030 at ``hour:minute`` in Buenos Aires, as UTC."""
    return datetime(2030, 3, day, hour + 3, minute, tzinfo=UTC)


@dataclass
class World:
    db: SqlDatabase
    business: Business
    washer_a: Resource
    washer_b: Resource
    bay: Resource
    washers: ResourceGroup
    wash: Service  # 60 min, by the washers group
    class_: Service  # 60 min, per person, on the bay (capacity 3)

    def uow(self) -> SqlUnitOfWork:
        return self.db.unit_of_work()

    def count(self, table: str) -> int:
        from sqlalchemy import text

        with self.db.engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def make_world(url: str, policy: BookingPolicy | None = None) -> World:
    migrate(url)
    db = SqlDatabase(url)
    business = argentine_business(
        "lavadero",
        "Lavadero",
        language="en",
        policy=policy
        or BookingPolicy(
            min_notice_minutes=60,
            horizon_days=30,
            client_cancel_until_hours=2,
            client_reschedule_until_hours=2,
            max_reschedules=1,
        ),
    )
    washer_a = Resource(business.id, "Ana", weekly=WEEKDAYS_9_TO_18)
    washer_b = Resource(business.id, "Beto", weekly=WEEKDAYS_9_TO_18)
    bay = Resource(business.id, "Bay", capacity=3, weekly=WEEKDAYS_9_TO_18)
    washers = ResourceGroup(business.id, "Washers", (washer_a.id, washer_b.id))
    wash = Service(business.id, "Wash", 60, price_minor=10_000, group_ids=(washers.id,))
    class_ = Service(
        business.id, "Class", 60, price_minor=1_000, resource_ids=(bay.id,), max_persons=3
    )
    persist(db.unit_of_work(), business, washer_a, washer_b, bay, washers, wash, class_)
    return World(db, business, washer_a, washer_b, bay, washers, wash, class_)


@pytest.fixture
def world(sqlite_url: str) -> Iterator[World]:
    w = make_world(sqlite_url)
    yield w
    w.db.dispose()


@pytest.fixture
def any_world(database_url: str) -> Iterator[World]:
    """The same world on SQLite and on PostgreSQL."""
    w = make_world(database_url)
    yield w
    w.db.dispose()


HOUR = timedelta(hours=1)
