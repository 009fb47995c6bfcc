"""Holding a booking's client message until its Meet link exists.

The ``google`` consumer and the message consumers (email, WhatsApp) handle the same booking
event in no guaranteed order. For a booking that will get a Meet link (its service or the
booking asks for a video meeting, and a working Google connection receives its resource),
``MeetLinkGate.check`` raises ``RetryableDeliveryError`` while the link is not stored yet,
so the message is retried after the push; after ``MEET_WAIT`` it lets the message go without
the link rather than never.

``gated(deliver, gate)`` wraps a consumer's ``deliver`` with the check; the scheduler's
notification consumers are the ones to wrap.

A link that comes after the wait (or replaces another) is late: ``went_without_link`` says
so, and the push stores it as a late link, which the core sends as an update.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select

from connectors.google import store
from hub.domain.model import OutboxEvent
from hub.persistence.uow import SqlDatabase
from scheduler.consumers import Deliver, DeliveryContext, LogEntry, RetryableDeliveryError
from scheduler.models import DeliveryRow

MEET_WAIT = timedelta(minutes=3)
# Messages that describe the meeting ahead (a cancellation needs no link).
WAITING_EVENTS = frozenset({"booking.created", "booking.confirmed", "booking.rescheduled"})
# The consumers that send those messages (and are gated).
MESSAGE_CONSUMERS = ("email", "whatsapp")


@dataclass(frozen=True, slots=True)
class MeetLinkGate:
    database: SqlDatabase
    wait: timedelta = MEET_WAIT

    def pending(self, event: OutboxEvent, now: datetime) -> bool:
        """Whether the message of ``event`` should wait for the booking's Meet link."""
        if event.type not in WAITING_EVENTS or now - event.created_at >= self.wait:
            return False
        booking_id = str(event.payload.get("booking_id") or event.aggregate_id)
        with self.database.unit_of_work() as uow:
            booking = uow.bookings.get(event.business_id, booking_id)
            if booking is None or booking.meeting_url or not booking.occupies_time:
                return False
            service = uow.services.get(event.business_id, booking.service_id)
            if not (booking.video_meeting or (service is not None and service.video_meeting)):
                return False
            conn = store.connection_for_resource(
                uow.session, event.business_id, booking.resource_id
            )
        return conn is not None

    def check(self, event: OutboxEvent, now: datetime) -> None:
        if self.pending(event, now):
            raise RetryableDeliveryError("waiting for the booking's Meet link")


def gated(deliver: Deliver, gate: MeetLinkGate) -> Deliver:
    """``deliver``, run only once the event's Meet link is there (or waited for enough)."""

    def run(event: OutboxEvent, ctx: DeliveryContext) -> Sequence[LogEntry] | None:
        gate.check(event, ctx.now)
        return deliver(event, ctx)

    return run


def went_without_link(
    database: SqlDatabase,
    business_id: str,
    booking_id: str,
    now: datetime,
    wait: timedelta = MEET_WAIT,
) -> bool:
    """Whether a message about the booking ahead already went out (delivered, or being sent
    now that its wait is over), so a link stored from now on would not be in it."""
    rows = DeliveryRow
    query = (
        select(rows.id)
        .where(
            rows.business_id == business_id,
            rows.aggregate_id == booking_id,
            rows.consumer.in_(MESSAGE_CONSUMERS),
            rows.event_type.in_(sorted(WAITING_EVENTS)),
            or_(
                rows.status == "done",
                and_(
                    rows.status == "pending",
                    rows.claimed_until > now,
                    rows.created_at <= now - wait,
                ),
            ),
        )
        .limit(1)
    )
    with database.sessions() as session:
        return session.scalar(query) is not None
