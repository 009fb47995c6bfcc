"""Reminders: which ones a booking should get (per business and channel), keeping the
reminders table in step with the booking, and firing the due ones as outbox events.

Offsets come from ``Business.settings["reminders"]``, e.g.
``[{"channel": "email", "minutes_before": 15}]``; without it, 24 hours before by WhatsApp
and by email. Rows are created or reset from the booking's *current* state whenever one of
its events is handled (so events handled out of order still end right), deleted while
pending when the booking stops occupying time, and found by an indexed query on ``due_at``.
A due row becomes a ``booking.reminder`` outbox event (with a stable id) in the same
transaction that marks it fired; the notification consumers send it like any other event.

Not here: the text of the reminder (``connectors.notify``), sending it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from hub.domain.accounts import User
from hub.domain.booking import Booking, BookingStatus
from hub.domain.model import Business, Customer, OutboxEvent
from hub.persistence.models import BookingRow, OutboxRow
from scheduler.models import ReminderRow

REMINDER_EVENT = "booking.reminder"
CHANNELS = ("email", "whatsapp")
DEFAULT_MINUTES = 24 * 60
REMINDED = frozenset({BookingStatus.PENDING.value, BookingStatus.CONFIRMED.value})
# Core tables for the batch writes of ``fire_due`` (nothing there needs an ORM object): the
# ORM's bulk INSERT/UPDATE paths made firing a reminder and creating its delivery record cost
# 0.16 ms of CPU instead of 0.11 ms (3,000 reminders, three runs each, machine load ~14).
_REMINDERS = cast(Table, ReminderRow.__table__)
_OUTBOX = cast(Table, OutboxRow.__table__)


@dataclass(frozen=True, slots=True)
class ReminderSpec:
    channel: str
    minutes_before: int


DEFAULT_SPECS = (ReminderSpec("whatsapp", DEFAULT_MINUTES), ReminderSpec("email", DEFAULT_MINUTES))


def reminder_specs(settings: Mapping[str, Any]) -> tuple[ReminderSpec, ...]:
    """The reminders a business asked for; entries that make no sense are ignored."""
    raw = settings.get("reminders")
    if raw is None:
        return DEFAULT_SPECS
    found: list[ReminderSpec] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, Mapping):
            continue
        channel, minutes = item.get("channel"), item.get("minutes_before")
        if channel in CHANNELS and isinstance(minutes, int) and 0 < minutes <= 60 * 24 * 60:
            spec = ReminderSpec(str(channel), minutes)
            if spec not in found:
                found.append(spec)
    return tuple(found)


def whatsapp_configured(business: Business) -> bool:
    config = business.settings.get("whatsapp")
    return (
        isinstance(config, Mapping)
        and bool(config.get("phone_number_id"))
        and bool(config.get("token"))
    )


def wanted(
    booking: Booking,
    business: Business,
    customer: Customer | None,
    organizer: User | None = None,
) -> dict[tuple[str, int], datetime]:
    """(channel, minutes before) → due time, for every reminder ``booking`` should get: by
    email when the client, an invitee or the organizer has an address, by WhatsApp when the
    client or the organizer has a number."""
    if booking.status.value not in REMINDED:
        return {}
    result: dict[tuple[str, int], datetime] = {}
    emails = bool((customer and customer.email) or booking.invitees or organizer)
    phones = bool((customer and customer.phone) or (organizer and organizer.phone))
    for spec in reminder_specs(business.settings):
        if spec.channel == "email" and not emails:
            continue
        if spec.channel == "whatsapp" and not (phones and whatsapp_configured(business)):
            continue
        due = booking.start - timedelta(minutes=spec.minutes_before)
        result[(spec.channel, spec.minutes_before)] = due
    return result


def sync_reminders(
    session: Session,
    booking: Booking,
    business: Business,
    customer: Customer | None,
    *,
    changed_at: datetime,
    organizer: User | None = None,
) -> None:
    """Bring the booking's reminder rows in line with it (caller commits). A reminder whose
    due time had already passed when the booking was made or moved is not sent (the
    confirmation or update message said it all)."""
    want = wanted(booking, business, customer, organizer)
    rows = {
        (r.channel, r.minutes_before): r
        for r in session.scalars(
            select(ReminderRow).where(ReminderRow.booking_id == booking.id).with_for_update()
        )
    }
    for key, row in rows.items():
        if key not in want and row.status == "pending":
            session.delete(row)
    for (channel, minutes), due in want.items():
        status = "pending" if due > changed_at else "skipped"
        existing = rows.get((channel, minutes))
        if existing is None:
            session.add(
                ReminderRow(
                    id=str(uuid.uuid4()),
                    business_id=booking.business_id,
                    booking_id=booking.id,
                    channel=channel,
                    minutes_before=minutes,
                    start_at=booking.start,
                    due_at=due,
                    status=status,
                    fired_at=None,
                    event_id=None,
                )
            )
        elif existing.start_at != booking.start:  # rescheduled: remind again for the new time
            existing.start_at, existing.due_at, existing.status = booking.start, due, status
            existing.fired_at, existing.event_id = None, None


def clear_reminders(session: Session, booking_id: str) -> None:
    session.execute(
        delete(ReminderRow).where(
            ReminderRow.booking_id == booking_id, ReminderRow.status == "pending"
        )
    )


def reminder_event_id(reminder_id: str, start_at: datetime) -> str:
    """The same reminder for the same start is the same event, however often it is fired."""
    key = f"turnero:reminder:{reminder_id}:{start_at.isoformat()}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def fire_due(
    session: Session, now: datetime, limit: int, *, dispatched: bool = False
) -> list[OutboxEvent]:
    """Turn up to ``limit`` due reminders into outbox events (caller commits); returns the
    new events. Reminders of bookings that no longer occupy time, or already started, are
    skipped; a booking moved since its row was written gets its row moved instead.
    ``dispatched``: the caller creates their delivery records in the same transaction, so
    the events are written as dispatched (the sweep leaves them alone)."""
    query = (
        select(
            ReminderRow.id,
            ReminderRow.business_id,
            ReminderRow.booking_id,
            ReminderRow.channel,
            ReminderRow.minutes_before,
            ReminderRow.start_at,
            BookingRow.status,
            BookingRow.start_at.label("booking_start"),
        )
        .join(BookingRow, BookingRow.id == ReminderRow.booking_id)
        .where(ReminderRow.status == "pending", ReminderRow.due_at <= now)
        .order_by(ReminderRow.due_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=ReminderRow, skip_locked=True)
    fired: list[OutboxEvent] = []
    outbox: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for row in session.execute(query):
        start_at = row.booking_start
        if row.status not in REMINDED or start_at <= now:
            changes.append({"id": row.id, "status": "skipped"})
            continue
        if start_at != row.start_at:
            due = start_at - timedelta(minutes=row.minutes_before)
            changes.append({"id": row.id, "start_at": start_at, "due_at": due})
            if due > now:
                continue
        event = OutboxEvent(
            business_id=row.business_id,
            type=REMINDER_EVENT,
            aggregate_id=row.booking_id,
            payload={
                "booking_id": row.booking_id,
                "business_id": row.business_id,
                "channel": row.channel,
                "minutes_before": row.minutes_before,
                "start": start_at.isoformat(),
                "reminder_id": row.id,
            },
            created_at=now,
            id=reminder_event_id(row.id, start_at),
            dispatched_at=now if dispatched else None,
        )
        changes.append({"id": row.id, "status": "fired", "fired_at": now, "event_id": event.id})
        outbox.append(
            {
                "id": event.id,
                "business_id": event.business_id,
                "type": event.type,
                "aggregate_id": event.aggregate_id,
                "payload": event.payload,
                "created_at": now,
                "dispatched_at": event.dispatched_at,
            }
        )
        fired.append(event)
    # One executemany per shape of change (UPDATE by primary key).
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in changes:
        shapes.setdefault(tuple(sorted(change)), []).append(
            {f"new_{key}": value for key, value in change.items()}
        )
    for shape, rows in shapes.items():
        values: dict[str, Any] = {k: bindparam(f"new_{k}") for k in shape if k != "id"}
        statement = update(_REMINDERS).where(_REMINDERS.c.id == bindparam("new_id"))
        session.connection().execute(statement.values(values), rows)
    if outbox:
        session.connection().execute(insert(_OUTBOX), outbox)
    return fired


def pending_for(session: Session, booking_id: str) -> Sequence[ReminderRow]:
    return list(
        session.scalars(
            select(ReminderRow)
            .where(ReminderRow.booking_id == booking_id)
            .order_by(ReminderRow.due_at)
        )
    )
