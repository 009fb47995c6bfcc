"""A business that also confirms by hand: the paid booking stays pending, marked paid, and
no longer expires; and the main flow on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from hub.domain.booking import BookingStatus
from hub.domain.payments import PaymentStatus
from hub.services import setup
from hub.services.booking_status import cancel_booking, expire_due_bookings
from tests.payments.conftest import OPERATOR, World, build_world
from tests.support.payments import FakeMercadoPago, FakeStripe


def test_paid_booking_waits_for_the_business_when_it_confirms_by_hand(world: World) -> None:
    business = world.business
    business.policy = replace(business.policy, requires_confirmation=True)
    setup.update_business(world.hub.uow(), business, by=OPERATOR, now=world.clock())
    booking = world.book(hours_ahead=72)
    response = world.pay(booking)
    assert response.json() == {"result": "awaiting_confirmation"}
    world.clock.offset = timedelta(minutes=30)
    assert expire_due_bookings(world.hub.uow(), now=world.clock()) == []
    after = world.booking(booking)
    assert after.status is BookingStatus.PENDING
    payment = world.payment(booking)
    assert payment is not None and payment.status is PaymentStatus.SUCCEEDED


@pytest.fixture(params=["stripe", "mercadopago"])
def pg_world(
    request: pytest.FixtureRequest,
    fresh_postgres_url: str,
    fakes: tuple[FakeStripe, FakeMercadoPago],
) -> Iterator[World]:
    yield from build_world(request.param, fresh_postgres_url, fakes)


@pytest.mark.postgres
def test_pay_and_operator_refund_on_postgresql(pg_world: World) -> None:
    booking = pg_world.book(hours_ahead=72)
    assert pg_world.pay(booking).json() == {"result": "confirmed"}
    cancel_booking(
        pg_world.hub.uow(), pg_world.business.id, booking.id, by=OPERATOR, now=pg_world.clock()
    )
    assert len(pg_world.refunds) == 1
    payment = pg_world.payment(booking)
    assert payment is not None and payment.status is PaymentStatus.REFUNDED
