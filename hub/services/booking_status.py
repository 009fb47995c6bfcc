"""Use cases that move a booking through its states: confirm, start, complete, cancel,
no-show, expire. Each is one transaction that writes the booking, an AuditEntry and an
OutboxEvent.

Clients may only cancel, within the business's cancel window; staff and the system are not
limited. ``expected_version`` (an If-Match) makes a change fail with ``StaleVersionError``
when the booking moved on since the caller read it. Moving a booking in time or to another
resource, and editing it, are in ``booking_moves``; creating one in ``booking_create``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from hub.domain.booking import Actor, Booking, BookingStatus, ChangedBy, Channel
from hub.domain.errors import (
    IllegalTransitionError,
    PolicyViolationError,
    StaleVersionError,
    ValidationError,
)
from hub.domain.model import ServiceRecord, require_aware
from hub.services.calendars import get_booking, get_business
from hub.services.events import record_booking_event
from hub.services.ports import UnitOfWork

SYSTEM = ChangedBy(Actor.SYSTEM, Channel.SYSTEM)


def staff_only(by: ChangedBy, action: str) -> None:
    if by.is_client:
        raise PolicyViolationError(f"only staff can {action} a booking", rule="staff_only")


def change_booking(
    uow: UnitOfWork,
    business_id: str,
    booking_id: str,
    apply: Callable[[Booking], dict[str, Any] | None],
    *,
    event_type: str,
    expected_version: int | None,
    by: ChangedBy,
    now: datetime,
) -> Booking:
    require_aware(now, "now")
    with uow:
        booking = get_booking(uow, business_id, booking_id)
        booking.check_version(expected_version)
        data = apply(booking)
        uow.bookings.update(booking)
        record_booking_event(uow, booking, event_type, by=by, now=now, data=data)
        uow.commit()
    return booking


def confirm_booking(
    uow: UnitOfWork,
    business_id: str,
    booking_id: str,
    *,
    by: ChangedBy,
    now: datetime,
    expected_version: int | None = None,
) -> Booking:
    """pending → confirmed (staff, or the system when the deposit is paid)."""
    staff_only(by, "confirm")
    return change_booking(
        uow,
        business_id,
        booking_id,
        lambda b: _none(b.confirm(now, by)),
        event_type="booking.confirmed",
        expected_version=expected_version,
        by=by,
        now=now,
    )


def start_booking(
    uow: UnitOfWork,
    business_id: str,
    booking_id: str,
    *,
    by: ChangedBy,
    now: datetime,
    expected_version: int | None = None,
) -> Booking:
    """confirmed → in_progress (the service began)."""
    staff_only(by, "start")
    return change_booking(
        uow,
        business_id,
        booking_id,
        lambda b: _none(b.start_service(now, by)),
        event_type="booking.updated",
        expected_version=expected_version,
        by=by,
        now=now,
    )


def complete_booking(
    uow: UnitOfWork,
    business_id: str,
    booking_id: str,
    *,
    by: ChangedBy,
    now: datetime,
    charged_minor: int | None = None,
    notes: str = "",
    expected_version: int | None = None,
) -> Booking:
    """in_progress → completed, and the ServiceRecord of what was done and charged (the
    booking's price unless ``charged_minor`` says otherwise). A confirmed booking is
    finished in one step ("Finalizar"): it passes through in_progress at the same instant."""
    staff_only(by, "complete")
    if charged_minor is not None and charged_minor < 0:
        raise ValidationError("the amount charged cannot be negative", field="charged_minor")

    def apply(booking: Booking) -> dict[str, Any]:
        booking.finish(now, by)
        record = ServiceRecord(
            business_id=booking.business_id,
            booking_id=booking.id,
            service_id=booking.service_id,
            resource_id=booking.resource_id,
            customer_id=booking.customer_id,
            performed_at=now,
            charged_minor=booking.price_minor if charged_minor is None else charged_minor,
            currency=booking.currency,
            notes=notes,
        )
        uow.service_records.add(record)
        return {"service_record_id": record.id, "charged_minor": record.charged_minor}

    return change_booking(
        uow,
        business_id,
        booking_id,
        apply,
        event_type="booking.completed",
        expected_version=expected_version,
        by=by,
        now=now,
    )


def cancel_booking(
    uow: UnitOfWork,
    business_id: str,
    booking_id: str,
    *,
    by: ChangedBy,
    now: datetime,
    reason: str = "",
    expected_version: int | None = None,
) -> Booking:
    """pending|confirmed → cancelled. A client may cancel until the business's cancel window
    (``client_cancel_until_hours`` before the start)."""

    def apply(booking: Booking) -> dict[str, Any]:
        if by.is_client and booking.occupies_time:
            business = get_business(uow, booking.business_id)
            business.policy.check_client_cancel(booking.start, now)
        booking.cancel(now, by, reason)
        return {"reason": reason}

    return change_booking(
        uow,
        business_id,
        booking_id,
        apply,
        event_type="booking.cancelled",
        expected_version=expected_version,
        by=by,
        now=now,
    )


def mark_no_show(
    uow: UnitOfWork,
    business_id: str,
    booking_id: str,
    *,
    by: ChangedBy,
    now: datetime,
    expected_version: int | None = None,
) -> Booking:
    """confirmed → no_show, once the start time has passed."""
    staff_only(by, "mark a no-show on")

    def apply(booking: Booking) -> None:
        if booking.status is BookingStatus.CONFIRMED and now < booking.start:
            raise PolicyViolationError(
                "a client can only miss a booking once it has started", rule="no_show_early"
            )
        booking.mark_no_show(now, by)

    return change_booking(
        uow,
        business_id,
        booking_id,
        apply,
        event_type="booking.no_show",
        expected_version=expected_version,
        by=by,
        now=now,
    )


def check_in_booking(
    uow: UnitOfWork,
    business_id: str,
    booking_id: str,
    *,
    by: ChangedBy,
    now: datetime,
    expected_version: int | None = None,
) -> Booking:
    """The client arrived (the QR of their manage link scanned at the door, or an attendance
    system through the API): confirmed → in_progress, which also keeps it from becoming a
    no-show. Staff and integrations only."""
    staff_only(by, "check in")

    def apply(booking: Booking) -> dict[str, Any]:
        booking.start_service(now, by)
        return {"changed": ["status"], "checked_in": True}

    return change_booking(
        uow,
        business_id,
        booking_id,
        apply,
        event_type="booking.updated",
        expected_version=expected_version,
        by=by,
        now=now,
    )


def mark_due_no_shows(
    uow: UnitOfWork, *, now: datetime, by: ChangedBy = SYSTEM, limit: int = 200
) -> list[str]:
    """Mark as no-shows the confirmed bookings nobody checked in whose business's grace
    (``no_show_after_minutes``) ran out since their start (one transaction each, so a
    check-in that lands meanwhile wins); returns the ids marked. Each writes
    ``booking.no_show`` (its webhook) like a no-show marked by staff."""
    require_aware(now, "now")
    with uow:
        started = uow.bookings.confirmed_started(now - NO_SHOW_LOOKBACK, now, limit)
        graces = {
            business_id: _grace(uow, business_id)
            for business_id in {b.business_id for b in started}
        }
    marked: list[str] = []
    for candidate in started:
        grace = graces.get(candidate.business_id)
        if grace is None or candidate.start + grace > now:
            continue
        try:
            with uow:
                booking = get_booking(uow, candidate.business_id, candidate.id)
                if booking.status is not BookingStatus.CONFIRMED:
                    continue
                booking.mark_no_show(now, by)
                uow.bookings.update(booking)
                record_booking_event(uow, booking, "booking.no_show", by=by, now=now)
                uow.commit()
            marked.append(booking.id)
        except (StaleVersionError, IllegalTransitionError):
            continue
    return marked


# Bookings that started longer ago than this are left to staff (a grace is at most a day).
NO_SHOW_LOOKBACK = timedelta(days=2)


def _grace(uow: UnitOfWork, business_id: str) -> timedelta | None:
    business = uow.businesses.get(business_id)
    minutes = business.policy.no_show_after_minutes if business is not None else None
    return timedelta(minutes=minutes) if minutes else None


def expire_due_bookings(
    uow: UnitOfWork, *, now: datetime, by: ChangedBy = SYSTEM, limit: int = 500
) -> list[str]:
    """Expire pending bookings whose hold ran out (one transaction each, so a confirmation
    that lands meanwhile wins); returns the ids expired."""
    require_aware(now, "now")
    with uow:
        due = [(b.business_id, b.id) for b in uow.bookings.due_holds(now, limit)]
    expired: list[str] = []
    for business_id, booking_id in due:
        try:
            with uow:
                booking = get_booking(uow, business_id, booking_id)
                if booking.status is not BookingStatus.PENDING or (
                    booking.hold_until is None or booking.hold_until > now
                ):
                    continue
                booking.expire(now, by)
                uow.bookings.update(booking)
                record_booking_event(uow, booking, "booking.expired", by=by, now=now)
                uow.commit()
            expired.append(booking_id)
        except (StaleVersionError, IllegalTransitionError):
            continue
    return expired


def _none(_: object) -> None:
    return None
