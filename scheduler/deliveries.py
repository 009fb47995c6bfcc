"""SQL for delivery records and the notification log: create one record per (event, consumer),
claim records atomically under a lease, finish them, find what is due again.

A claim is one ``UPDATE … WHERE status='pending' AND next_attempt_at <= now AND
(claimed_until IS NULL OR claimed_until < now)``: of two workers racing for a record only one
sees its row updated, and a worker killed mid-batch loses its claim when the lease runs out.
Every claim carries a fresh token; finishing a record checks it, so a worker whose lease
expired cannot overwrite the outcome of the one that took over.

Not here: what delivering means (``scheduler.consumers``), when to retry (``backoff``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    and_,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hub.domain.model import OutboxEvent
from hub.persistence import convert
from hub.persistence.models import OutboxRow
from scheduler.consumers import LogEntry, LogStatus
from scheduler.models import DeliveryRow, NotificationLogRow

DeliveryTable = cast(Table, DeliveryRow.__table__)
LogTable = cast(Table, NotificationLogRow.__table__)
OutboxTable = cast(Table, OutboxRow.__table__)
INSERT_CHUNK = 500  # rows per batch of INSERTs
PENDING = "pending"
DONE = "done"
FAILED = "failed"
DISMISSED = "dismissed"  # a failure a person looked at and chose to leave
# Deliveries a person may retry or dismiss from the console (webhooks have replay).
MESSAGE_CONSUMERS = ("email", "whatsapp")


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
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = upsert(DeliveryTable).on_conflict_do_nothing()
    for start in range(0, len(rows), INSERT_CHUNK):  # executemany: compiled once
        session.execute(statement, rows[start : start + INSERT_CHUNK])
    return [str(r["id"]) for r in rows]


def _claimable(now: datetime) -> list[ColumnElement[bool]]:
    return [
        DeliveryRow.status == PENDING,
        DeliveryRow.next_attempt_at <= now,
        or_(DeliveryRow.claimed_until.is_(None), DeliveryRow.claimed_until < now),
    ]


def claim(session: Session, ids: Sequence[str], now: datetime, lease: timedelta) -> list[Claimed]:
    """Take the records among ``ids`` that nobody holds and that are due (caller commits)."""
    if not ids:
        return []
    token = str(uuid.uuid4())
    until = now + lease
    result = session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.id.in_(list(ids)), *_claimable(now))
        .values(claimed_until=until, claim_token=token, attempts=DeliveryRow.attempts + 1)
        .returning(
            DeliveryRow.id,
            DeliveryRow.event_id,
            DeliveryRow.consumer,
            DeliveryRow.attempts,
            DeliveryRow.created_at,
        )
        .execution_options(synchronize_session=False)
    )
    claimed = [
        Claimed(r.id, r.event_id, r.consumer, r.attempts, r.created_at, token, until)
        for r in result
    ]
    # RETURNING gives raw values on SQLite: normalise through the column type.
    return [
        Claimed(c.id, c.event_id, c.consumer, c.attempts, _aware(c.created_at), c.token, until)
        for c in claimed
    ]


def _aware(value: datetime | str) -> datetime:
    from datetime import UTC

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def renew(session: Session, item: Claimed, now: datetime, lease: timedelta) -> Claimed | None:
    """Extend the lease of a claim still held; ``None`` if another worker took it over."""
    until = now + lease
    result = session.execute(
        update(DeliveryRow)
        .where(
            DeliveryRow.id == item.id,
            DeliveryRow.claim_token == item.token,
            DeliveryRow.status == PENDING,
        )
        .values(claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return Claimed(
        item.id, item.event_id, item.consumer, item.attempts, item.created_at, item.token, until
    )


def finish(
    session: Session, items: Sequence[Claimed], status: str, now: datetime, error: str = ""
) -> int:
    """Mark claimed records ``done`` or ``failed``; returns how many were still ours."""
    by_token: dict[str, list[str]] = {}
    for item in items:
        by_token.setdefault(item.token, []).append(item.id)
    done = 0
    for token, ids in by_token.items():
        result = session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id.in_(ids), DeliveryRow.claim_token == token)
            .values(status=status, finished_at=now, claimed_until=None, last_error=error)
            .execution_options(synchronize_session=False)
        )
        done += result.rowcount  # type: ignore[attr-defined]
    return done


def postpone(session: Session, item: Claimed, at: datetime, error: str) -> bool:
    """Give the record back, to be tried again at ``at``."""
    result = session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.id == item.id, DeliveryRow.claim_token == item.token)
        .values(next_attempt_at=at, claimed_until=None, claim_token=None, last_error=error)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


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
    query = select(DeliveryRow.id).where(
        *_claimable(now), DeliveryRow.next_attempt_at <= older_than
    )
    if only_expired_claims:
        query = query.where(DeliveryRow.claimed_until.is_not(None))
    rows = session.scalars(query.order_by(DeliveryRow.next_attempt_at).limit(limit))
    return list(rows)


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
            and_(
                NotificationLogRow.event_id == event_id,
                NotificationLogRow.channel == channel,
                NotificationLogRow.status == LogStatus.SENT.value,
            )
        )
    )
    return frozenset(rows)


def _failed_message(business_id: str, record_id: str) -> list[ColumnElement[bool]]:
    return [
        DeliveryRow.id == record_id,
        DeliveryRow.business_id == business_id,
        DeliveryRow.status == FAILED,
        DeliveryRow.consumer.in_(MESSAGE_CONSUMERS),
    ]


def retry_failed(session: Session, business_id: str, record_id: str, now: datetime) -> bool:
    """Give a failed email/WhatsApp delivery of the business a new round of attempts, due
    now (the sweep asks a worker for it); False when there is no such failed record."""
    result = session.execute(
        update(DeliveryRow)
        .where(*_failed_message(business_id, record_id))
        .values(
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            claimed_until=None,
            claim_token=None,
            finished_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def dismiss_failed(session: Session, business_id: str, record_id: str, now: datetime) -> bool:
    """Set a failed email/WhatsApp delivery of the business aside (no longer listed)."""
    result = session.execute(
        update(DeliveryRow)
        .where(*_failed_message(business_id, record_id))
        .values(status=DISMISSED, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
