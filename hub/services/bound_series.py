"""Bound commands on a recurring series: book it (or preview which dates are free), list
it, cancel or shift this, the following or all of its dates.

Part of the one door, ``hub.services.bound.Services``. Not here: the rules of a series
(``hub.services.series``), single bookings (``bound_bookings``).
"""

from __future__ import annotations

from datetime import timedelta

from hub.domain.booking import Booking, ChangedBy
from hub.services import series
from hub.services.booking_create import NewBooking
from hub.services.bound_base import Bindings
from hub.services.ports import UnitOfWork
from hub.services.recurrence import Repeat
from hub.services.series import Scope, SeriesResult


class SeriesCommands(Bindings):
    def create_series(
        self,
        first: NewBooking,
        repeat: Repeat,
        *,
        by: ChangedBy,
        all_or_nothing: bool = True,
        dry_run: bool = False,
        uow: UnitOfWork | None = None,
    ) -> SeriesResult:
        return series.create_series(
            self._uow(uow),
            first,
            repeat,
            by=by,
            now=self.clock(),
            all_or_nothing=all_or_nothing,
            busy_sources=self.busy_sources,
            dry_run=dry_run,
            travel_times=self.travel_times,
        )

    def preview_series(self, first: NewBooking, repeat: Repeat, *, by: ChangedBy) -> SeriesResult:
        """Which dates of the series are free and why the others are not; nothing booked."""
        return self.create_series(first, repeat, by=by, all_or_nothing=False, dry_run=True)

    def series_bookings(self, business_id: str, series_id: str) -> list[Booking]:
        return series.series_bookings(self.new_uow(), business_id, series_id)

    def cancel_series(
        self,
        business_id: str,
        series_id: str,
        *,
        booking_id: str | None,
        scope: Scope,
        by: ChangedBy,
        reason: str = "",
    ) -> list[Booking]:
        return series.cancel_series(
            self.new_uow(),
            business_id,
            series_id,
            booking_id=booking_id,
            scope=scope,
            by=by,
            now=self.clock(),
            reason=reason,
        )

    def shift_series(
        self,
        business_id: str,
        series_id: str,
        *,
        booking_id: str | None,
        scope: Scope,
        shift: timedelta,
        by: ChangedBy,
        force: bool = False,
    ) -> list[Booking]:
        return series.shift_series(
            self.new_uow(),
            business_id,
            series_id,
            booking_id=booking_id,
            scope=scope,
            shift=shift,
            by=by,
            now=self.clock(),
            force=force,
            busy_sources=self.busy_sources,
            travel_times=self.travel_times,
        )
