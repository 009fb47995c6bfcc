"""The meeting-room office of the seed (``flujos-reservas.md``), served for real with every
outside party the seed's four cases talk to: the hub under uvicorn, the fake Google (login,
Calendar, Meet) that the real SDK talks to, the fake WhatsApp Cloud API, an SMTP server
(aiosmtpd) and a CRM's webhook receiver. Outbox events are delivered by the real consumers
right after each commit, with the Meet-link gate Google's connector puts on the messages.

The office: two rooms, a one-hour "Reunión" with Google Meet, a sales executive (Laura, with
WhatsApp), María López and Juan Pérez on the staff, and an API key for the CRM.
"""

from __future__ import annotations

import email
import json
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from email.message import Message
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from cryptography.fernet import Fernet
from huey import MemoryHuey
from sqlalchemy import select

from connectors.crm_webhooks.runtime import install_webhooks
from connectors.google import store
from connectors.google.calendar import PACE
from connectors.google.meet import MESSAGE_CONSUMERS
from connectors.google.runtime import install_google
from connectors.google.tokens import TokenCipher
from connectors.notify import secrets
from connectors.notify.consumers import register_notification_consumers
from connectors.notify.mailers import SmtpMailer
from hub.domain.accounts import Role, User
from hub.domain.booking import Actor, Booking, ChangedBy, Channel
from hub.domain.model import Business, Resource, ResourceKind, Service, WeeklyInterval
from hub.domain.policies import BookingPolicy
from hub.services import accounts, resource_setup, setup
from scheduler import reminders
from scheduler.backoff import KeyedBackoff
from scheduler.config import SchedulerConfig
from scheduler.consumers import ConsumerRegistry
from scheduler.dispatcher import Dispatcher
from scheduler.models import DeliveryRow
from scheduler.runtime import ReminderConsumer
from tests.api.conftest import LiveHub, serve_hub
from tests.crm_webhooks.receiver import Receiver
from tests.pages.helpers import csrf_of
from tests.pages.shop import PASSWORD
from tests.support.google import FakeGoogle
from tests.support.smtp import SmtpSink, running_smtp_sink
from tests.support.whatsapp import FakeWhatsAppGraph, approve_shipped

SETUP = ChangedBy(Actor.OPERATOR, Channel.CLI)
TZ = "America/Argentina/Buenos_Aires"
PHONE_ID = "106540352242922"
WA_LAURA = "5491155550001"
OPEN = tuple(WeeklyInterval(d, time(8), time(20)) for d in range(7))


@dataclass
class SeedOffice:
    live: LiveHub
    business: Business
    rooms: tuple[Resource, Resource]
    meeting: Service
    google: FakeGoogle
    graph: FakeWhatsAppGraph
    smtp: SmtpSink
    receiver: Receiver
    dispatcher: Dispatcher
    laura: User
    maria: User
    juan: User
    api_key: str

    @property
    def hub(self) -> Any:
        return self.live.hub

    @property
    def by_laura(self) -> ChangedBy:
        return ChangedBy(Actor.OPERATOR, Channel.CONSOLE, self.laura.id)

    def at(self, hour: int, days_ahead: int = 2) -> datetime:
        tz = ZoneInfo(TZ)
        day = (self.live.now().astimezone(tz) + timedelta(days=days_ahead)).date()
        return datetime.combine(day, time(hour), tz)

    def connect_google(self, user: User) -> None:
        """``user`` has connected Google Calendar for both rooms (as if they had consented;
        the OAuth flow has its own tests): their bookings there get a Google event and Meet."""
        token = self.google.grant(user.email)
        sealed = TokenCipher.from_settings(self.hub.settings).seal(token)
        with self.hub.database.sessions.begin() as session:
            store.save_connection(
                session,
                business_id=self.business.id,
                user_id=user.id,
                google_email=user.email,
                resource_ids=[r.id for r in self.rooms],
                sealed_refresh_token=sealed,
                now=self.hub.now(),
            )

    def subscribe_crm(self) -> str:
        """The CRM subscribes its receiver to every booking event over the API; returns the
        signing secret it was given."""
        with self.live.client(self.api_key) as client:
            made = client.post("/api/v1/webhooks", json={"url": self.receiver.url})
        assert made.status_code == 201, made.text
        secret = str(made.json()["secret"])
        self.receiver.secrets.append(secret)
        return secret

    @contextmanager
    def console(self, user: User) -> Iterator[httpx.Client]:
        """A browser (its own cookies) signed in to the console as ``user``."""
        with httpx.Client(
            base_url=self.live.base_url, timeout=30, headers={"Accept-Language": "es-AR"}
        ) as client:
            page = client.get("/console/login")
            answer = client.post(
                "/console/login",
                data={"csrf_token": csrf_of(page.text), "email": user.email, "password": PASSWORD},
            )
            assert answer.status_code == 303, answer.text
            yield client

    def mails_to(self, address: str) -> list[Message]:
        return [
            email.message_from_bytes(m.data) for m in self.smtp.messages if address in m.rcpt_tos
        ]

    def whatsapp_to(self, number: str) -> list[str]:
        return [m.body["template"]["name"] for m in self.graph.inbox(number)]

    def counts(self) -> tuple[Counter[str], Counter[str]]:
        """Emails per recipient address and WhatsApp messages per number, so far."""
        mails: Counter[str] = Counter()
        for m in self.smtp.messages:
            mails.update(m.rcpt_tos)
        chats: Counter[str] = Counter(m.to for m in self.graph.messages if m.status != "failed")
        return mails, chats

    def until(self, when: datetime) -> None:
        self.live.travel(when - self.live.now())

    def retry(self, *consumers: str) -> int:
        """What the queue does when postponed deliveries of ``consumers`` come due."""
        return _retry(self.hub, self.dispatcher, consumers)

    def fire_reminders(self) -> None:
        with self.hub.database.sessions.begin() as session:
            fired = reminders.fire_due(session, self.hub.now(), 100)
        self.dispatcher.dispatch([e.id for e in fired])

    def booking(self, booking_id: str) -> Booking:
        with self.hub.uow() as uow:
            found = uow.bookings.get(self.business.id, booking_id)
        assert found is not None
        return found


def _retry(hub: Any, dispatcher: Dispatcher, consumers: Sequence[str]) -> int:
    with hub.database.sessions() as session:
        ids = list(
            session.scalars(
                select(DeliveryRow.id).where(
                    DeliveryRow.consumer.in_(list(consumers)), DeliveryRow.status == "pending"
                )
            )
        )
    if ids:
        dispatcher.deliver(ids)
    return len(ids)


def google_settings(fake: FakeGoogle) -> dict[str, Any]:
    return {
        "google_client_id": fake.client_id,
        "google_client_secret": fake.client_secret,
        "google_auth_uri": fake.url + "/auth",
        "google_token_uri": fake.url + "/token",
        "google_revoke_uri": fake.url + "/revoke",
        "google_api_url": fake.api_url,
        "extra": {"TURNERO_GOOGLE_USERINFO_URI": fake.url + "/userinfo"},
    }


@contextmanager
def seed_office(
    database_url: str, monkeypatch: pytest.MonkeyPatch, google: FakeGoogle
) -> Iterator[SeedOffice]:
    # oauthlib refuses plain-HTTP token endpoints unless told; the fake is on loopback HTTP.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    key = Fernet.generate_key().decode()
    graph = FakeWhatsAppGraph("wa-business-token").start()
    approve_shipped(graph)
    receiver = Receiver().start()
    live, served = serve_hub(
        database_url,
        encryption_key=key,
        whatsapp_graph_url=graph.url,
        webhook_allow_hosts=("127.0.0.1",),
        **google_settings(google),
    )
    graph.clock = live.now
    smtp_sink = running_smtp_sink()
    smtp = next(smtp_sink)
    hub = live.hub
    connector = webhooks = mailer = None
    try:
        registry = ConsumerRegistry()
        reminder = ReminderConsumer(hub)
        registry.register_consumer(reminder.name, reminder.handles, reminder.deliver)
        mailer = SmtpMailer(smtp.host, smtp.port, timeout=5)
        register_notification_consumers(registry, hub.database.unit_of_work, hub.settings, mailer)
        # Webhook deliveries run inline (an immediate Huey): the receiver has them on return.
        webhooks = install_webhooks(hub, MemoryHuey(immediate=True), registry, mailer=mailer)
        connector = install_google(
            hub, registry, mailer=mailer, backoff=KeyedBackoff(PACE, rng=random.Random(7))
        )
        assert connector is not None
        connector.push.sleep = lambda _: None
        dispatcher = Dispatcher(
            hub.database.sessions,
            registry=registry,
            config=SchedulerConfig(retry_base=timedelta(0), retry_max=timedelta(0)),
            clock=hub.now,
            rng=random.Random(5),
        )

        def deliver(ids: Sequence[str]) -> None:
            """Each commit's events at once; then, as the queue does when they come due, the
            messages postponed for their Meet link (retries wait no time here)."""
            dispatcher.dispatch(ids)
            _retry(hub, dispatcher, MESSAGE_CONSUMERS)

        hub.on_commit(deliver)
        now = hub.now()
        business = setup.create_business(
            hub.uow(),
            Business(
                slug="oficina",
                name="Oficina Central",
                timezone=TZ,
                currency="ARS",
                language="es",
                country="AR",
                policy=BookingPolicy(min_notice_minutes=0, horizon_days=120),
            ),
            by=SETUP,
            now=now,
        )
        business = setup.update_business(
            hub.uow(),
            replace(
                business,
                settings={
                    "whatsapp": {
                        "phone_number_id": PHONE_ID,
                        "token": secrets.seal("wa-business-token", key),
                    },
                    "email": "recepcion@oficina.test",
                    # The seed's reminder: 15 minutes before, to the organizer and invitees.
                    "reminders": [
                        {"channel": "email", "minutes_before": 15},
                        {"channel": "whatsapp", "minutes_before": 15},
                    ],
                },
            ),
            by=SETUP,
            now=now,
        )
        rooms = tuple(
            resource_setup.save_resource(
                hub.uow(),
                Resource(business.id, name, kind=ResourceKind.ROOM, weekly=OPEN),
                by=SETUP,
                now=now,
            )
            for name in ("Sala Norte", "Sala Sur")
        )
        meeting = setup.save_service(
            hub.uow(),
            Service(
                business.id,
                "Reunión",
                60,
                resource_ids=tuple(r.id for r in rooms),
                video_meeting=True,
            ),
            by=SETUP,
            now=now,
        )

        def staff(name: str, address: str, role: Role = Role.EMPLOYEE) -> User:
            return accounts.create_user(
                hub.accounts_uow(),
                business_id=business.id,
                email=address,
                role=role,
                now=now,
                password=PASSWORD,
                name=name,
                resource_ids=[r.id for r in rooms],
            )

        laura = staff("Laura Ejecutiva", "laura@oficina.test", Role.BUSINESS_ADMIN)
        laura = accounts.set_own_phone(hub.accounts_uow(), laura.id, "+54 9 11 5555-0001", "AR")
        maria = staff("María López", "maria@oficina.test")
        juan = staff("Juan Pérez", "juan@oficina.test")
        _, api_key = accounts.create_api_key(hub.accounts_uow(), business.id, "crm", now)
        yield SeedOffice(
            live,
            business,
            (rooms[0], rooms[1]),
            meeting,
            google,
            graph,
            smtp,
            receiver,
            dispatcher,
            laura,
            maria,
            juan,
            api_key,
        )
    finally:
        served.stop()
        if connector is not None:
            connector.busy.close()
        if webhooks is not None:
            webhooks.close()
        if mailer is not None:
            mailer.close()
        hub.close()
        graph.stop()
        receiver.stop()
        smtp_sink.close()


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "meetings"


def record_counts(case: str, counts: dict[str, Any]) -> None:
    """Print what a case sent, and keep it in ``test-artifacts/meetings/`` (gitignored) for
    the seed-vs-ours table."""
    print(f"\n{case}: {json.dumps(counts, ensure_ascii=False, sort_keys=True)}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{case}.json").write_text(
        json.dumps(counts, ensure_ascii=False, indent=2, sort_keys=True)
    )
