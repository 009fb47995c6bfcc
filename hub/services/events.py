"""What every booking change writes besides the booking: an AuditEntry and an OutboxEvent,
in the same unit of work (DESIGN §3.3). Dispatching the events is the scheduler's job.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub.domain.booking import Booking, ChangedBy
from hub.domain.model import AuditEntry, OutboxEvent
from hub.services.ports import UnitOfWork

BOOKING_EVENTS = frozenset(
    {
        "booking.created",
        "booking.confirmed",
        "booking.rescheduled",
        "booking.updated",
        "booking.cancelled",
        "booking.completed",
        "booking.expired",
        "booking.no_show",
        "booking.client_confirmed",
        "booking.attendee_responded",
    }
)
CLIENT_CONFIRMED = "booking.client_confirmed"  # the client said they will come
ATTENDEE_RESPONDED = "booking.attendee_responded"  # an invitee accepted, declined or maybe


def booking_payload(booking: Booking) -> dict[str, Any]:
    """The booking as event consumers see it (JSON-ready)."""
    return {
        "booking_id": booking.id,
        "business_id": booking.business_id,
        "version": booking.version,
        "sequence": booking.sequence,
        "status": booking.status.value,
        "service_id": booking.service_id,
        "resource_id": booking.resource_id,
        "customer_id": booking.customer_id,
        "start": booking.start.isoformat(),
        "end": booking.end.isoformat(),
        "series_id": booking.series_id,
    }


def record_booking_event(
    uow: UnitOfWork,
    booking: Booking,
    event_type: str,
    *,
    by: ChangedBy,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> OutboxEvent:
    """Add the audit entry and the outbox event of one change of ``booking``."""
    if event_type not in BOOKING_EVENTS:
        raise ValueError(f"unknown booking event {event_type!r}")
    extra = dict(data or {})
    uow.audit.add(
        AuditEntry(
            business_id=booking.business_id,
            entity="booking",
            entity_id=booking.id,
            action=event_type.removeprefix("booking."),
            actor=by.actor.value,
            channel=by.channel.value,
            at=now,
            data={"version": booking.version, "status": booking.status.value, **extra},
            actor_id=by.user_id,
        )
    )
    payload = booking_payload(booking)
    payload.update(actor=by.actor.value, channel=by.channel.value, user_id=by.user_id, **extra)
    event = OutboxEvent(
        business_id=booking.business_id,
        type=event_type,
        aggregate_id=booking.id,
        payload=payload,
        created_at=now,
    )
    uow.outbox.add(event)
    return event


def record_audit(
    uow: UnitOfWork,
    *,
    business_id: str,
    entity: str,
    entity_id: str,
    action: str,
    by: ChangedBy,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> None:
    """Audit a change that is not a booking's (setup, blocks): no outbox event."""
    uow.audit.add(
        AuditEntry(
            business_id=business_id,
            entity=entity,
            entity_id=entity_id,
            action=action,
            actor=by.actor.value,
            channel=by.channel.value,
            at=now,
            data=dict(data or {}),
            actor_id=by.user_id,
        )
    )
