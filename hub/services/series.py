"""Use case: book a weekly series (every N weeks, K times or until a date).

Each occurrence is an independent booking sharing a ``series_id`` (cancel or move one
without touching the others). Occurrences that cannot be booked are reported back; the
caller chooses all-or-nothing (then nothing is written if any conflicts) or book-what-fits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from hub.domain.booking import Booking, ChangedBy
from hub.domain.errors import PolicyViolationError, SlotTakenError
from hub.domain.model import new_id, require_aware
from hub.services.booking_create import NewBooking, place_booking
from hub.services.calendars import get_business
from hub.services.ports import BusySource, UnitOfWork
from hub.services.recurrence import Weekly


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


def create_series(
    uow: UnitOfWork,
    first: NewBooking,
    repeat: Weekly,
    *,
    by: ChangedBy,
    now: datetime,
    all_or_nothing: bool = True,
    busy_sources: Sequence[BusySource] = (),
) -> SeriesResult:
    """Book ``first`` and its repetitions in one transaction. With ``all_or_nothing`` any
    conflict leaves the database untouched (``booked`` is empty); otherwise the occurrences
    that fit are booked. Bad input (unknown service, bad phone…) raises as in
    ``create_booking``; an occupied or not-offered time is a conflict, not an error."""
    require_aware(now, "now")
    series_id = new_id()
    booked: list[Booking] = []
    conflicts: list[SeriesConflict] = []
    with uow:
        business = get_business(uow, first.business_id)
        starts = repeat.starts(first.start, business.timezone, not_after=None)
        request = replace(first, series_id=series_id)
        for start in starts:
            try:
                booking = place_booking(
                    uow,
                    replace(request, start=start),
                    by=by,
                    now=now,
                    busy_sources=busy_sources,
                )
            except (SlotTakenError, PolicyViolationError) as exc:
                conflicts.append(SeriesConflict(start, exc.code, exc.message))
                continue
            booked.append(booking)
            # Later occurrences reuse the customer found or created by the first.
            request = replace(request, customer=None, customer_id=booking.customer_id)
        if not booked or (all_or_nothing and conflicts):
            uow.rollback()
            return SeriesResult(series_id, (), tuple(conflicts))
        uow.commit()
    return SeriesResult(series_id, tuple(booked), tuple(conflicts))
