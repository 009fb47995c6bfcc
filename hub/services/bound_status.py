"""Bound commands that move a booking through its states: confirm, start (check in),
complete ("Finalizar"), no-show, cancel, and the system's sweeps (holds that ran out,
no-shows whose grace ran out). Each runs at the root's clock in its own unit of work.

Part of the one door, ``hub.services.bound.Services``. Not here: the rules of each
transition (``hub.services.booking_status``), moving a booking in time (``bound_bookings``).
"""

from __future__ import annotations

from hub.domain.booking import Booking, ChangedBy
from hub.services import booking_status
from hub.services.bound_base import Bindings
from hub.services.ports import UnitOfWork


class StatusCommands(Bindings):
    def confirm_booking(
        self,
        business_id: str,
        booking_id: str,
        *,
        by: ChangedBy,
        expected_version: int | None = None,
        uow: UnitOfWork | None = None,
    ) -> Booking:
        """pending → confirmed (staff, or the system when the deposit is paid)."""
        return booking_status.confirm_booking(
            self._uow(uow),
            business_id,
            booking_id,
            by=by,
            now=self.clock(),
            expected_version=expected_version,
        )

    def start_booking(
        self,
        business_id: str,
        booking_id: str,
        *,
        by: ChangedBy,
        expected_version: int | None = None,
        uow: UnitOfWork | None = None,
    ) -> Booking:
        """confirmed → in_progress (the service began)."""
        return booking_status.start_booking(
            self._uow(uow),
            business_id,
            booking_id,
            by=by,
            now=self.clock(),
            expected_version=expected_version,
        )

    def complete_booking(
        self,
        business_id: str,
        booking_id: str,
        *,
        by: ChangedBy,
        charged_minor: int | None = None,
        notes: str = "",
        expected_version: int | None = None,
        uow: UnitOfWork | None = None,
    ) -> Booking:
        """in_progress (or confirmed, in one step) → completed, with its ServiceRecord."""
        return booking_status.complete_booking(
            self._uow(uow),
            business_id,
            booking_id,
            by=by,
            now=self.clock(),
            charged_minor=charged_minor,
            notes=notes,
            expected_version=expected_version,
        )

    def mark_no_show(
        self,
        business_id: str,
        booking_id: str,
        *,
        by: ChangedBy,
        expected_version: int | None = None,
        uow: UnitOfWork | None = None,
    ) -> Booking:
        """confirmed → no_show, once the start time has passed."""
        return booking_status.mark_no_show(
            self._uow(uow),
            business_id,
            booking_id,
            by=by,
            now=self.clock(),
            expected_version=expected_version,
        )

    def cancel_booking(
        self,
        business_id: str,
        booking_id: str,
        *,
        by: ChangedBy,
        reason: str = "",
        expected_version: int | None = None,
        uow: UnitOfWork | None = None,
    ) -> Booking:
        return booking_status.cancel_booking(
            self._uow(uow),
            business_id,
            booking_id,
            by=by,
            now=self.clock(),
            reason=reason,
            expected_version=expected_version,
        )

    def check_in_booking(
        self,
        business_id: str,
        booking_id: str,
        *,
        by: ChangedBy,
        expected_version: int | None = None,
        uow: UnitOfWork | None = None,
    ) -> Booking:
        return booking_status.check_in_booking(
            self._uow(uow),
            business_id,
            booking_id,
            by=by,
            now=self.clock(),
            expected_version=expected_version,
        )

    def mark_due_no_shows(self, *, limit: int = 200, uow: UnitOfWork | None = None) -> list[str]:
        return booking_status.mark_due_no_shows(self._uow(uow), now=self.clock(), limit=limit)

    def expire_due_bookings(self, *, limit: int = 500, uow: UnitOfWork | None = None) -> list[str]:
        """Expire the pending bookings whose hold ran out; the ids expired."""
        return booking_status.expire_due_bookings(self._uow(uow), now=self.clock(), limit=limit)
