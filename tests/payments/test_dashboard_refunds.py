"""Refunds the business makes in the provider's dashboard (Stripe ``charge.refunded``,
MercadoPago's payment notification whose re-fetched payment lists refunds): recorded on the
deposit, full or partial, with a ``payment.refunded`` event each; a replay changes nothing;
our own refund reported back is not counted twice; a payment unknown to the business is
refused, logged and changes nothing."""

from __future__ import annotations

import logging

import pytest

from hub.domain.booking import Booking, BookingStatus
from hub.domain.payments import PaymentStatus
from hub.services.booking_status import cancel_booking
from tests.pages.helpers import text_of
from tests.payments.conftest import DEPOSIT, OPERATOR, World, make_business


def paid_booking(world: World) -> tuple[Booking, str]:
    booking = world.book(hours_ahead=72)
    assert world.pay(booking).json() == {"result": "confirmed"}
    payment = world.payment(booking)
    assert payment is not None and payment.provider_payment_id
    return booking, payment.provider_payment_id


def test_partial_then_full_refund_from_the_dashboard(world: World) -> None:
    booking, paid_id = paid_booking(world)

    first = world.dashboard_refund(paid_id, DEPOSIT // 4)
    assert first.status_code == 200, first.text
    assert first.json() == {"result": "refunded"}
    payment = world.payment(booking)
    assert payment is not None
    assert payment.status is PaymentStatus.SUCCEEDED  # partly refunded: still paid
    assert [r.amount_minor for r in payment.refunds] == [DEPOSIT // 4]
    assert world.events(booking).count("payment.refunded") == 1
    assert world.booking(booking).status is BookingStatus.CONFIRMED
    assert world.refunds == []  # the hub itself refunded nothing

    replayed = world.replay(first)
    assert replayed.status_code == 200
    assert replayed.json() == {"result": "duplicate"}
    again = world.payment(booking)
    assert again is not None and again.refunds == payment.refunds
    assert world.events(booking).count("payment.refunded") == 1

    rest = world.dashboard_refund(paid_id, DEPOSIT - DEPOSIT // 4)
    assert rest.json() == {"result": "refunded"}
    payment = world.payment(booking)
    assert payment is not None and payment.status is PaymentStatus.REFUNDED
    assert payment.refunded_minor == DEPOSIT
    assert len({r.provider_refund_id for r in payment.refunds}) == 2
    assert world.events(booking).count("payment.refunded") == 2
    page = text_of(world.http.get(f"/book/manage/{booking.token}").text)
    assert "Seña devuelta" in page


def test_our_own_refund_reported_back_is_not_counted_twice(world: World) -> None:
    booking, paid_id = paid_booking(world)
    cancel_booking(world.hub.uow(), world.business.id, booking.id, by=OPERATOR, now=world.clock())
    assert len(world.refunds) == 1
    assert world.events(booking).count("payment.refunded") == 1

    reported = world.notify_refunded(paid_id)
    assert reported.status_code == 200
    assert reported.json() == {"result": "duplicate"}
    payment = world.payment(booking)
    assert payment is not None and payment.status is PaymentStatus.REFUNDED
    assert payment.refunded_minor == DEPOSIT and len(payment.refunds) == 1
    assert world.events(booking).count("payment.refunded") == 1


def test_refund_of_a_payment_unknown_to_the_business_is_refused(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    booking, _ = paid_booking(world)
    before = world.payment(booking)
    events_before = world.events(booking)
    outside = world.outside_sale()

    with caplog.at_level(logging.WARNING, logger="connectors.payments"):
        refused = world.dashboard_refund(outside, DEPOSIT)
    assert refused.status_code == 404
    assert outside in caplog.text and "refused" in caplog.text
    assert world.payment(booking) == before
    assert world.events(booking) == events_before


def test_refund_reported_for_another_business_is_refused(world: World) -> None:
    """The notification reaches this business's endpoint, but the payment is the other
    business's: refused, and neither business records anything."""
    other, _ = make_business(world.hub, f"otro-{world.provider}", world.provider, world.clock())
    booking, paid_id = paid_booking(world)
    before = world.payment(booking)
    world.business, mine = other, world.business
    try:
        refused = world.dashboard_refund(paid_id, DEPOSIT)
    finally:
        world.business = mine
    assert refused.status_code == 404
    assert world.payment(booking) == before
    assert world.events(booking).count("payment.refunded") == 0
