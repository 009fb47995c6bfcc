"""A meeting office served for real: the hub under uvicorn with its outbox delivered by the
real consumers to an SMTP server (aiosmtpd) and the fake WhatsApp Cloud API, a business with
WhatsApp and the seed's 15-minute reminders, and a sales executive who books from the console.
"""

from __future__ import annotations

import email
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
from cryptography.fernet import Fernet
from icalendar import Calendar, Event

from connectors.notify import secrets
from connectors.notify.consumers import register_notification_consumers
from connectors.notify.mailers import SmtpMailer
from hub.domain.accounts import Role, User
from hub.domain.booking import Actor, Booking, ChangedBy, Channel
from hub.services import accounts, setup
from scheduler import reminders
from scheduler.config import SchedulerConfig
from scheduler.consumers import ConsumerRegistry
from scheduler.dispatcher import Dispatcher
from scheduler.runtime import ReminderConsumer
from tests.api.conftest import LiveHub, live_hub, serve_hub
from tests.api.tenants import Tenant, create_tenant
from tests.meetings.seed_office import SeedOffice, seed_office
from tests.pages.shop import PASSWORD
from tests.support.google import FakeGoogle
from tests.support.smtp import SmtpSink, running_smtp_sink
from tests.support.whatsapp import FakeWhatsAppGraph, approve_shipped

__all__ = ["live_hub"]  # the served hub with API keys, for the API tests here

SETUP = ChangedBy(Actor.OPERATOR, Channel.CONSOLE)
PHONE_ID = "106540352242922"
EXECUTIVE_PHONE = "+54 9 11 5555-0001"
WA_EXECUTIVE = "5491155550001"


@dataclass
class Office:
    live: LiveHub
    tenant: Tenant
    graph: FakeWhatsAppGraph
    smtp: SmtpSink
    dispatcher: Dispatcher
    executive: User

    @property
    def by_executive(self) -> ChangedBy:
        return ChangedBy(Actor.OPERATOR, Channel.CONSOLE, self.executive.id)

    def staff(self, name: str, email_address: str, phone: str | None = None) -> User:
        hub = self.live.hub
        user = accounts.create_user(
            hub.accounts_uow(),
            business_id=self.tenant.business.id,
            email=email_address,
            role=Role.EMPLOYEE,
            now=hub.now(),
            password=PASSWORD,
            name=name,
            resource_ids=[r.id for r in self.tenant.resources],
        )
        if phone is not None:
            user = accounts.set_own_phone(hub.accounts_uow(), user.id, phone, "AR")
        return user

    def mails_to(self, address: str) -> list[Message]:
        return [
            email.message_from_bytes(m.data) for m in self.smtp.messages if address in m.rcpt_tos
        ]

    def whatsapp_to(self, number: str) -> list[str]:
        return [m.body["template"]["name"] for m in self.graph.inbox(number)]

    def until(self, when: datetime) -> None:
        self.live.travel(when - self.live.now())

    def fire_reminders(self) -> None:
        hub = self.live.hub
        with hub.database.sessions.begin() as session:
            fired = reminders.fire_due(session, hub.now(), 100)
        self.dispatcher.dispatch([e.id for e in fired])

    def booking(self, booking_id: str) -> Booking:
        with self.live.hub.uow() as uow:
            found = uow.bookings.get(self.tenant.business.id, booking_id)
        assert found is not None
        return found


def invite(message: Message) -> tuple[str, Event]:
    """The iTIP method and the VEVENT of an email's text/calendar part (parsed by
    ``icalendar``), checking the part's method parameter equals the calendar's METHOD."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            calendar = Calendar.from_ical(payload)
            method = str(calendar["METHOD"])
            assert part.get_param("method") == method  # RFC 6047 §2.4
            (event,) = calendar.walk("VEVENT")
            assert isinstance(event, Event)
            return method, event
    raise AssertionError("no calendar part")


def attendees(event: Event) -> list[str]:
    found = event.get("ATTENDEE") or []
    found = found if isinstance(found, list) else [found]
    return sorted(str(a).removeprefix("mailto:") for a in found)


def subject(message: Message) -> str:
    return str(make_header(decode_header(str(message["Subject"]))))


def body_text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode("utf-8")
    raise AssertionError("no text part")


@pytest.fixture
def office(sqlite_url: str) -> Iterator[Office]:
    key = Fernet.generate_key().decode()
    graph = FakeWhatsAppGraph("wa-business-token").start()
    approve_shipped(graph)
    live, served = serve_hub(sqlite_url, encryption_key=key, whatsapp_graph_url=graph.url)
    graph.clock = live.now
    smtp_sink = running_smtp_sink()
    smtp = next(smtp_sink)
    hub = live.hub
    try:
        registry = ConsumerRegistry()
        reminder = ReminderConsumer(hub)
        registry.register_consumer(reminder.name, reminder.handles, reminder.deliver)
        mailer = SmtpMailer(smtp.host, smtp.port, timeout=5)
        register_notification_consumers(registry, hub.database.unit_of_work, hub.settings, mailer)
        config = SchedulerConfig(retry_base=timedelta(0), retry_max=timedelta(0))
        dispatcher = Dispatcher(
            hub.database.sessions,
            registry=registry,
            config=config,
            clock=hub.now,
            rng=random.Random(5),
        )
        hub.on_commit(dispatcher.dispatch)
        tenant = create_tenant(live, timezone="America/Argentina/Buenos_Aires")
        whatsapp: dict[str, Any] = {
            "phone_number_id": PHONE_ID,
            "token": secrets.seal("wa-business-token", key),
        }
        business = replace(
            tenant.business,
            settings={
                "whatsapp": whatsapp,
                "email": f"hola@{tenant.business.slug}.test",
                # The seed's reminder: 15 minutes before, to the organizer and the invitees.
                "reminders": [
                    {"channel": "email", "minutes_before": 15},
                    {"channel": "whatsapp", "minutes_before": 15},
                ],
            },
        )
        tenant.business = setup.update_business(hub.uow(), business, by=SETUP, now=live.now())
        office = Office(live, tenant, graph, smtp, dispatcher, executive=None)  # type: ignore[arg-type]
        office.executive = office.staff(
            "Laura Ejecutiva", f"laura@{tenant.business.slug}.test", EXECUTIVE_PHONE
        )
        yield office
    finally:
        served.stop()
        hub.close()
        graph.stop()
        smtp_sink.close()


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    fake = FakeGoogle().start()
    yield fake
    fake.stop()


@pytest.fixture
def seed(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, google: FakeGoogle
) -> Iterator[SeedOffice]:
    """The seed's meeting-room office with Google, WhatsApp, email and a CRM receiver."""
    with seed_office(sqlite_url, monkeypatch, google) as office:
        yield office
