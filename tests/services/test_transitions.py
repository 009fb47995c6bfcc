"""Every state transition through the use cases, legal and illegal: legal ones write the
booking, an audit entry and an outbox event; illegal ones raise and write nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from hub.domain.booking import Booking, BookingStatus
from hub.domain.errors import IllegalTransitionError, PolicyViolationError
from hub.domain.policies import BookingPolicy
from hub.persistence.uow import SqlUnitOfWork
from hub.services.booking_create import NewBooking, create_booking
from hub.services.booking_moves import edit_booking, reschedule_booking
from hub.services.booking_status import (
    cancel_booking,
    complete_booking,
    confirm_booking,
    expire_due_bookings,
    mark_no_show,
    start_booking,
)
from hub.services.customers import CustomerDetails
from tests.services.conftest import CLIENT, NOW, OPERATOR, World, local, make_world

START = local(5, 10)
AFTER_START = START + timedelta(minutes=5)
S = BookingStatus


@pytest.fixture
def pending_world(sqlite_url: str) -> World:
    return make_world(sqlite_url, BookingPolicy(requires_confirmation=True, hold_minutes=30))


def _book(w: World) -> Booking:
    return create_booking(
        w.uow(),
        NewBooking(
            w.business.id,
            w.wash.id,
            START,
            customer=CustomerDetails("Juana", email="juana@example.com"),
        ),
        by=CLIENT,
        now=NOW,
    )


Action = Callable[[SqlUnitOfWork, World, str], Booking | list[str]]

ACTIONS: dict[str, tuple[Action, BookingStatus]] = {
    "confirm": (
        lambda u, w, b: confirm_booking(u, w.business.id, b, by=OPERATOR, now=NOW),
        S.CONFIRMED,
    ),
    "start": (
        lambda u, w, b: start_booking(u, w.business.id, b, by=OPERATOR, now=AFTER_START),
        S.IN_PROGRESS,
    ),
    "complete": (
        lambda u, w, b: complete_booking(u, w.business.id, b, by=OPERATOR, now=AFTER_START),
        S.COMPLETED,
    ),
    "cancel": (
        lambda u, w, b: cancel_booking(u, w.business.id, b, by=OPERATOR, now=NOW),
        S.CANCELLED,
    ),
    "no_show": (
        lambda u, w, b: mark_no_show(u, w.business.id, b, by=OPERATOR, now=AFTER_START),
        S.NO_SHOW,
    ),
}

# How to reach each state from a fresh pending booking.
PATHS: dict[BookingStatus, list[str]] = {
    S.PENDING: [],
    S.CONFIRMED: ["confirm"],
    S.IN_PROGRESS: ["confirm", "start"],
    S.COMPLETED: ["confirm", "start", "complete"],
    S.CANCELLED: ["cancel"],
    S.NO_SHOW: ["confirm", "no_show"],
}
LEGAL = {
    (S.PENDING, "confirm"),
    (S.PENDING, "cancel"),
    (S.CONFIRMED, "start"),
    (S.CONFIRMED, "cancel"),
    (S.CONFIRMED, "no_show"),
    (S.CONFIRMED, "complete"),  # "Finalizar" in one tap: through in_progress, one event
    (S.IN_PROGRESS, "complete"),
}


def _reach(w: World, state: BookingStatus) -> Booking:
    booking = _book(w)
    assert booking.status is S.PENDING
    for step in PATHS[state]:
        result = ACTIONS[step][0](w.uow(), w, booking.id)
        assert isinstance(result, Booking)
        booking = result
    assert booking.status is state
    return booking


@pytest.mark.parametrize("state", list(PATHS))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_transition(pending_world: World, state: BookingStatus, action: str) -> None:
    w = pending_world
    booking = _reach(w, state)
    events, audits = w.count("outbox_events"), w.count("audit_entries")
    run, target = ACTIONS[action]
    if (state, action) in LEGAL:
        after = run(w.uow(), w, booking.id)
        assert isinstance(after, Booking)
        assert after.status is target
        assert after.version == booking.version + 1
        assert w.count("outbox_events") == events + 1
        assert w.count("audit_entries") == audits + 1
    else:
        with pytest.raises(IllegalTransitionError):
            run(w.uow(), w, booking.id)
        assert w.count("outbox_events") == events
        assert w.count("audit_entries") == audits


def test_expire_only_pending_bookings_whose_hold_ran_out(pending_world: World) -> None:
    w = pending_world
    held = _book(w)
    assert held.hold_until == NOW + timedelta(minutes=30)
    confirmed = _reach(w, S.CONFIRMED)
    assert expire_due_bookings(w.uow(), now=NOW + timedelta(minutes=29)) == []
    assert expire_due_bookings(w.uow(), now=NOW + timedelta(minutes=30)) == [held.id]
    uow = w.uow()
    with uow:
        assert uow.bookings.get(w.business.id, held.id).status is S.EXPIRED  # type: ignore[union-attr]
        assert uow.bookings.get(w.business.id, confirmed.id).status is S.CONFIRMED  # type: ignore[union-attr]
        types = [e.type for e in uow.outbox.for_aggregate(held.id)]
    assert types == ["booking.created", "booking.expired"]
    # The expired booking no longer holds the time: someone else can take it.
    again = _book(w)
    assert again.start == held.start


def test_completing_writes_the_service_record(pending_world: World) -> None:
    w = pending_world
    booking = _reach(w, S.IN_PROGRESS)
    complete_booking(
        w.uow(), w.business.id, booking.id, by=OPERATOR, now=AFTER_START, charged_minor=12_000
    )
    uow = w.uow()
    with uow:
        record = uow.service_records.for_booking(w.business.id, booking.id)
    assert record is not None
    assert record.charged_minor == 12_000
    assert record.currency == "ARS"


def test_no_show_only_after_the_start(pending_world: World) -> None:
    w = pending_world
    booking = _reach(w, S.CONFIRMED)
    with pytest.raises(PolicyViolationError):
        mark_no_show(
            w.uow(), w.business.id, booking.id, by=OPERATOR, now=START - timedelta(minutes=1)
        )


def test_clients_cannot_confirm_start_or_complete(pending_world: World) -> None:
    w = pending_world
    booking = _book(w)
    for run in (confirm_booking, start_booking, complete_booking, mark_no_show):
        with pytest.raises(PolicyViolationError):
            run(w.uow(), w.business.id, booking.id, by=CLIENT, now=NOW)


def test_finished_bookings_cannot_be_moved_or_edited(pending_world: World) -> None:
    w = pending_world
    booking = _reach(w, S.CANCELLED)
    with pytest.raises(IllegalTransitionError):
        reschedule_booking(w.uow(), w.business.id, booking.id, local(6, 10), by=OPERATOR, now=NOW)
    with pytest.raises(IllegalTransitionError):
        edit_booking(w.uow(), w.business.id, booking.id, by=OPERATOR, now=NOW, notes="x")
