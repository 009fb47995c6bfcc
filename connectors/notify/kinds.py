"""Which message a booking event means, and what the event says about the booking.

Created (pending → "received", confirmed → "confirmed"), confirmed, rescheduled, cancelled,
expired, completed ("thank you"), updated (when something the attendees see changed), the
email fallback of a WhatsApp message, and ``booking.reminder`` (fired by
``scheduler.reminders``, for one channel). ``as_of_event`` gives the booking as the event saw
it (status, times, SEQUENCE from the payload), so an update carries SEQUENCE + 1 and a
cancellation the same UID with METHOD:CANCEL.

Not here: loading and formatting a message (``builder``), sending it (``email_consumer``,
``whatsapp_consumer``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from connectors.notify.context import MessageKind
from hub.domain.booking import Booking, BookingStatus, Invitee
from hub.domain.model import OutboxEvent
from hub.services.message_fallback import FALLBACK_EVENT
from scheduler.reminders import REMINDER_EVENT

KINDS: dict[str, MessageKind] = {
    "booking.confirmed": MessageKind.CONFIRMED,
    "booking.rescheduled": MessageKind.RESCHEDULED,
    "booking.cancelled": MessageKind.CANCELLED,
    "booking.expired": MessageKind.EXPIRED,
    "booking.completed": MessageKind.THANK_YOU,
    REMINDER_EVENT: MessageKind.REMINDER,
}


_STATUSES = frozenset(s.value for s in BookingStatus)
_KIND_VALUES = frozenset(k.value for k in MessageKind)


# Not sent once the booking stopped occupying time (sent late, they would contradict the
# cancellation or expiry the client already got, or is about to get).
SUPERSEDED_WHEN_GONE = frozenset(
    {MessageKind.RECEIVED, MessageKind.CONFIRMED, MessageKind.RESCHEDULED, MessageKind.UPDATED}
)


# An update is news for the people on the meeting when one of these changed.
UPDATE_FIELDS = frozenset({"title", "notes", "address", "resource_id", "meeting_url", "invitees"})


def message_kind(event: OutboxEvent) -> MessageKind | None:
    if event.type == "booking.updated":
        changed = event.payload.get("changed")
        touched = UPDATE_FIELDS & set(changed) if isinstance(changed, list) else set()
        return MessageKind.UPDATED if touched else None
    if event.type == FALLBACK_EVENT:
        kind = event.payload.get("kind")
        return MessageKind(kind) if kind in _KIND_VALUES else None
    if event.type == "booking.created":
        status = event.payload.get("status")
        if status == BookingStatus.CONFIRMED.value:
            return MessageKind.CONFIRMED
        return MessageKind.RECEIVED if status == BookingStatus.PENDING.value else None
    return KINDS.get(event.type)


def instant(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else None


def as_of_event(booking: Booking, event: OutboxEvent) -> Booking:
    """The booking as it was when ``event`` was written (reminders: as it is now)."""
    if event.type in (REMINDER_EVENT, FALLBACK_EVENT):
        return booking
    p = event.payload
    start, end = instant(p.get("start")), instant(p.get("end"))
    status = p.get("status")
    sequence = p.get("sequence")
    return replace(
        booking,
        start=start or booking.start,
        end=end or booking.end,
        status=BookingStatus(status) if status in _STATUSES else booking.status,
        sequence=sequence if isinstance(sequence, int) else booking.sequence,
        history=[],
    )


def changed_fields(event: OutboxEvent) -> tuple[str, ...]:
    raw = event.payload.get("changed")
    return tuple(str(c) for c in raw) if isinstance(raw, list) else ()


def strings(raw: object) -> tuple[str, ...]:
    return tuple(str(v) for v in raw) if isinstance(raw, list) else ()


def removed_invitees(raw: object) -> tuple[Invitee, ...]:
    """The invitees an update took off, as its payload names them."""
    if not isinstance(raw, list):
        return ()
    return tuple(
        Invitee(str(item["email"]), str(item.get("name") or ""), token="")
        for item in raw
        if isinstance(item, dict) and item.get("email")
    )


def invitation_link(base_url: str, booking_id: str, invitee: Invitee) -> str:
    """An invitee's own link (the page ``booking_pages.invitation`` serves)."""
    return f"{base_url}/book/invite/{booking_id}/{invitee.token}"


def booking_id_of(event: OutboxEvent) -> str:
    return str(event.payload.get("booking_id") or event.aggregate_id)


def channel_of(event: OutboxEvent) -> str | None:
    """The one channel a reminder or a fallback is for (others: every channel)."""
    if event.type in (REMINDER_EVENT, FALLBACK_EVENT):
        return str(event.payload.get("channel"))
    return None
