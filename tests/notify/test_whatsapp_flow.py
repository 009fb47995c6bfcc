"""The WhatsApp flow end to end: the hub under uvicorn, its outbox delivered by the real
consumers to the fake Cloud API (``tests.support.whatsapp``), whose signed status webhooks and
client replies come back to the business's own webhook URL.

Every client here never wrote to the business, so only approved templates reach them."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet

from connectors.notify import secrets
from connectors.notify.consumers import register_notification_consumers
from connectors.notify.mailers import SmtpMailer
from connectors.notify.whatsapp_webhook import ReplyIntent, reply_payload
from hub.domain.accounts import Role
from hub.domain.booking import Actor, Booking, BookingStatus, ChangedBy, Channel
from hub.services import accounts, setup, whatsapp_settings
from hub.services.booking_create import NewBooking, create_booking
from hub.services.booking_status import (
    cancel_booking,
    complete_booking,
    confirm_booking,
    start_booking,
)
from hub.services.customers import CustomerDetails
from hub.services.whatsapp_settings import TemplateSetting
from scheduler import reminders
from scheduler.config import SchedulerConfig
from scheduler.consumers import ConsumerRegistry
from scheduler.dispatcher import Dispatcher
from scheduler.runtime import ReminderConsumer
from scheduler.status import NotificationRecord, notification_log
from tests.api.conftest import LiveHub, serve_hub
from tests.api.tenants import Tenant, create_tenant
from tests.pages.helpers import text_of
from tests.pages.shop import PASSWORD
from tests.pages.test_console import sign_in
from tests.support.smtp import SmtpSink, running_smtp_sink
from tests.support.whatsapp import FakeWhatsAppGraph, approve_shipped

OPERATOR = ChangedBy(Actor.OPERATOR, Channel.CONSOLE)
CLIENT_PAGE = ChangedBy(Actor.CLIENT, Channel.PAGE)
APP_SECRET = "business-app-secret"
PHONE_ID = "106540352242922"
CLIENT = "+54 9 11 2345-6789"
WA_CLIENT = "5491123456789"


@dataclass
class Flow:
    live: LiveHub
    tenant: Tenant
    graph: FakeWhatsAppGraph
    smtp: SmtpSink
    dispatcher: Dispatcher

    def book(
        self, *, days_ahead: int = 3, phone: str = CLIENT, email: str | None = None
    ) -> Booking:
        return create_booking(
            self.live.hub.uow(),
            NewBooking(
                self.tenant.business.id,
                self.tenant.service.id,
                self.tenant.at(10, days_ahead=days_ahead),
                customer=CustomerDetails("Ana Pérez", phone=phone, email=email),
            ),
            by=CLIENT_PAGE,
            now=self.live.now(),
        )

    def log(self, booking: Booking) -> list[NotificationRecord]:
        with self.live.hub.database.sessions() as session:
            return notification_log(session, self.tenant.business.id, booking.id)

    def whatsapp(self, booking: Booking) -> list[tuple[str, str]]:
        return [(r.kind, r.status) for r in self.log(booking) if r.channel == "whatsapp"]

    def admin_email(self) -> str:
        """An admin of the business, signed up through the accounts use case."""
        email = f"admin@{self.tenant.business.slug}.test"
        accounts.create_user(
            self.live.hub.accounts_uow(),
            business_id=self.tenant.business.id,
            email=email,
            role=Role.BUSINESS_ADMIN,
            now=self.live.now(),
            password=PASSWORD,
            name="Admin",
        )
        return email

    def until(self, when: datetime) -> None:
        self.live.travel(when - self.live.now())

    def fire_reminders(self) -> None:
        hub = self.live.hub
        with hub.database.sessions.begin() as session:
            fired = reminders.fire_due(session, hub.now(), 100)
        self.dispatcher.dispatch([e.id for e in fired])


@pytest.fixture
def flow(sqlite_url: str) -> Iterator[Flow]:
    key = Fernet.generate_key().decode()
    graph = FakeWhatsAppGraph("wa-business-token", app_secret=APP_SECRET).start()
    approve_shipped(graph)
    live, served = serve_hub(sqlite_url, encryption_key=key, whatsapp_graph_url=graph.url)
    graph.clock = live.now  # one clock for the 24-hour window on both sides
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
            "app_secret": secrets.seal(APP_SECRET, key),
        }
        business = replace(
            tenant.business,
            policy=replace(tenant.business.policy, requires_confirmation=True, hold_minutes=600),
            settings={
                "whatsapp": whatsapp,
                "reminders": [{"channel": "whatsapp", "minutes_before": 24 * 60}],
            },
        )
        tenant.business = setup.update_business(hub.uow(), business, by=OPERATOR, now=live.now())
        graph.webhook_url = f"{live.base_url}/connectors/whatsapp/webhook/{tenant.business.id}"
        yield Flow(live, tenant, graph, smtp, dispatcher)
    finally:
        served.stop()
        hub.close()
        graph.stop()
        smtp_sink.close()


def test_every_message_kind_reaches_a_client_who_never_wrote(flow: Flow) -> None:
    booking = flow.book(days_ahead=3)
    assert booking.status is BookingStatus.PENDING
    confirm_booking(
        flow.live.hub.uow(), booking.business_id, booking.id, by=OPERATOR, now=flow.live.now()
    )
    flow.until(booking.start - timedelta(hours=23))  # the WhatsApp reminder is due
    flow.fire_reminders()
    flow.until(booking.start + timedelta(minutes=1))  # the visit
    uow = flow.live.hub.uow
    start_booking(uow(), booking.business_id, booking.id, by=OPERATOR, now=flow.live.now())
    complete_booking(uow(), booking.business_id, booking.id, by=OPERATOR, now=flow.live.now())
    other = flow.book(days_ahead=5)
    cancel_booking(
        uow(), other.business_id, other.id, by=OPERATOR, now=flow.live.now(), reason="Lluvia"
    )
    assert flow.graph.flush() and set(flow.graph.webhook_answers) == {200}

    received = flow.graph.inbox(WA_CLIENT)
    names = [m.body["template"]["name"] for m in received]
    assert names == [
        "turnero_received",
        "turnero_confirmed",
        "turnero_reminder",
        "turnero_thank_you",
        "turnero_received",
        "turnero_cancelled",
    ]
    assert all(m.type == "template" for m in received)  # never free text: the client never wrote
    first = received[0]
    assert "Recibimos tu pedido de turno en Lavadero" in first.text
    assert (
        "Lavado completo" in first.text and "[Confirmar] | [Cancelar] | [Reprogramar]" in first.text
    )
    assert first.payloads == [
        reply_payload(ReplyIntent.CONFIRM, booking.id),
        reply_payload(ReplyIntent.CANCEL, booking.id),
        reply_payload(ReplyIntent.RESCHEDULE, booking.id),
    ]
    assert "Motivo: Lluvia" in received[-1].text and received[-1].payloads == []
    # Every status came back signed and is on the booking's log.
    assert flow.whatsapp(booking) == [
        ("received", "delivered"),
        ("confirmed", "delivered"),
        ("reminder", "delivered"),
        ("thank_you", "delivered"),
    ]
    assert flow.whatsapp(other) == [("received", "delivered"), ("cancelled", "delivered")]


def test_a_number_not_on_whatsapp_shows_the_failure_and_the_email_goes_out(flow: Flow) -> None:
    flow.graph.not_on_whatsapp.add(WA_CLIENT)
    booking = flow.book(days_ahead=3, email="ana@example.com")
    confirm_booking(
        flow.live.hub.uow(), booking.business_id, booking.id, by=OPERATOR, now=flow.live.now()
    )
    flow.until(booking.start - timedelta(hours=23))
    flow.fire_reminders()
    # Graph took every message with an id: the log says "sent" until the statuses come.
    assert {status for _, status in flow.whatsapp(booking)} == {"sent"}
    reminder_mails = [m for m in flow.smtp.messages if b"Recordatorio" in m.data]
    assert reminder_mails == []  # the reminder was WhatsApp's alone
    flow.graph.flush()
    log = [r for r in flow.log(booking) if r.channel == "whatsapp"]
    assert {(r.kind, r.status) for r in log} == {
        ("received", "failed"),
        ("confirmed", "failed"),
        ("reminder", "failed"),
    }
    assert all("(#131026) Message undeliverable" in r.error for r in log)
    assert all("not a WhatsApp user" in r.error for r in log)
    emailed = [(r.kind, r.status) for r in flow.log(booking) if r.channel == "email"]
    assert ("reminder", "sent") in emailed  # the fallback, after WhatsApp's failure
    assert emailed.count(("confirmed", "sent")) == 1  # that one went by email anyway
    reminder_mails = [m for m in flow.smtp.messages if b"Recordatorio" in m.data]
    assert [m.rcpt_tos for m in reminder_mails] == [["ana@example.com"]]

    # The operator sees it: on the messages page, with Meta's reason and what it means…
    with flow.live.client() as browser:
        sign_in(browser, flow.admin_email())
        page = text_of(browser.get("/console/messages").text)
        assert "WhatsApp que no llegaron" in page
        assert "(#131026) Message undeliverable: Recipient is not a WhatsApp user" in page
        assert "Ese número no tiene WhatsApp" in page
        # …and on the booking, line by line.
        booking_page = text_of(browser.get(f"/console/bookings/{booking.id}").text)
        assert "falló (#131026) Message undeliverable" in booking_page


def test_the_confirm_button_shows_on_the_booking_and_fires_client_confirmed(flow: Flow) -> None:
    booking = flow.book(days_ahead=3)
    confirm_booking(
        flow.live.hub.uow(), booking.business_id, booking.id, by=OPERATOR, now=flow.live.now()
    )
    confirmed = flow.graph.inbox(WA_CLIENT)[-1]
    tap = confirmed.payloads[0]
    assert flow.graph.client_writes(PHONE_ID, WA_CLIENT, payload=tap, title="Confirmar") == 200
    with flow.live.client(flow.tenant.api_key) as api:
        seen = api.get(f"/api/v1/bookings/{booking.id}").json()
    assert seen["client_confirmed_at"] is not None
    with flow.live.client() as browser:
        sign_in(browser, flow.admin_email())
        page = text_of(browser.get(f"/console/bookings/{booking.id}").text)
    assert "El cliente confirmó que viene" in page
    with flow.live.hub.uow() as uow:
        types = [e.type for e in uow.outbox.for_aggregate(booking.id)]
    assert "booking.client_confirmed" in types


def test_free_text_only_once_the_client_wrote(flow: Flow) -> None:
    booking = flow.book(days_ahead=3)
    flow.graph.client_writes(PHONE_ID, WA_CLIENT, "hola, ¿a qué hora era?")
    confirm_booking(
        flow.live.hub.uow(), booking.business_id, booking.id, by=OPERATOR, now=flow.live.now()
    )
    confirmed = flow.graph.inbox(WA_CLIENT)[-1]
    assert confirmed.type == "interactive"  # inside the window: our own text, with buttons
    assert "Tu turno fue reservado" in confirmed.text
    assert confirmed.payloads[0] == reply_payload(ReplyIntent.CONFIRM, booking.id)
    flow.graph.flush()
    assert flow.whatsapp(booking)[-1] == ("confirmed", "delivered")


def test_reprogramar_sends_the_link_and_leaves_it_to_a_person(flow: Flow) -> None:
    booking = flow.book(days_ahead=3)
    tap = flow.graph.inbox(WA_CLIENT)[-1].payloads[2]
    assert tap == reply_payload(ReplyIntent.RESCHEDULE, booking.id)
    assert flow.graph.client_writes(PHONE_ID, WA_CLIENT, payload=tap, title="Reprogramar") == 200
    answer = flow.graph.inbox(WA_CLIENT)[-1]
    assert answer.type == "text"  # the client just wrote: free text reaches them
    assert answer.text.startswith("Elegí otro horario acá: ")
    assert f"/book/manage/{booking.token}" in answer.text
    with flow.live.client() as browser:
        sign_in(browser, flow.admin_email())
        page = text_of(browser.get("/console/messages").text)
    assert "the client asked to reschedule" in page
    with flow.live.hub.uow() as uow:
        current = uow.bookings.get(booking.business_id, booking.id)
    assert current is not None and current.start == booking.start


def test_cancelar_cancels_in_the_business_language(flow: Flow) -> None:
    booking = flow.book(days_ahead=3)
    tap = flow.graph.inbox(WA_CLIENT)[-1].payloads[1]
    assert flow.graph.client_writes(PHONE_ID, WA_CLIENT, payload=tap, title="Cancelar") == 200
    with flow.live.hub.uow() as uow:
        current = uow.bookings.get(booking.business_id, booking.id)
    assert current is not None and current.status is BookingStatus.CANCELLED
    assert current.cancel_reason == "Cancelado por el cliente por WhatsApp"
    # The cancellation goes back as free text: the client is inside the window they opened.
    last = flow.graph.inbox(WA_CLIENT)[-1]
    assert last.type == "text" and "Motivo: Cancelado por el cliente por WhatsApp" in last.text


def test_a_template_still_in_review_sends_the_reminder_by_email(flow: Flow) -> None:
    whatsapp_settings.save_templates(
        flow.live.hub.uow(),
        flow.tenant.business.id,
        [TemplateSetting("reminder.es", "turnero_reminder", "es_AR", "PENDING")],
        by=OPERATOR,
        now=flow.live.now(),
    )
    booking = flow.book(days_ahead=3, email="ana@example.com")
    flow.until(booking.start - timedelta(hours=23))
    flow.fire_reminders()
    log = [(r.channel, r.kind, r.status) for r in flow.log(booking)]
    assert ("whatsapp", "reminder", "skipped") in log
    assert ("email", "reminder", "sent") in log
    names = [m.body["template"]["name"] for m in flow.graph.messages if m.type == "template"]
    assert "turnero_reminder" not in names
