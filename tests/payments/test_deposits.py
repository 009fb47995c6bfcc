"""Deposits end to end against fake Stripe and fake MercadoPago: pay → confirmed, unpaid →
expired, refunds by policy on cancellation, replays, and refused notifications."""

from __future__ import annotations

from datetime import timedelta

from hub.domain.booking import BookingStatus
from hub.domain.payments import PaymentStatus
from hub.services.availability import AvailabilityQuery, find_availability
from hub.services.booking_status import cancel_booking, expire_due_bookings
from tests.payments.conftest import CLIENT, DEPOSIT, OPERATOR, World, make_business


def test_the_client_is_sent_to_the_provider_for_the_deposit(world: World) -> None:
    booking = world.book(hours_ahead=72)
    assert booking.status is BookingStatus.PENDING
    assert booking.deposit_minor == DEPOSIT

    location = world.checkout(booking)
    fake = world.stripe if world.provider == "stripe" else world.mp
    assert location.startswith(fake.url + "/checkout")
    assert world.checkout(booking) == location  # a reload gets the same checkout
    payment = world.payment(booking)
    assert payment is not None
    assert (payment.amount_minor, payment.currency) == (DEPOSIT, "ARS")
    assert payment.status is PaymentStatus.PENDING


def test_paying_the_deposit_confirms_the_booking(world: World) -> None:
    booking = world.book(hours_ahead=72)
    response = world.pay(booking)
    assert response.status_code == 200, response.text
    assert response.json() == {"result": "confirmed"}
    assert world.booking(booking).status is BookingStatus.CONFIRMED
    payment = world.payment(booking)
    assert payment is not None and payment.status is PaymentStatus.SUCCEEDED
    assert "payment.succeeded" in world.events(booking)
    # Back from the provider, the client sees their booking confirmed and paid.
    page = world.http.get(f"/book/manage/{booking.token}")
    assert page.status_code == 200


def test_the_same_notification_twice_confirms_once(world: World) -> None:
    booking = world.book(hours_ahead=72)
    first = world.pay(booking)
    again = world.replay(first)
    assert again.status_code == 200
    assert again.json() == {"result": "duplicate"}
    events = world.events(booking)
    assert events.count("booking.confirmed") == 1
    assert events.count("payment.succeeded") == 1


def test_an_unpaid_booking_expires_and_its_time_is_offered_again(world: World) -> None:
    booking = world.book(hours_ahead=72)
    world.checkout(booking)
    world.clock.offset = timedelta(minutes=16)
    assert booking.id in expire_due_bookings(world.hub.uow(), now=world.clock())
    assert world.booking(booking).status is BookingStatus.EXPIRED
    day = booking.start.astimezone(world.business.tz).date()
    query = AvailabilityQuery(world.business.id, world.service.id, day, day)
    offered = find_availability(world.hub.uow(), query, by=CLIENT, now=world.clock())
    assert booking.start in [s.start for s in offered]
    # Paying after the hold ran out gives the money back instead of a booking.
    response = world.pay(booking)
    assert response.json() == {"result": "late"}
    assert world.booking(booking).status is BookingStatus.EXPIRED
    assert len(world.refunds) == 1


def test_client_cancelling_48_hours_before_gets_the_deposit_back(world: World) -> None:
    booking = world.book(hours_ahead=72)
    world.pay(booking)
    world.clock.offset = timedelta(hours=22)  # 48-50 h before
    cancel_booking(world.hub.uow(), world.business.id, booking.id, by=CLIENT, now=world.clock())
    assert len(world.refunds) == 1
    refund = world.refunds[0]
    amount = refund["amount"]
    assert amount == (DEPOSIT if world.provider == "stripe" else DEPOSIT / 100)
    payment = world.payment(booking)
    assert payment is not None and payment.status is PaymentStatus.REFUNDED
    assert "payment.refunded" in world.events(booking)
    # The provider says the payment went through once more: no second refund.
    checkout = payment.checkout_id
    assert checkout is not None
    assert world.notify_paid(checkout).json() == {"result": "duplicate"}
    assert len(world.refunds) == 1


def test_client_cancelling_2_hours_before_keeps_no_refund(world: World) -> None:
    booking = world.book(hours_ahead=5)
    world.pay(booking)
    world.clock.offset = booking.start - timedelta(hours=2) - world.clock()
    cancel_booking(world.hub.uow(), world.business.id, booking.id, by=CLIENT, now=world.clock())
    assert world.booking(booking).status is BookingStatus.CANCELLED
    assert world.refunds == []
    payment = world.payment(booking)
    assert payment is not None and payment.status is PaymentStatus.SUCCEEDED


def test_an_operator_cancelling_always_refunds(world: World) -> None:
    booking = world.book(hours_ahead=5)
    world.pay(booking)
    world.clock.offset = booking.start - timedelta(hours=2) - world.clock()
    cancel_booking(world.hub.uow(), world.business.id, booking.id, by=OPERATOR, now=world.clock())
    assert len(world.refunds) == 1
    payment = world.payment(booking)
    assert payment is not None and payment.status is PaymentStatus.REFUNDED


def test_tampered_signature_is_refused_and_changes_nothing(world: World) -> None:
    booking = world.book(hours_ahead=72)
    world.checkout(booking)
    payment = world.payment(booking)
    assert payment is not None and payment.checkout_id
    response = world.notify_paid(payment.checkout_id, tamper=True)
    assert response.status_code == 400
    assert world.booking(booking).status is BookingStatus.PENDING
    after = world.payment(booking)
    assert after is not None and after.status is PaymentStatus.PENDING


def test_a_signature_that_is_not_ascii_is_refused_and_changes_nothing(world: World) -> None:
    booking = world.book(hours_ahead=72)
    world.checkout(booking)
    ts = int(world.clock().timestamp())  # fresh, so the signature itself is compared
    if world.provider == "stripe":
        headers = {"Stripe-Signature": f"t={ts},v1=ñ".encode()}
    else:
        headers = {"x-signature": f"ts={ts},v1=ñ".encode(), "x-request-id": b"r-1"}
    response = world.http.post(
        f"/connectors/payments/{world.provider}/webhook",
        params={"business": world.business.id, "data.id": "1", "type": "payment"},
        content=b"{}",
        headers={**headers, "Content-Type": b"application/json"},
    )
    assert response.status_code == 400
    assert response.json() == {"result": "bad_signature"}
    assert world.booking(booking).status is BookingStatus.PENDING


def test_stale_timestamp_is_refused(world: World) -> None:
    booking = world.book(hours_ahead=72)
    world.checkout(booking)
    payment = world.payment(booking)
    assert payment is not None and payment.checkout_id
    response = world.notify_paid(payment.checkout_id, age=3600)
    assert response.status_code == 400
    assert world.booking(booking).status is BookingStatus.PENDING


def test_an_amount_other_than_the_deposit_is_refused(world: World) -> None:
    booking = world.book(hours_ahead=72)
    world.checkout(booking)
    payment = world.payment(booking)
    assert payment is not None and payment.checkout_id
    response = world.notify_paid(payment.checkout_id, amount=DEPOSIT - 100)
    assert response.status_code == 400
    assert response.json() == {"result": "amount_mismatch"}
    assert world.booking(booking).status is BookingStatus.PENDING
    after = world.payment(booking)
    assert after is not None and after.status is PaymentStatus.PENDING


def test_a_payment_for_another_business_is_refused(world: World) -> None:
    other, _ = make_business(world.hub, "otro", world.provider, world.clock())
    booking = world.book(hours_ahead=72)
    world.checkout(booking)
    payment = world.payment(booking)
    assert payment is not None and payment.checkout_id
    # Signed with the other business's (equal) secret and sent to its endpoint.
    response = world.notify_paid(payment.checkout_id, business_id=other.id)
    assert response.status_code == 404
    assert world.booking(booking).status is BookingStatus.PENDING
