"""A deposit paid and refunded through (fake) Stripe reaches the CRM as signed
``payment.succeeded`` and ``payment.refunded`` webhooks, in the envelope of the booking
events and next to them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from connectors.crm_webhooks import subscriptions
from connectors.crm_webhooks.engine import Webhooks
from hub.persistence import convert
from hub.persistence.models import OutboxRow
from hub.services.booking_status import cancel_booking
from tests.crm_webhooks.receiver import Receiver
from tests.payments import conftest as payments
from tests.support.payments import FakeMercadoPago, FakeStripe

# The payment tests' fake Stripe and MercadoPago, served once for this module.
payment_fakes = payments.fakes


@pytest.fixture
def shop(
    database_url: str, payment_fakes: tuple[FakeStripe, FakeMercadoPago]
) -> Iterator[payments.World]:
    """The payment tests' world on Stripe: the hub served, a business taking a 20 % deposit,
    refunds made by the payments consumer right after each commit."""
    yield from payments.build_world("stripe", database_url, payment_fakes)


def _fan_out(webhooks: Webhooks, business_id: str) -> list[str]:
    """What the scheduler's webhooks consumer does with the business's outbox events (run
    here; fanning out twice creates nothing new), sending what it made."""
    with webhooks.database.sessions() as session:
        rows = session.scalars(
            select(OutboxRow)
            .where(OutboxRow.business_id == business_id)
            .order_by(OutboxRow.created_at)
        )
        events = [convert.outbox_from_row(r) for r in rows]
    return webhooks.fan_out(events)


def test_a_paid_then_refunded_deposit_reaches_the_crm_signed(
    shop: payments.World, receiver: Receiver
) -> None:
    settings = dataclasses.replace(shop.hub.settings, webhook_allow_hosts=("127.0.0.1",))
    sub = subscriptions.create(
        shop.hub.database,
        settings,
        shop.business.id,
        subscriptions.SubscriptionChange(url=receiver.url),
        shop.clock(),
    )
    receiver.secrets = [sub.secret]
    webhooks = Webhooks(shop.hub.database, settings, clock=shop.clock)
    try:
        booking = shop.book(hours_ahead=72)
        assert shop.pay(booking).json() == {"result": "confirmed"}
        _fan_out(webhooks, shop.business.id)
        # Sent together, concurrently: in any order (receivers order by data.version).
        first = sorted(r.body["type"] for r in receiver.received)
        assert first == ["booking.confirmed", "booking.created", "payment.succeeded"]

        cancel_booking(
            shop.hub.uow(), shop.business.id, booking.id, by=payments.OPERATOR, now=shop.clock()
        )
        assert len(shop.refunds) == 1  # the operator cancelled: the deposit goes back
        _fan_out(webhooks, shop.business.id)  # the earlier events are not sent again
    finally:
        webhooks.close()

    assert receiver.refused == []  # every request verified with the subscription's secret
    then = sorted(r.body["type"] for r in receiver.received[len(first) :])
    assert then == ["booking.cancelled", "payment.refunded"]
    assert len(receiver.ids()) == len(receiver.received) == 5  # one webhook-id each
    [paid] = receiver.of_type("payment.succeeded")
    [refunded] = receiver.of_type("payment.refunded")
    [confirmed] = receiver.of_type("booking.confirmed")
    assert paid.body["timestamp"] >= confirmed.body["timestamp"]
    payment = shop.payment(booking)
    assert payment is not None

    # The envelope of every event: {type, timestamp, data}.
    assert all(set(r.body) == {"type", "timestamp", "data"} for r in receiver.received)
    assert paid.body["data"] == {
        "payment_id": payment.id,
        "booking_id": booking.id,
        "business_id": shop.business.id,
        "provider": "stripe",
        "provider_payment_id": payment.provider_payment_id,
        "amount_minor": payments.DEPOSIT,
        "refunded_minor": 0,
        "currency": "ARS",
        "status": "succeeded",
        "actor": "system",
        "channel": "payment",
    }
    assert payment.provider_payment_id  # Stripe's payment intent
    refund = refunded.body["data"]
    assert refund["booking_id"] == booking.id and refund["payment_id"] == payment.id
    assert (refund["status"], refund["refunded_minor"]) == ("refunded", payments.DEPOSIT)
    assert refund["refund_id"] == shop.refunds[0]["id"]
    # The booking events name the same booking, with the same money fields.
    [created] = receiver.of_type("booking.created")
    assert created.body["data"]["id"] == booking.id
    assert created.body["data"]["deposit_minor"] == payments.DEPOSIT
    assert created.body["data"]["currency"] == paid.body["data"]["currency"]


def test_a_crm_listening_to_payments_only_gets_payments(
    shop: payments.World, receiver: Receiver
) -> None:
    settings = dataclasses.replace(shop.hub.settings, webhook_allow_hosts=("127.0.0.1",))
    change = subscriptions.SubscriptionChange(url=receiver.url, event_types=["payment.succeeded"])
    sub = subscriptions.create(shop.hub.database, settings, shop.business.id, change, shop.clock())
    receiver.secrets = [sub.secret]
    webhooks = Webhooks(shop.hub.database, settings, clock=shop.clock)
    try:
        booking = shop.book(hours_ahead=72)
        shop.pay(booking)
        assert len(_fan_out(webhooks, shop.business.id)) == 1
    finally:
        webhooks.close()
    [paid] = receiver.received
    assert paid.body["type"] == "payment.succeeded"
    assert paid.body["data"]["booking_id"] == booking.id
