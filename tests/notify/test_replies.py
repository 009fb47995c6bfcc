"""WhatsApp replies against the real app under uvicorn, with real HMAC signatures: the
subscription handshake, CANCELAR / cancel buttons / CONFIRMAR from customers, what is left
for the operator, and what never changes anything (bad signatures, unknown numbers, another
business's customer with the same phone)."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest

from connectors.notify import inbound
from connectors.notify.whatsapp_webhook import ReplyIntent, reply_payload
from hub.app import create_app
from hub.bootstrap import build_hub
from hub.config import Settings
from hub.domain.booking import Actor, Booking, BookingStatus, ChangedBy, Channel
from hub.domain.model import OutboxEvent
from hub.services import setup
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from tests.api.conftest import LiveHub
from tests.api.tenants import Tenant, create_tenant
from tests.support.clock import Clock
from tests.support.live import LiveServer, loopback_socket

SECRET = "meta-app-secret"
VERIFY_TOKEN = "verify-me"
PHONE = "+54 9 11 2345-6789"
WA_FROM = "5491123456789"  # the same number as WhatsApp sends it
OPERATOR = ChangedBy(Actor.OPERATOR, Channel.CONSOLE)
WEBHOOK = "/connectors/whatsapp/webhook"


@pytest.fixture
def live(database_url: str) -> Iterator[LiveHub]:
    sock = loopback_socket()
    settings = Settings(
        database_url=database_url,
        base_url=f"http://127.0.0.1:{sock.getsockname()[1]}",
        whatsapp_app_secret=SECRET,
        whatsapp_verify_token=VERIFY_TOKEN,
    )
    clock = Clock()
    hub = build_hub(settings, clock=clock)
    served = LiveServer(sock, create_app(hub))
    served.start()
    try:
        yield LiveHub(served.base_url, hub, database_url, clock)
    finally:
        served.stop()
        hub.close()


def whatsapp_tenant(live: LiveHub) -> tuple[Tenant, str]:
    """A business with its own WhatsApp number; returns it and the number's id."""
    tenant = create_tenant(live, timezone="America/Argentina/Buenos_Aires")
    phone_number_id = uuid.uuid4().hex[:15]
    settings = {"whatsapp": {"phone_number_id": phone_number_id, "token": "t"}}
    tenant.business = setup.update_business(
        live.hub.uow(),
        replace(tenant.business, settings=settings),
        by=OPERATOR,
        now=live.now(),
    )
    return tenant, phone_number_id


def book(tenant: Tenant, hour: int = 10, days_ahead: int = 3, phone: str = PHONE) -> Booking:
    return create_booking(
        tenant.live.hub.uow(),
        NewBooking(
            tenant.business.id,
            tenant.service.id,
            tenant.at(hour, days_ahead=days_ahead),
            customer=CustomerDetails("Ana Pérez", phone=phone),
        ),
        by=OPERATOR,
        now=tenant.live.now(),
    )


def message(
    phone_number_id: str,
    *,
    text: str | None = None,
    button: str | None = None,
    sender: str = WA_FROM,
    message_id: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "from": sender,
        "id": message_id or f"wamid.{uuid.uuid4().hex}",
        "timestamp": "1770735600",
    }
    if text is not None:
        body |= {"type": "text", "text": {"body": text}}
    if button is not None:
        body |= {"type": "button", "button": {"text": "Cancelar turno", "payload": button}}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5491100000000", "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": sender}],
        "messages": [body],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "waba", "changes": [{"field": "messages", "value": value}]}],
    }


def post(live: LiveHub, payload: dict[str, Any], secret: str = SECRET) -> httpx.Response:
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    with live.client() as client:
        return client.post(
            WEBHOOK,
            content=body,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
        )


def current(live: LiveHub, booking: Booking) -> Booking:
    with live.hub.uow() as uow:
        found = uow.bookings.get(booking.business_id, booking.id)
    assert found is not None
    return found


def events(live: LiveHub, booking: Booking) -> list[OutboxEvent]:
    with live.hub.uow() as uow:
        return uow.outbox.for_aggregate(booking.id)


def for_operator(live: LiveHub, tenant: Tenant) -> list[inbound.InboundRecord]:
    with live.hub.database.unit_of_work() as uow:
        return inbound.for_operator(uow.session, tenant.business.id)


def logged(live: LiveHub, tenant: Tenant) -> list[inbound.InboundRecord]:
    with live.hub.database.unit_of_work() as uow:
        return inbound.log(uow.session, tenant.business.id)


def test_subscription_challenge(live: LiveHub) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "8412"}
    with live.client() as client:
        good = client.get(WEBHOOK, params=params)
        bad = client.get(WEBHOOK, params={**params, "hub.verify_token": "guess"})
    assert (good.status_code, good.text) == (200, "8412")
    assert bad.status_code == 403
    assert "8412" not in bad.text


def test_bad_signature_is_refused_and_changes_nothing(live: LiveHub) -> None:
    tenant, number = whatsapp_tenant(live)
    booking = book(tenant)
    payload = message(number, text="CANCELAR")
    assert post(live, payload, secret="not-the-secret").status_code == 403
    with live.client() as client:
        unsigned = client.post(WEBHOOK, content=json.dumps(payload).encode())
    assert unsigned.status_code == 403
    assert current(live, booking).status is BookingStatus.CONFIRMED
    assert logged(live, tenant) == []


def test_a_signature_that_is_not_ascii_is_refused_and_changes_nothing(live: LiveHub) -> None:
    tenant, number = whatsapp_tenant(live)
    booking = book(tenant)
    with live.client() as client:
        answer = client.post(
            WEBHOOK,
            content=json.dumps(message(number, text="CANCELAR")).encode(),
            headers={"X-Hub-Signature-256": "sha256=ñ".encode()},
        )
    assert answer.status_code == 403
    assert current(live, booking).status is BookingStatus.CONFIRMED


def test_cancelar_cancels_the_booking_as_the_client_once(live: LiveHub) -> None:
    tenant, number = whatsapp_tenant(live)
    booking = book(tenant)
    payload = message(number, text="Cancelar!")
    assert post(live, payload).status_code == 200
    after = current(live, booking)
    assert after.status is BookingStatus.CANCELLED
    assert after.cancelled_by is Actor.CLIENT
    with live.hub.uow() as uow:
        audit = uow.audit.for_entity(tenant.business.id, "booking", booking.id)
    assert (audit[-1].action, audit[-1].actor, audit[-1].channel) == (
        "cancelled",
        "client",
        "whatsapp",
    )
    # The event the scheduler's WhatsApp consumer turns into the "cancelled" message back.
    cancelled = [e for e in events(live, booking) if e.type == "booking.cancelled"]
    assert [(e.payload["actor"], e.payload["channel"]) for e in cancelled] == [
        ("client", "whatsapp")
    ]
    # WhatsApp retries a delivery: the same message never acts twice (not on a next booking).
    later = book(tenant, days_ahead=5)
    assert post(live, payload).status_code == 200
    assert current(live, later).status is BookingStatus.CONFIRMED
    assert [r.outcome for r in logged(live, tenant)] == [inbound.CANCELLED]
    assert for_operator(live, tenant) == []


def test_too_late_to_cancel_goes_to_the_operator(live: LiveHub) -> None:
    tenant, number = whatsapp_tenant(live)
    booking = book(tenant)
    # The business lets clients cancel until 2 hours before: an hour before is too late.
    live.travel(booking.start - timedelta(hours=1) - live.now())
    assert post(live, message(number, text="CANCELAR")).status_code == 200
    assert current(live, booking).status is BookingStatus.CONFIRMED
    [shown] = for_operator(live, tenant)
    assert (shown.text, shown.booking_id, shown.intent) == ("CANCELAR", booking.id, "cancel")
    assert shown.note


def test_button_cancels_the_booking_it_names(live: LiveHub) -> None:
    tenant, number = whatsapp_tenant(live)
    first, second = book(tenant, days_ahead=2), book(tenant, days_ahead=4)
    # A typed CANCELAR with two bookings ahead is ambiguous: a person asks which.
    assert post(live, message(number, text="CANCELAR")).status_code == 200
    assert current(live, first).status is BookingStatus.CONFIRMED
    assert current(live, second).status is BookingStatus.CONFIRMED
    assert len(for_operator(live, tenant)) == 1
    button = reply_payload(ReplyIntent.CANCEL, second.id)
    assert post(live, message(number, button=button)).status_code == 200
    assert current(live, first).status is BookingStatus.CONFIRMED
    after = current(live, second)
    assert (after.status, after.cancelled_by) == (BookingStatus.CANCELLED, Actor.CLIENT)


def test_confirmar_records_that_the_client_will_come(live: LiveHub) -> None:
    tenant, number = whatsapp_tenant(live)
    booking = book(tenant)
    assert current(live, booking).client_confirmed_at is None
    assert post(live, message(number, text="confirmo")).status_code == 200
    after = current(live, booking)
    assert after.client_confirmed_at is not None
    assert after.status is BookingStatus.CONFIRMED
    updated = [e for e in events(live, booking) if e.type == "booking.updated"]
    assert [(e.payload["actor"], e.payload["channel"]) for e in updated] == [("client", "whatsapp")]
    with live.hub.uow() as uow:
        audit = uow.audit.for_entity(tenant.business.id, "booking", booking.id)
    assert any(a.actor == "client" and a.channel == "whatsapp" for a in audit)
    assert for_operator(live, tenant) == []


def test_anything_else_is_shown_to_the_operator(live: LiveHub) -> None:
    tenant, number = whatsapp_tenant(live)
    booking = book(tenant)
    text = "Hola, ¿puedo cancelar y pasar al jueves?"
    assert post(live, message(number, text=text)).status_code == 200
    assert current(live, booking).status is BookingStatus.CONFIRMED
    [shown] = for_operator(live, tenant)
    assert (shown.text, shown.profile_name, shown.from_number) == (text, "Ana", f"+{WA_FROM}")


def test_unknown_numbers_change_nothing(live: LiveHub) -> None:
    tenant, number = whatsapp_tenant(live)
    booking = book(tenant)
    stranger = message(number, text="CANCELAR", sender="5491198765432")
    not_ours = message("999999999999999", text="CANCELAR")
    assert post(live, stranger).status_code == 200
    assert post(live, not_ours).status_code == 200
    assert current(live, booking).status is BookingStatus.CONFIRMED
    assert logged(live, tenant) == []


def test_another_business_with_the_same_customer_phone_is_never_touched(
    live: LiveHub,
) -> None:
    ours, our_number = whatsapp_tenant(live)
    theirs, _ = whatsapp_tenant(live)
    mine, other = book(ours), book(theirs)
    # Their booking's id on a button sent to our number: not this business's booking.
    foreign = reply_payload(ReplyIntent.CANCEL, other.id)
    assert post(live, message(our_number, button=foreign)).status_code == 200
    assert current(live, other).status is BookingStatus.CONFIRMED
    assert current(live, mine).status is BookingStatus.CONFIRMED
    assert post(live, message(our_number, text="CANCELAR")).status_code == 200
    assert current(live, mine).status is BookingStatus.CANCELLED
    assert current(live, other).status is BookingStatus.CONFIRMED
    assert logged(live, theirs) == []


def test_a_mobile_typed_without_its_9_is_recognised_in_replies(live: LiveHub) -> None:
    """Argentine clients often type their mobile as "11 2345-6789" (read as a landline,
    +54 11 …); WhatsApp writes from the same phone as 54 9 11 …: CANCELAR still works."""
    tenant, number = whatsapp_tenant(live)
    booking = book(tenant, phone="11 2345-6789")
    with live.hub.uow() as uow:
        customer = uow.customers.get(tenant.business.id, booking.customer_id)
    assert customer is not None and customer.phone == "+541123456789"
    assert post(live, message(number, text="CANCELAR", sender=WA_FROM)).status_code == 200
    assert current(live, booking).status is BookingStatus.CANCELLED
    # The equivalence is exact: a reply from another mobile leaves this booking alone.
    other = book(tenant, hour=12, phone="11 2345-6780")
    assert post(live, message(number, text="CANCELAR", sender="5491198765432")).status_code == 200
    assert current(live, other).status is BookingStatus.CONFIRMED
