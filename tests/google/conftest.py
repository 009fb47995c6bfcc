"""Fixtures of the Google connector tests: the fake Google on loopback and a migrated hub
(SQLite, then PostgreSQL) with a business, two staff members each linked to a resource, and
the ``google`` consumer wired to an outbox dispatcher that delivers right after each commit.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from connectors.google import store
from connectors.google.calendar import PACE
from connectors.google.runtime import GoogleConnector, install_google
from connectors.google.tokens import TokenCipher
from hub.bootstrap import Hub, build_hub
from hub.config import Settings
from hub.domain.accounts import Role, User
from hub.domain.booking import Actor, Booking, ChangedBy, Channel
from hub.domain.model import Business, Resource, Service, WeeklyInterval
from hub.domain.policies import BookingPolicy
from hub.persistence.migrate import migrate
from hub.persistence.models import AuditRow
from hub.services import accounts
from hub.services.availability import AvailabilityQuery, find_availability
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from hub.services.ports import UnitOfWork
from scheduler.backoff import KeyedBackoff
from scheduler.config import SchedulerConfig
from scheduler.consumers import ConsumerRegistry
from scheduler.dispatcher import Dispatcher
from tests.support.google import FakeGoogle
from tests.support.world import TZ, Setup, argentine_business

if TYPE_CHECKING:
    from tests.google.site import Browsers

SETUP = ChangedBy(Actor.OPERATOR, Channel.CLI)
CLIENT = ChangedBy(Actor.CLIENT, Channel.PAGE)
OPEN = tuple(WeeklyInterval(d, time(9), time(18)) for d in range(7))


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    fake = FakeGoogle().start()
    yield fake
    fake.stop()


def google_settings(
    database_url: str, fake: FakeGoogle, base_url: str = "http://127.0.0.1:9"
) -> Settings:
    return Settings(
        database_url=database_url,
        base_url=base_url,
        google_client_id=fake.client_id,
        google_client_secret=fake.client_secret,
        google_auth_uri=fake.url + "/auth",
        google_token_uri=fake.url + "/token",
        google_revoke_uri=fake.url + "/revoke",
        google_api_url=fake.api_url,
        encryption_key=Fernet.generate_key().decode(),
        extra={"TURNERO_GOOGLE_USERINFO_URI": fake.url + "/userinfo"},
        # Console mail (invites, domain links) goes to a folder of its own, not the checkout.
        mail_dir=Path(tempfile.mkdtemp(prefix="turnero-mail-")),
    )


@dataclass
class Staff:
    user: User
    resource: Resource
    email: str
    connection_id: str = ""


class ListMailer:
    """The ``Mailer`` port, keeping what it is given."""

    def __init__(self) -> None:
        self.sent: list[Any] = []  # EmailMessage, or the notify connector's OutgoingEmail

    def send(self, message: Any) -> None:
        self.sent.append(message)

    def to(self, address: str) -> list[Any]:
        return [m for m in self.sent if m["To"] == address]


class Relay:
    """Hands each commit's outbox events to the dispatcher at once, or keeps them while
    held (a backlog, which the dispatcher then claims in batches)."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.kept: list[str] | None = None

    def __call__(self, ids: Sequence[str]) -> None:
        if self.kept is None:
            self.dispatcher.dispatch(ids)
        else:
            self.kept.extend(ids)


@dataclass
class World:
    hub: Hub
    google: FakeGoogle
    connector: GoogleConnector
    dispatcher: Dispatcher
    business: Business
    service: Service
    video: Service
    juan: Staff
    maria: Staff
    admin: User
    mailer: ListMailer
    relay: Relay

    @contextmanager
    def held(self) -> Iterator[None]:
        """Keep the outbox events committed inside, then dispatch them together."""
        self.relay.kept = []
        try:
            yield
        finally:
            kept, self.relay.kept = self.relay.kept, None
        self.dispatcher.dispatch(kept)

    def uow(self) -> UnitOfWork:
        return self.hub.uow()

    def at(self, hour: int, minute: int = 0, days_ahead: int = 3) -> datetime:
        day = datetime.now(ZoneInfo(TZ)).date() + timedelta(days=days_ahead)
        return datetime.combine(day, time(hour, minute), ZoneInfo(TZ))

    def connect(self, staff: Staff) -> str:
        """Connect ``staff`` as if they had consented (the OAuth flow has its own tests)."""
        token = self.google.grant(staff.email)
        sealed = TokenCipher.from_settings(self.hub.settings).seal(token)
        with self.hub.database.sessions.begin() as session:
            conn = store.save_connection(
                session,
                business_id=self.business.id,
                user_id=staff.user.id,
                google_email=staff.email,
                resource_ids=[staff.resource.id],
                sealed_refresh_token=sealed,
                now=self.hub.now(),
            )
        staff.connection_id = conn.id
        return conn.id

    def book(
        self, staff: Staff, start: datetime, *, video: bool = False, by: ChangedBy = SETUP
    ) -> Booking:
        request = NewBooking(
            business_id=self.business.id,
            service_id=(self.video if video else self.service).id,
            start=start,
            resource_id=staff.resource.id,
            customer=CustomerDetails(
                name="Ana Pérez", phone="+5491123456789", email="ana@example.com"
            ),
            invitees=("socio@example.com",),
        )
        return create_booking(
            self.uow(), request, by=by, now=self.hub.now(), busy_sources=self.hub.busy_sources
        )

    def booking(self, booking_id: str) -> Booking:
        with self.uow() as uow:
            found = uow.bookings.get(self.business.id, booking_id)
        assert found is not None
        return found

    def free_starts(self, staff: Staff, day: date) -> list[datetime]:
        query = AvailabilityQuery(
            business_id=self.business.id,
            service_id=self.service.id,
            date_from=day,
            date_to=day,
            resource_id=staff.resource.id,
        )
        result = find_availability(
            self.uow(), query, by=CLIENT, now=self.hub.now(), busy_sources=self.hub.busy_sources
        )
        return [s.start for s in result]

    def audit_actions(self, booking_id: str) -> list[str]:
        with self.hub.database.sessions() as session:
            rows = session.scalars(select(AuditRow).where(AuditRow.entity_id == booking_id))
            return [r.action for r in rows]


def make_world(
    database_url: str,
    fake: FakeGoogle,
    base_url: str = "http://127.0.0.1:9",
    *,
    first: Callable[[Hub, ConsumerRegistry, ListMailer], None] | None = None,
) -> World:
    """``first`` registers consumers ahead of Google's (to play a given delivery order)."""
    migrate(database_url)
    hub = build_hub(google_settings(database_url, fake, base_url))
    registry = ConsumerRegistry()
    mailer = ListMailer()
    if first is not None:
        first(hub, registry, mailer)
    # Seeded jitter: the first wait after a "slow down" is the same on every run (~5 s).
    backoff = KeyedBackoff(PACE, rng=random.Random(7))
    connector = install_google(hub, registry, mailer=mailer, backoff=backoff)
    assert connector is not None
    connector.push.sleep = lambda _: None
    config = SchedulerConfig(retry_base=timedelta(0), retry_max=timedelta(0))
    dispatcher = Dispatcher(
        hub.database.sessions,
        registry=registry,
        config=config,
        clock=hub.now,
        rng=random.Random(7),
    )
    relay = Relay(dispatcher)
    hub.on_commit(relay)
    now = hub.now()
    owner = Setup(hub.uow, SETUP, now)
    business = owner.business(
        argentine_business(
            "consultorio",
            "Consultorio",
            country=None,
            policy=BookingPolicy(min_notice_minutes=0, horizon_days=60),
        )
    )
    people = []
    for name, email in (("Juan", "juan@example.com"), ("María", "maria@example.com")):
        resource = owner.resource(Resource(business.id, name, weekly=OPEN))
        user = accounts.create_user(
            hub.accounts_uow(),
            email=email,
            role=Role.EMPLOYEE,
            business_id=business.id,
            password="correct horse battery",
            resource_ids=(resource.id,),
            now=now,
        )
        people.append(Staff(user, resource, email))
    admin = accounts.create_user(
        hub.accounts_uow(),
        email="owner@example.com",
        role=Role.BUSINESS_ADMIN,
        business_id=business.id,
        password="correct horse battery",
        now=now,
    )
    ids = tuple(p.resource.id for p in people)
    service = owner.service(Service(business.id, "Consulta", 30, resource_ids=ids))
    video = owner.service(
        Service(business.id, "Teleconsulta", 30, resource_ids=ids, video_meeting=True)
    )
    return World(
        hub,
        fake,
        connector,
        dispatcher,
        business,
        service,
        video,
        people[0],
        people[1],
        admin,
        mailer,
        relay,
    )


@pytest.fixture
def world(database_url: str, google: FakeGoogle) -> Iterator[World]:
    made = make_world(database_url, google)
    yield made
    made.connector.busy.close()
    made.hub.close()


@pytest.fixture
def site(
    tmp_path: Path, database_url: str, google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[World, str]]:
    """The product app under uvicorn with the fake Google, and its base URL."""
    from tests.google.site import serve_site

    with serve_site(tmp_path, database_url, google, monkeypatch) as served:
        yield served


@pytest.fixture
def browsers(site: tuple[World, str]) -> Iterator[Browsers]:
    from tests.google.site import Browsers

    opened = Browsers(site[1])
    yield opened
    opened.close()


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


__all__ = ["Staff", "World", "cast", "utc"]
