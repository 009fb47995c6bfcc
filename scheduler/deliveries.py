"""The scheduler's delivery records and the notification log: one record per (event,
consumer) on the one leased delivery queue (``scheduler.delivery_queue``), the outbox events
they come from, and the log lines of what was sent.

Not here: what delivering means (``scheduler.consumers``), when to retry (``backoff``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Engine, Table, insert, select, update
from sqlalchemy.orm import Session

from hub.domain.model import OutboxEvent
from hub.persistence import convert
from hub.persistence.models import OutboxRow
from scheduler.consumers import LogEntry, LogStatus
from scheduler.delivery_queue import FAILED, PENDING, DeliveryQueue
from scheduler.models import DeliveryRow, NotificationLogRow

DeliveryTable = cast(Table, DeliveryRow.__table__)
LogTable = cast(Table, NotificationLogRow.__table__)
OutboxTable = cast(Table, OutboxRow.__table__)
DONE = "done"
DISMISSED = "dismissed"  # a failure a person looked at and chose to leave
QUEUE = DeliveryQueue(DeliveryTable, done=DONE)
# Deliveries a person may retry or dismiss from the console (webhooks have replay).
MESSAGE_CONSUMERS = ("email", "whatsapp")
_CLAIMED = ("id", "event_id", "consumer", "attempts", "created_at")

__all__ = ["DONE", "FAILED", "PENDING", "QUEUE"]


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery this worker owns until ``claimed_until``."""

    id: str
    event_id: str
    consumer: str
    attempts: int
    created_at: datetime
    token: str
    claimed_until: datetime

    @property
    def held(self) -> tuple[str, str]:
        return (self.id, self.token)


def delivery_id(event_id: str, consumer: str) -> str:
    """Stable id of the record of (``event_id``, ``consumer``) (the same on every worker)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"turnero:delivery:{event_id}:{consumer}"))


def create_deliveries(
    session: Session, event: OutboxEvent, consumers: Iterable[str], now: datetime
) -> list[str]:
    """Make sure ``event`` has a record per consumer (existing ones are kept as they are)."""
    return create_many(session, [(event, list(consumers))], now)


def create_many(
    session: Session, wanted: Sequence[tuple[OutboxEvent, Sequence[str]]], now: datetime
) -> list[str]:
    """``create_deliveries`` for many events at once (one INSERT per few hundred rows)."""
    rows = [
        {
            "id": delivery_id(event.id, name),
            "event_id": event.id,
            "consumer": name,
            "business_id": event.business_id,
            "aggregate_id": event.aggregate_id,
            "event_type": event.type,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "claimed_until": None,
            "claim_token": None,
            "last_error": "",
            "created_at": now,
            "finished_at": None,
        }
        for event, names in wanted
        for name in names
    ]
    QUEUE.add(session, rows)
    return [str(r["id"]) for r in rows]


def claim(session: Session, ids: Sequence[str], now: datetime, lease: timedelta) -> list[Claimed]:
    """Take the records among ``ids`` that nobody holds and that are due (caller commits)."""
    if not ids:
        return []
    got = QUEUE.claim(session, now, lease, columns=_CLAIMED, ids=ids)
    # RETURNING gives raw values on SQLite: normalise through the column type.
    return [
        Claimed(
            r.id, r.event_id, r.consumer, r.attempts, _aware(r.created_at), got.token, got.until
        )
        for r in got.rows
    ]


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def renew(session: Session, item: Claimed, now: datetime, lease: timedelta) -> Claimed | None:
    """Extend the lease of a claim still held; ``None`` if another worker took it over."""
    until = QUEUE.renew(session, item.held, now, lease)
    if until is None:
        return None
    return Claimed(
        item.id, item.event_id, item.consumer, item.attempts, item.created_at, item.token, until
    )


def finish(
    session: Session, items: Sequence[Claimed], status: str, now: datetime, error: str = ""
) -> int:
    """Mark claimed records ``done`` or ``failed``; returns how many were still ours."""
    held = [item.held for item in items]
    if status == DONE:
        return len(QUEUE.complete(session, held, now, last_error=error))
    return len(QUEUE.dead_letter(session, held, now, error))


def postpone(session: Session, item: Claimed, at: datetime, error: str) -> bool:
    """Give the record back, to be tried again at ``at``."""
    return QUEUE.fail(session, item.held, now=at, error=error, retry_at=at)


def due(
    session: Session,
    now: datetime,
    older_than: datetime,
    limit: int,
    *,
    only_expired_claims: bool = False,
) -> list[str]:
    """Pending records nobody holds that should have been tried by ``older_than`` (only
    those once claimed by a worker that did not finish, with ``only_expired_claims``)."""
    return QUEUE.due(
        session, now, limit, older_than=older_than, only_expired_claims=only_expired_claims
    )


def undispatched(session: Session, older_than: datetime, limit: int) -> list[str]:
    """Outbox events committed before ``older_than`` that no dispatch has handled yet."""
    rows = session.scalars(
        select(OutboxRow.id)
        .where(OutboxRow.dispatched_at.is_(None), OutboxRow.created_at <= older_than)
        .order_by(OutboxRow.created_at)
        .limit(limit)
    )
    return list(rows)


def load_events(session: Session, ids: Iterable[str]) -> dict[str, OutboxEvent]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(select(OutboxTable).where(OutboxTable.c.id.in_(wanted)))
    return {r.id: convert.outbox_from_row(r) for r in rows}  # Core rows: no ORM objects


def mark_dispatched(session: Session, ids: Sequence[str], now: datetime) -> None:
    if ids:
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(list(ids)), OutboxRow.dispatched_at.is_(None))
            .values(dispatched_at=now)
            .execution_options(synchronize_session=False)
        )


def _log_row(event: OutboxEvent, entry: LogEntry, now: datetime) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "business_id": event.business_id,
        "booking_id": str(event.payload.get("booking_id") or event.aggregate_id),
        "event_id": event.id,
        "channel": entry.channel,
        "kind": entry.kind,
        "recipient": entry.recipient[:320],
        "status": entry.status.value,
        "error": entry.error,
        "at": now,
        "provider_id": entry.provider_id[:128] or None,
    }


def add_log(
    session: Session | Connection, event: OutboxEvent, entries: Iterable[LogEntry], now: datetime
) -> None:
    rows = [_log_row(event, entry, now) for entry in entries]
    if rows:
        session.execute(insert(LogTable), rows)  # Core: no ORM bookkeeping


class LogWriter:
    """Writes one notification-log line and commits it before returning: what a consumer
    calls after each message it sent, so a crash right after can never send it again.

    A plain transaction on a pooled connection (the pool's pre-ping replaces a connection
    the server dropped). Writing straight to the driver on a per-thread connection saved
    about 50 µs per line, which ``python -m bench reminders`` did not show against the
    time of sending the message itself, so it was not kept."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def write(self, event: OutboxEvent, entry: LogEntry, now: datetime) -> None:
        with self._engine.begin() as connection:
            add_log(connection, event, [entry], now)


def sent_before(session: Session, event_id: str, channel: str) -> frozenset[str]:
    """Recipients already sent ``event_id`` on ``channel`` (an earlier attempt got that far)."""
    rows = session.scalars(
        select(NotificationLogRow.recipient).where(
            NotificationLogRow.event_id == event_id,
            NotificationLogRow.channel == channel,
            NotificationLogRow.status == LogStatus.SENT.value,
        )
    )
    return frozenset(rows)


def _failed_message(business_id: str, record_id: str) -> list[ColumnElement[bool]]:
    c = DeliveryTable.c
    return [
        c.id == record_id,
        c.business_id == business_id,
        c.status == FAILED,
        c.consumer.in_(MESSAGE_CONSUMERS),
    ]


def retry_failed(session: Session, business_id: str, record_id: str, now: datetime) -> bool:
    """Give a failed email/WhatsApp delivery of the business a new round of attempts, due
    now (the sweep asks a worker for it); False when there is no such failed record."""
    where = _failed_message(business_id, record_id)
    return bool(QUEUE.retry(session, where, now, reset_attempts=True))


def dismiss_failed(session: Session, business_id: str, record_id: str, now: datetime) -> bool:
    """Set a failed email/WhatsApp delivery of the business aside (no longer listed)."""
    result = session.execute(
        update(DeliveryTable)
        .where(*_failed_message(business_id, record_id))
        .values(status=DISMISSED, finished_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
