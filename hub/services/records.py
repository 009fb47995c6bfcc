"""Reading what happened to bookings: the service records written when a booking is
finished (what was done and charged), over a period or for one booking, and a booking's
history (its audit entries: who did what, when, from which channel).

Reads only; the records and entries are written by the use cases that change bookings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from hub.domain.errors import ValidationError
from hub.domain.model import AuditEntry, ServiceRecord, require_aware
from hub.services.calendars import get_booking
from hub.services.ports import UnitOfWork

MAX_PERIOD = timedelta(days=366)
MAX_RECORDS = 5000


def list_service_records(
    uow: UnitOfWork,
    business_id: str,
    start: datetime,
    end: datetime,
    *,
    resource_ids: Sequence[str] | None = None,
) -> list[ServiceRecord]:
    """Service records performed in [start, end) (at most a year), oldest first; only those
    of ``resource_ids`` when given (an employee's resources)."""
    require_aware(start, "start")
    require_aware(end, "end")
    if not start < end <= start + MAX_PERIOD:
        raise ValidationError("the period must be from 1 day to a year", field="to")
    with uow:
        return uow.service_records.performed_between(
            business_id, start, end, resource_ids, MAX_RECORDS
        )


def service_record_of(uow: UnitOfWork, business_id: str, booking_id: str) -> ServiceRecord | None:
    """The record written when the booking was finished (None while it is not)."""
    with uow:
        get_booking(uow, business_id, booking_id)
        return uow.service_records.for_booking(business_id, booking_id)


def booking_history(uow: UnitOfWork, business_id: str, booking_id: str) -> list[AuditEntry]:
    """The booking's audit entries, oldest first. ``NotFoundError`` when the booking is not
    this business's."""
    with uow:
        get_booking(uow, business_id, booking_id)
        return uow.audit.for_entity(business_id, "booking", booking_id)
