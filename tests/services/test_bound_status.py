"""A booking's day through the one door (``hub.core``): confirmed, started when the client
arrives, finished ("Finalizar"), missed or expired — each stamped with the hub's clock,
with no clock or unit of work passed by the caller."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hub.domain.booking import BookingStatus
from hub.domain.errors import PolicyViolationError
from hub.domain.policies import BookingPolicy
from hub.services.booking_create import NewBooking
from hub.services.bound import Services
from hub.services.customers import CustomerDetails
from tests.services.conftest import CLIENT, NOW, OPERATOR, World, local, make_world

START = local(5, 10)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def pending_world(sqlite_url: str) -> World:
    return make_world(sqlite_url, BookingPolicy(requires_confirmation=True, hold_minutes=30))


def _door(world: World, clock: Clock) -> Services:
    return Services(world.uow, clock, ())


def _book(core: Services, world: World) -> str:
    request = NewBooking(
        world.business.id,
        world.wash.id,
        START,
        customer=CustomerDetails("Juana", email="juana@example.com"),
    )
    return core.create_booking(request, by=CLIENT).id


def test_a_booking_is_confirmed_started_and_finished_at_the_hubs_time(
    pending_world: World,
) -> None:
    clock = Clock(NOW)
    core = _door(pending_world, clock)
    booking_id = _book(core, pending_world)
    business_id = pending_world.business.id

    clock.now = NOW + timedelta(minutes=10)
    confirmed = core.confirm_booking(business_id, booking_id, by=OPERATOR)
    clock.now = START + timedelta(minutes=3)  # the client arrived
    started = core.start_booking(business_id, booking_id, by=OPERATOR)
    clock.now = START + timedelta(minutes=58)
    done = core.complete_booking(business_id, booking_id, by=OPERATOR, charged_minor=8_000)

    assert confirmed.confirmed_at == NOW + timedelta(minutes=10)
    assert started.started_at == START + timedelta(minutes=3)
    assert done.status is BookingStatus.COMPLETED
    assert done.completed_at == START + timedelta(minutes=58)
    with pending_world.uow() as uow:
        record = uow.service_records.for_booking(business_id, booking_id)
    assert record is not None
    assert record.performed_at == START + timedelta(minutes=58)
    assert record.charged_minor == 8_000


def test_a_no_show_waits_for_the_start_on_the_hubs_clock(pending_world: World) -> None:
    clock = Clock(NOW)
    core = _door(pending_world, clock)
    booking_id = _book(core, pending_world)
    business_id = pending_world.business.id
    core.confirm_booking(business_id, booking_id, by=OPERATOR)

    clock.now = START - timedelta(minutes=1)
    with pytest.raises(PolicyViolationError):
        core.mark_no_show(business_id, booking_id, by=OPERATOR)
    clock.now = START + timedelta(minutes=20)
    missed = core.mark_no_show(business_id, booking_id, by=OPERATOR)

    assert missed.status is BookingStatus.NO_SHOW
    assert missed.no_show_at == START + timedelta(minutes=20)


def test_holds_expire_when_the_hubs_clock_passes_them(pending_world: World) -> None:
    clock = Clock(NOW)
    core = _door(pending_world, clock)
    booking_id = _book(core, pending_world)

    clock.now = NOW + timedelta(minutes=29)
    assert core.expire_due_bookings() == []
    clock.now = NOW + timedelta(minutes=31)
    assert core.expire_due_bookings() == [booking_id]

    with pending_world.uow() as uow:
        booking = uow.bookings.get(pending_world.business.id, booking_id)
    assert booking is not None
    assert booking.status is BookingStatus.EXPIRED
    assert booking.expired_at == NOW + timedelta(minutes=31)


def test_clients_cannot_move_a_booking_through_staff_steps(pending_world: World) -> None:
    core = _door(pending_world, Clock(NOW))
    booking_id = _book(core, pending_world)

    with pytest.raises(PolicyViolationError):
        core.confirm_booking(pending_world.business.id, booking_id, by=CLIENT)
    with pending_world.uow() as uow:
        booking = uow.bookings.get(pending_world.business.id, booking_id)
    assert booking is not None
    assert booking.status is BookingStatus.PENDING
