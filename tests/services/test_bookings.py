"""Booking details: who gets the booking, deposits and holds, customers, buffers, edits,
reassignment, versions, the events written, and what clients and staff see as free."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from hub.domain.booking import BookingStatus
from hub.domain.errors import SlotTakenError, StaleVersionError, ValidationError
from hub.domain.model import Service, WeeklyInterval
from hub.domain.policies import DepositKind, DepositRule
from hub.services.availability import AvailabilityQuery, find_availability, get_booking_by_token
from hub.services.booking_create import NewBooking, create_booking
from hub.services.booking_moves import edit_booking, reassign_booking
from hub.services.customers import CustomerDetails, normalise_phone
from hub.services.resource_setup import set_weekly_rules
from hub.services.setup import save_service
from tests.services.conftest import CLIENT, NOW, OPERATOR, World, local

JUANA = CustomerDetails("Juana", phone="011 15 2345-6789")
MINUTE = timedelta(minutes=1)


def _wash(w: World, hour: int, **kw: object) -> NewBooking:
    fields: dict[str, object] = {"customer": JUANA}
    fields.update(kw)
    return NewBooking(w.business.id, w.wash.id, local(5, hour), **fields)  # type: ignore[arg-type]


def test_phones_are_normalised_with_the_business_country() -> None:
    assert normalise_phone("011 15 2345-6789", "AR") == "+5491123456789"
    assert normalise_phone("+54 9 11 2345 6789", None) == "+5491123456789"
    with pytest.raises(ValidationError):
        normalise_phone("2345-6789", None)


def test_a_mobile_typed_without_its_9_is_the_same_customer(world: World) -> None:
    """ "11 2345-6789" reads as +54 11 …, the same line as +54 9 11 … (how WhatsApp and
    clients who type the 15 write it): one customer, however they typed it."""
    w = world
    plain = CustomerDetails("Juana", phone="11 2345-6789")
    first = create_booking(w.uow(), _wash(w, 10, customer=plain), by=CLIENT, now=NOW)
    second = create_booking(w.uow(), _wash(w, 11), by=CLIENT, now=NOW)  # "011 15 2345-6789"
    other = CustomerDetails("Pedro", phone="11 2345-6780")
    third = create_booking(w.uow(), _wash(w, 12, customer=other), by=CLIENT, now=NOW)
    assert first.customer_id == second.customer_id != third.customer_id


def test_the_same_phone_is_the_same_customer(world: World) -> None:
    w = world
    first = create_booking(w.uow(), _wash(w, 10), by=CLIENT, now=NOW)
    second = create_booking(
        w.uow(),
        _wash(
            w,
            11,
            customer=CustomerDetails("Juani", phone="+54 9 11 2345-6789", email="J@Example.com"),
        ),
        by=CLIENT,
        now=NOW,
    )
    assert first.customer_id == second.customer_id
    uow = w.uow()
    with uow:
        customer = uow.customers.get(w.business.id, first.customer_id)
    assert customer is not None
    assert (customer.name, customer.phone, customer.email) == (
        "Juana",
        "+5491123456789",
        "j@example.com",
    )


def test_a_group_booking_goes_to_the_least_busy_member(world: World) -> None:
    w = world
    first = create_booking(w.uow(), _wash(w, 10), by=CLIENT, now=NOW)
    second = create_booking(w.uow(), _wash(w, 12), by=CLIENT, now=NOW)
    third = create_booking(w.uow(), _wash(w, 14), by=CLIENT, now=NOW)
    assert [b.resource_id for b in (first, second, third)] == [
        w.washer_a.id,
        w.washer_b.id,
        w.washer_a.id,
    ]


def test_a_deposit_holds_the_booking_pending(world: World) -> None:
    w = world
    w.wash.deposit = DepositRule(DepositKind.PERCENT, 30)
    save_service(w.uow(), w.wash, by=OPERATOR, now=NOW)
    held = create_booking(w.uow(), _wash(w, 10), by=CLIENT, now=NOW)
    assert (held.status, held.deposit_minor, held.price_minor) == (
        BookingStatus.PENDING,
        3000,
        10_000,
    )
    assert held.hold_until == NOW + timedelta(minutes=w.business.policy.hold_minutes)
    by_staff = create_booking(w.uow(), _wash(w, 11), by=OPERATOR, now=NOW)
    assert by_staff.status is BookingStatus.CONFIRMED
    # A pending booking holds the time.
    with pytest.raises(SlotTakenError):
        create_booking(w.uow(), _wash(w, 10, resource_id=held.resource_id), by=CLIENT, now=NOW)


def test_buffers_keep_the_resource_busy_around_the_booking(world: World) -> None:
    w = world
    service = Service(
        w.business.id, "Detail", 60, buffer_after_minutes=30, resource_ids=(w.washer_a.id,)
    )
    save_service(w.uow(), service, by=OPERATOR, now=NOW)
    create_booking(
        w.uow(),
        NewBooking(w.business.id, service.id, local(5, 10), customer=JUANA),
        by=CLIENT,
        now=NOW,
    )
    with pytest.raises(SlotTakenError):  # 11:00 would start inside the 30-minute clean-up
        create_booking(
            w.uow(),
            _wash(w, 11, resource_id=w.washer_a.id),
            by=OPERATOR,
            now=NOW,
        )
    forced = create_booking(
        w.uow(),
        NewBooking(
            w.business.id,
            w.wash.id,
            local(5, 11, 30),
            customer=JUANA,
            resource_id=w.washer_a.id,
            force=True,
        ),
        by=OPERATOR,
        now=NOW,
    )
    assert forced.start == local(5, 11, 30)


def test_capacity_and_persons(world: World) -> None:
    w = world
    request = NewBooking(w.business.id, w.class_.id, local(5, 10), customer=JUANA, persons=2)
    two = create_booking(w.uow(), request, by=CLIENT, now=NOW)
    assert two.price_minor == 1000  # fixed price
    with pytest.raises(SlotTakenError):
        create_booking(w.uow(), request, by=CLIENT, now=NOW)  # 2 + 2 > 3
    one = create_booking(
        w.uow(),
        NewBooking(w.business.id, w.class_.id, local(5, 10), customer=JUANA),
        by=CLIENT,
        now=NOW,
    )
    assert one.start == two.start


def test_edit_and_reassign_write_updated_events(world: World) -> None:
    w = world
    booking = create_booking(w.uow(), _wash(w, 10, resource_id=w.washer_a.id), by=CLIENT, now=NOW)
    edited = edit_booking(
        w.uow(),
        w.business.id,
        booking.id,
        by=OPERATOR,
        now=NOW + MINUTE,
        notes="Gate code 1234",
        invitees=["Ana@Example.com", "ana@example.com"],
        expected_version=booking.version,
    )
    assert edited.invitee_emails == ("ana@example.com",)
    with pytest.raises(StaleVersionError):
        edit_booking(
            w.uow(),
            w.business.id,
            booking.id,
            by=OPERATOR,
            now=NOW,
            notes="x",
            expected_version=booking.version,
        )
    moved = reassign_booking(
        w.uow(), w.business.id, booking.id, w.washer_b.id, by=OPERATOR, now=NOW + 2 * MINUTE
    )
    assert moved.resource_id == w.washer_b.id
    create_booking(w.uow(), _wash(w, 10, resource_id=w.washer_a.id), by=CLIENT, now=NOW)
    with pytest.raises(SlotTakenError):
        reassign_booking(w.uow(), w.business.id, booking.id, w.washer_a.id, by=OPERATOR, now=NOW)
    with pytest.raises(ValidationError):  # the bay does not wash
        reassign_booking(w.uow(), w.business.id, booking.id, w.bay.id, by=OPERATOR, now=NOW)
    uow = w.uow()
    with uow:
        events = uow.outbox.for_aggregate(booking.id)
        audit = uow.audit.for_entity(w.business.id, "booking", booking.id)
    assert [e.type for e in events] == ["booking.created", "booking.updated", "booking.updated"]
    assert events[-1].payload["previous_resource_id"] == w.washer_a.id
    assert events[-1].payload["version"] == moved.version
    assert [(a.action, a.actor, a.actor_id) for a in audit[1:]] == [
        ("updated", "operator", "staff-1")
    ] * 2
    assert get_booking_by_token(w.uow(), booking.token).resource_id == w.washer_b.id


def test_the_after_commit_hook_hears_of_each_booking_event(world: World) -> None:
    w = world
    heard: list[str] = []
    w.db.after_commit.append(heard.extend)
    booking = create_booking(w.uow(), _wash(w, 10), by=CLIENT, now=NOW)
    uow = w.uow()
    with uow:
        (event,) = uow.outbox.for_aggregate(booking.id)
    assert heard == [event.id]
    assert event.payload["booking_id"] == booking.id and event.payload["actor"] == "client"


def test_clients_see_offered_slots_staff_see_any_time_from_now(world: World) -> None:
    w = world
    set_weekly_rules(
        w.uow(),
        w.business.id,
        w.washer_b.id,
        [WeeklyInterval(0, time(8), time(10))],
        by=OPERATOR,
        now=NOW,
    )
    create_booking(w.uow(), _wash(w, 10, resource_id=w.washer_a.id), by=OPERATOR, now=NOW)
    today = local(4, 0).date()
    query = AvailabilityQuery(w.business.id, w.wash.id, today, today)
    # Monday: now is 08:00; clients need an hour's notice, staff do not.
    client = find_availability(w.uow(), query, by=CLIENT, now=NOW)
    staff = find_availability(w.uow(), query, by=OPERATOR, now=NOW)
    both = (w.washer_a.id, w.washer_b.id)
    assert client[0].start == local(4, 9) and client[0].resource_ids == both
    assert staff[0].start == local(4, 8) and staff[0].resource_ids == (w.washer_b.id,)
    assert staff[1].start == local(4, 9) and staff[1].resource_ids == both
    assert staff[2].resource_ids == (w.washer_a.id,)  # washer_b stops at 10:00
    tuesday = find_availability(
        w.uow(),
        AvailabilityQuery(w.business.id, w.wash.id, local(5, 0).date(), local(5, 0).date()),
        by=CLIENT,
        now=NOW,
    )
    starts = {s.start: s.resource_ids for s in tuesday}
    assert local(5, 10) not in starts  # washer_a booked, washer_b works Mondays only
    assert starts[local(5, 9)] == (w.washer_a.id,)
