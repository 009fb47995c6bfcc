"""Use cases: book a series (every N weeks, or the Nth weekday of every month; K times or
until a date), preview it, and cancel or move its occurrences.

Each occurrence is an independent booking sharing a ``series_id`` (cancel or move one
without touching the others). Occurrences that cannot be booked are reported back; the
caller chooses all-or-nothing (then nothing is written if any conflicts) or book-what-fits.
A preview runs the same placement and rolls it back, so it says exactly what booking would.
Cancelling or moving several occurrences goes through the single-booking use cases in one
transaction, so each sends what a single cancellation or move sends.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from hub.domain.booking import Booking, BookingStatus, ChangedBy
from hub.domain.errors import (
    NotFoundError,
    PolicyViolationError,
    SlotTakenError,
    ValidationError,
)
from hub.domain.model import new_id, require_aware
from hub.services import booking_moves, booking_status
from hub.services.booking_create import NewBooking, place_booking
from hub.services.calendars import get_business
from hub.services.ports import BusySource, TravelTimes, UnitOfWork
from hub.services.recurrence import Repeat
from hub.services.travel_times import STRAIGHT_LINE

# A series longer than two years of weekly bookings is refused, not truncated.
MAX_SERIES = 104
MAX_SHIFT = timedelta(days=366)
OPEN = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class Scope(enum.StrEnum):
    THIS = "this"
    FOLLOWING = "following"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class SeriesConflict:
    start: datetime
    code: str  # slot_taken | slot_not_offered | policy_violation
    message: str


@dataclass(frozen=True, slots=True)
class SeriesResult:
    series_id: str
    booked: tuple[Booking, ...]
    conflicts: tuple[SeriesConflict, ...]

    @property
    def committed(self) -> bool:
        return bool(self.booked)

    @property
    def occurrences(self) -> list[tuple[datetime, SeriesConflict | None]]:
        """Every date in order, with its conflict (None: free)."""
        free: list[tuple[datetime, SeriesConflict | None]] = [(b.start, None) for b in self.booked]
        return sorted(free + [(c.start, c) for c in self.conflicts], key=lambda o: o[0])


def planned_starts(first: datetime, repeat: Repeat, timezone: str) -> list[datetime]:
    """The occurrences' starts; more than ``MAX_SERIES`` is refused."""
    try:
        starts = repeat.starts(first, timezone, not_after=None)
    except OverflowError as exc:
        raise ValidationError("the series runs past the calendar", field="start") from exc
    if len(starts) > MAX_SERIES:
        raise ValidationError(
            f"a series has at most {MAX_SERIES} occurrences ({len(starts)} asked)",
            field="count",
        )
    return starts


def create_series(
    uow: UnitOfWork,
    first: NewBooking,
    repeat: Repeat,
    *,
    by: ChangedBy,
    now: datetime,
    all_or_nothing: bool = True,
    busy_sources: Sequence[BusySource] = (),
    dry_run: bool = False,
    travel_times: TravelTimes = STRAIGHT_LINE,
) -> SeriesResult:
    """Book ``first`` and its repetitions in one transaction. With ``all_or_nothing`` any
    conflict leaves the database untouched (``booked`` is empty); otherwise the occurrences
    that fit are booked. Bad input (unknown service, bad phone…) raises as in
    ``create_booking``; an occupied or not-offered time is a conflict, not an error.
    ``dry_run`` places every occurrence and rolls back: a preview of what would happen."""
    require_aware(now, "now")
    series_id = new_id()
    booked: list[Booking] = []
    conflicts: list[SeriesConflict] = []
    with uow:
        business = get_business(uow, first.business_id)
        starts = planned_starts(first.start, repeat, business.timezone)
        request = replace(first, series_id=series_id)
        for start in starts:
            try:
                booking = place_booking(
                    uow,
                    replace(request, start=start),
                    by=by,
                    now=now,
                    busy_sources=busy_sources,
                    travel_times=travel_times,
                )
            except (SlotTakenError, PolicyViolationError) as exc:
                conflicts.append(SeriesConflict(start, exc.code, exc.message))
                continue
            booked.append(booking)
            # Later occurrences reuse the customer found or created by the first.
            request = replace(request, customer=None, customer_id=booking.customer_id)
        if dry_run:
            uow.rollback()
            return SeriesResult(series_id, tuple(booked), tuple(conflicts))
        if not booked or (all_or_nothing and conflicts):
            uow.rollback()
            return SeriesResult(series_id, (), tuple(conflicts))
        uow.commit()
    return SeriesResult(series_id, tuple(booked), tuple(conflicts))


def series_bookings(uow: UnitOfWork, business_id: str, series_id: str) -> list[Booking]:
    """The series' occurrences (any status) by start; unknown in this business: not found."""
    with uow:
        found = sorted(uow.bookings.by_series(business_id, series_id), key=lambda b: b.start)
    if not found:
        raise NotFoundError("no such series", entity="series", id=series_id)
    return found


def _targets(found: list[Booking], booking_id: str | None, scope: Scope) -> list[Booking]:
    if scope is Scope.ALL and booking_id is None:
        return [b for b in found if b.status in OPEN]
    pivot = next((b for b in found if b.id == booking_id), None)
    if pivot is None:
        raise NotFoundError("no such occurrence in this series", entity="booking", id=booking_id)
    if scope is Scope.THIS:
        return [pivot]
    if scope is Scope.FOLLOWING:
        return [b for b in found if b.start >= pivot.start and b.status in OPEN]
    return [b for b in found if b.status in OPEN]


def cancel_series(
    uow: UnitOfWork,
    business_id: str,
    series_id: str,
    *,
    booking_id: str | None,
    scope: Scope,
    by: ChangedBy,
    now: datetime,
    reason: str = "",
) -> list[Booking]:
    """Cancel one occurrence, it and the following ones, or all the open ones, each as a
    single cancellation (its event, messages and webhooks), all or none."""
    with uow:
        targets = _targets(series_bookings(uow, business_id, series_id), booking_id, scope)
        done = [
            booking_status.cancel_booking(
                uow, business_id, b.id, by=by, now=now, reason=reason, expected_version=None
            )
            for b in targets
        ]
        uow.commit()
    return done


def shift_series(
    uow: UnitOfWork,
    business_id: str,
    series_id: str,
    *,
    booking_id: str | None,
    scope: Scope,
    shift: timedelta,
    by: ChangedBy,
    now: datetime,
    force: bool = False,
    busy_sources: Sequence[BusySource] = (),
    travel_times: TravelTimes = STRAIGHT_LINE,
) -> list[Booking]:
    """Move occurrences by ``shift`` (same resource), each as a single reschedule; if one
    cannot move, none does."""
    if not shift or abs(shift) > MAX_SHIFT:
        raise ValidationError("shift by a non-zero time of at most a year", field="shift")
    with uow:
        found = series_bookings(uow, business_id, series_id)
        targets = _targets(found, booking_id, scope)
        # Latest first when moving later (earliest first when earlier) so that no occurrence
        # lands on one of its own series not yet moved.
        targets.sort(key=lambda b: b.start, reverse=shift > timedelta(0))
        try:
            starts = {b.id: b.start + shift for b in targets}
        except OverflowError as exc:
            raise ValidationError("that moves past the calendar", field="shift") from exc
        moved = [
            booking_moves.reschedule_booking(
                uow,
                business_id,
                b.id,
                starts[b.id],
                by=by,
                now=now,
                force=force,
                busy_sources=busy_sources,
                travel_times=travel_times,
            )
            for b in targets
        ]
        uow.commit()
    return sorted(moved, key=lambda b: b.start)
