"""What the demo's businesses share: who seeds them, their logins, the report of what was
seeded, and small helpers for dates and for running the use cases at a given time."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.bootstrap import Hub
from hub.domain.accounts import Role
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.errors import DomainError
from hub.domain.model import Business, WeeklyInterval
from hub.services import accounts
from hub.services.bound import Services

DEMO_PASSWORD = "demo1234"  # noqa: S105 - printed on purpose: demo logins
PLATFORM_ADMIN = "admin@turnero.demo"
SEEDER = ChangedBy(Actor.OPERATOR, Channel.CLI)
CLIENT = ChangedBy(Actor.CLIENT, Channel.PAGE)


@dataclass
class DemoCredentials:
    business: str
    email: str
    password: str
    role: str


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    users: list[DemoCredentials] = field(default_factory=list)
    api_keys: dict[str, str] = field(default_factory=dict)


def weekly(days: range, start: int, end: int) -> tuple[WeeklyInterval, ...]:
    return tuple(WeeklyInterval(d, time(start), time(end)) for d in days)


def next_weekday(day: date, weekdays: range) -> date:
    while day.weekday() not in weekdays:
        day += timedelta(days=1)
    return day


def at(day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def core_at(hub: Hub, when: datetime) -> Services:
    """The hub's use cases with the clock at ``when``: the demo replays each day's changes
    at the time they happened, through the same door as everyone else."""
    return replace(hub.core, clock=lambda: when)


def add_staff(
    hub: Hub,
    business: Business,
    now: datetime,
    people: list[tuple[str, Role, tuple[str, ...]]],
) -> None:
    for email, role, resource_ids in people:
        try:
            accounts.create_user(
                hub.accounts_uow(),
                business_id=business.id,
                email=email,
                role=role,
                password=DEMO_PASSWORD,
                resource_ids=resource_ids,
                now=now,
            )
        except DomainError:
            continue  # already there from an earlier, interrupted seeding
