from __future__ import annotations

from hub.domain.booking import BookingStatus
from hub.services.booking_create import NewBooking, create_booking
from hub.services.booking_moves import reschedule_booking
from hub.services.booking_status import cancel_booking
from hub.services.customers import CustomerDetails
from tests.services.conftest import CLIENT, NOW, OPERATOR, World, local


def test_book_confirm_reschedule_cancel(any_world: World) -> None:
    w = any_world
    booking = create_booking(
        w.uow(),
        NewBooking(
            w.business.id,
            w.wash.id,
            local(5, 10),
            customer=CustomerDetails("Juana", phone="11 2345-6789"),
        ),
        by=CLIENT,
        now=NOW,
    )
    assert booking.status is BookingStatus.CONFIRMED
    assert booking.resource_id == w.washer_a.id
    moved = reschedule_booking(w.uow(), w.business.id, booking.id, local(5, 11), by=CLIENT, now=NOW)
    assert moved.start == local(5, 11)
    cancelled = cancel_booking(w.uow(), w.business.id, booking.id, by=OPERATOR, now=NOW)
    assert cancelled.status is BookingStatus.CANCELLED
    assert w.count("outbox_events") == 3
