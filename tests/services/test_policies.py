"""Each client policy at its boundary, and staff not limited by any of them.

The business asks 60 minutes' notice, books 30 days ahead, lets clients cancel and
reschedule until 2 hours before, and reschedule once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hub.domain.booking import Booking, BookingStatus, ChangedBy
from hub.domain.errors import PolicyViolationError, SlotNotOfferedError, ValidationError
from hub.services.booking_create import NewBooking, create_booking
from hub.services.booking_moves import reschedule_booking
from hub.services.booking_status import cancel_booking
from hub.services.customers import CustomerDetails
from tests.services.conftest import CLIENT, OPERATOR, World, local

MINUTE = timedelta(minutes=1)
NOW_9 = local(4, 9)  # Monday 09:00


def book(
    w: World, start: datetime, by: ChangedBy = CLIENT, now: datetime = NOW_9, **kw: object
) -> Booking:
    request = NewBooking(
        w.business.id,
        w.wash.id,
        start,
        customer=CustomerDetails("Juana", phone="+5491123456789"),
        resource_id=w.washer_a.id,
        **kw,  # type: ignore[arg-type]
    )
    return create_booking(w.uow(), request, by=by, now=now)


def test_minimum_notice_boundary(world: World) -> None:
    assert book(world, local(4, 10), now=NOW_9).start == local(4, 10)  # exactly 60 minutes
    with pytest.raises(PolicyViolationError) as caught:
        book(world, local(4, 11), now=local(4, 10) + MINUTE)  # 59 minutes
    assert caught.value.details["rule"] == "min_notice"


def test_horizon_boundary(world: World) -> None:
    last = NOW_9 + timedelta(days=30)  # Wednesday April 3, 09:00: exactly the horizon
    assert book(world, last).start == last
    with pytest.raises(PolicyViolationError) as caught:
        book(world, last + timedelta(hours=1))
    assert caught.value.details["rule"] == "horizon"


def test_staff_are_not_bound_by_notice_or_horizon(world: World) -> None:
    assert (
        book(world, local(4, 10), by=OPERATOR, now=local(4, 9, 59)).status
        is BookingStatus.CONFIRMED
    )
    far = NOW_9 + timedelta(days=91)  # a Monday
    assert book(world, far, by=OPERATOR).start == far


def test_clients_only_get_offered_times_staff_may_force_any_free_time(world: World) -> None:
    with pytest.raises(SlotNotOfferedError):
        book(world, local(5, 10, 30))  # off the hourly grid
    with pytest.raises(SlotNotOfferedError):
        book(world, local(5, 20), by=OPERATOR)  # closed, not forced
    with pytest.raises(ValidationError):
        book(world, local(5, 20), force=True)  # clients cannot force
    forced = book(world, local(5, 20), by=OPERATOR, force=True)
    assert forced.start == local(5, 20)


def test_client_cancel_window_boundary(world: World) -> None:
    first = book(world, local(5, 14))
    cancel_booking(world.uow(), world.business.id, first.id, by=CLIENT, now=local(5, 12))
    second = book(world, local(5, 15))
    with pytest.raises(PolicyViolationError) as caught:
        cancel_booking(world.uow(), world.business.id, second.id, by=CLIENT, now=local(5, 13, 1))
    assert caught.value.details["rule"] == "cancel_window"
    done = cancel_booking(
        world.uow(), world.business.id, second.id, by=OPERATOR, now=local(5, 14, 59)
    )
    assert done.status is BookingStatus.CANCELLED
    assert done.cancelled_by is not None and done.cancelled_by.value == "operator"


def test_client_reschedule_window_and_count(world: World) -> None:
    b = book(world, local(5, 14))
    with pytest.raises(PolicyViolationError) as late:
        reschedule_booking(
            world.uow(), world.business.id, b.id, local(6, 10), by=CLIENT, now=local(5, 12) + MINUTE
        )
    assert late.value.details["rule"] == "reschedule_window"
    moved = reschedule_booking(
        world.uow(), world.business.id, b.id, local(6, 10), by=CLIENT, now=local(5, 12)
    )
    assert (moved.start, moved.reschedule_count) == (local(6, 10), 1)
    with pytest.raises(PolicyViolationError) as again:
        reschedule_booking(
            world.uow(), world.business.id, b.id, local(6, 11), by=CLIENT, now=local(5, 12)
        )
    assert again.value.details["rule"] == "max_reschedules"
    for hour in (11, 12, 13):  # staff: no limit on count or window
        moved = reschedule_booking(
            world.uow(), world.business.id, b.id, local(6, hour), by=OPERATOR, now=local(6, 10, 59)
        )
    assert (moved.start, moved.reschedule_count) == (local(6, 13), 4)


def test_reschedule_frees_the_old_time_and_reports_it(world: World) -> None:
    b = book(world, local(5, 14))
    reschedule_booking(world.uow(), world.business.id, b.id, local(5, 15), by=OPERATOR, now=NOW_9)
    other = book(world, local(5, 14))
    assert other.start == local(5, 14)
    uow = world.uow()
    with uow:
        (event,) = [e for e in uow.outbox.for_aggregate(b.id) if e.type == "booking.rescheduled"]
    assert event.payload["previous_start"] == local(5, 14).isoformat()
    assert event.payload["start"] == local(5, 15).isoformat()
    assert event.payload["actor"] == "operator" and event.payload["channel"] == "console"
