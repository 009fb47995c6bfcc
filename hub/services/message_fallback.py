"""Use case: a message the client could not get on one channel (WhatsApp reported it failed)
is asked again on another (email), as an outbox event in its own transaction, so the
scheduler delivers it like any other message and a crash loses nothing.

Not here: which failures call for it (the WhatsApp status webhook, ``connectors.notify``),
how the email is written (``connectors.notify.email_consumer``).
"""

from __future__ import annotations

from datetime import datetime

from hub.domain.model import OutboxEvent
from hub.services.ports import UnitOfWork

FALLBACK_EVENT = "notification.fallback"


def request_fallback(
    uow: UnitOfWork,
    business_id: str,
    booking_id: str,
    *,
    kind: str,
    channel: str,
    reason: str,
    now: datetime,
    failed_event_id: str | None = None,
) -> OutboxEvent | None:
    """Ask for message ``kind`` of the booking to go by ``channel``; ``None`` when the
    booking is not this business's. ``reason`` says why the first channel failed."""
    with uow:
        booking = uow.bookings.get(business_id, booking_id)
        if booking is None:
            return None
        event = OutboxEvent(
            business_id=business_id,
            type=FALLBACK_EVENT,
            aggregate_id=booking_id,
            payload={
                "booking_id": booking_id,
                "kind": kind,
                "channel": channel,
                "reason": reason[:500],
                "failed_event_id": failed_event_id,
            },
            created_at=now,
        )
        uow.outbox.add(event)
        uow.commit()
    return event
