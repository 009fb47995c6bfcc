"""SQL of the webhooks connector: subscriptions scoped by business, deliveries created once
per (subscription, event), claimed atomically under a lease, finished, and the attempt log.

A claim is one ``UPDATE … WHERE status='pending' AND next_attempt_at <= now AND
(claimed_until IS NULL OR claimed_until < now)``: of two workers racing for a delivery only
one gets it, and one killed mid-send loses its claim when the lease runs out. Finishing
checks the claim token, so a worker whose lease ran out cannot overwrite the outcome of the
one that took over.

Not here: HTTP, signing, retry timing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from connectors.crm_webhooks.models import AttemptRow, DeliveryRow, SubscriptionRow
from hub.domain.errors import NotFoundError

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"


def delivery_id(subscription_id: str, event_id: str) -> str:
    """The ``webhook-id`` of (subscription, event): the same on every worker and retry."""
    return "msg_" + uuid.uuid5(uuid.NAMESPACE_URL, f"{subscription_id}:{event_id}").hex


# -- subscriptions -------------------------------------------------------------------------


def get_subscription(session: Session, business_id: str, sub_id: str) -> SubscriptionRow:
    row = session.get(SubscriptionRow, sub_id)
    if row is None or row.business_id != business_id:
        raise NotFoundError("no such webhook", entity="webhook", id=sub_id)
    return row


def list_subscriptions(session: Session, business_id: str) -> list[SubscriptionRow]:
    return list(
        session.scalars(
            select(SubscriptionRow)
            .where(SubscriptionRow.business_id == business_id)
            .order_by(SubscriptionRow.created_at, SubscriptionRow.id)
        )
    )


def listening(session: Session, business_id: str) -> list[SubscriptionRow]:
    """The active subscriptions of a business."""
    return list(
        session.scalars(
            select(SubscriptionRow).where(
                SubscriptionRow.business_id == business_id, SubscriptionRow.active.is_(True)
            )
        )
    )


def delete_subscription(session: Session, row: SubscriptionRow) -> None:
    session.execute(delete(AttemptRow).where(AttemptRow.subscription_id == row.id))
    session.execute(delete(DeliveryRow).where(DeliveryRow.subscription_id == row.id))
    session.delete(row)


# -- deliveries ----------------------------------------------------------------------------


def create_deliveries(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert delivery rows; ones that exist already (a fan-out run twice) are kept."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # executemany of one cached statement: no fresh multi-row VALUES to compile per batch
    session.execute(upsert(DeliveryRow).on_conflict_do_nothing(), list(rows))


def new_delivery(
    sub: SubscriptionRow, message_id: str, event: tuple[str, str], body: str, now: datetime
) -> dict[str, Any]:
    """A delivery row of ``event`` (id, type) to ``sub``, due now."""
    event_id, event_type = event
    return {
        "id": message_id,
        "subscription_id": sub.id,
        "business_id": sub.business_id,
        "event_id": event_id,
        "event_type": event_type,
        "body": body,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "claimed_until": None,
        "claim_token": None,
        "last_status_code": None,
        "last_error": "",
        "created_at": now,
        "finished_at": None,
    }


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery this worker owns until its lease ends."""

    id: str
    subscription_id: str
    event_type: str
    body: str
    attempts: int
    token: str


def _claimable(now: datetime) -> list[ColumnElement[bool]]:
    return [
        DeliveryRow.status == PENDING,
        DeliveryRow.next_attempt_at <= now,
        or_(DeliveryRow.claimed_until.is_(None), DeliveryRow.claimed_until < now),
    ]


def claim(
    session: Session,
    ids: Sequence[str] | None,
    now: datetime,
    lease: timedelta,
    limit: int,
) -> list[Claimed]:
    """Take up to ``limit`` due deliveries nobody holds (among ``ids``, or the most overdue
    ones); counts the attempt (caller commits)."""
    token = str(uuid.uuid4())
    wanted = select(DeliveryRow.id).where(*_claimable(now))
    if ids is not None:
        if not ids:
            return []
        wanted = wanted.where(DeliveryRow.id.in_(list(ids)))
    wanted = wanted.order_by(DeliveryRow.next_attempt_at).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        wanted = wanted.with_for_update(skip_locked=True)
    result = session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.id.in_(wanted.scalar_subquery()), *_claimable(now))
        .values(claimed_until=now + lease, claim_token=token, attempts=DeliveryRow.attempts + 1)
        .returning(
            DeliveryRow.id,
            DeliveryRow.subscription_id,
            DeliveryRow.event_type,
            DeliveryRow.body,
            DeliveryRow.attempts,
        )
        .execution_options(synchronize_session=False)
    )
    return [
        Claimed(r.id, r.subscription_id, r.event_type, r.body, r.attempts, token) for r in result
    ]


def release(session: Session, items: Sequence[Claimed]) -> None:
    """Give back claims that were not tried (the attempt does not count)."""
    for item in items:
        session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == item.id, DeliveryRow.claim_token == item.token)
            .values(claimed_until=None, claim_token=None, attempts=DeliveryRow.attempts - 1)
            .execution_options(synchronize_session=False)
        )


def settle(
    session: Session,
    item: Claimed,
    *,
    status: str,
    next_at: datetime | None,
    now: datetime,
    status_code: int | None,
    error: str,
) -> bool:
    """Record the outcome of a claimed attempt; ``False`` if the claim was lost."""
    values: dict[str, Any] = {
        "status": status,
        "claimed_until": None,
        "claim_token": None,
        "last_status_code": status_code,
        "last_error": error,
    }
    if status == PENDING:
        assert next_at is not None
        values["next_attempt_at"] = next_at
    else:
        values["finished_at"] = now
    result = session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.id == item.id, DeliveryRow.claim_token == item.token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def settle_delivered(
    session: Session, items: Sequence[Claimed], now: datetime, status_code: dict[str, int]
) -> set[str]:
    """Mark claimed deliveries delivered in one statement per status code; returns the ids
    that were still ours."""
    done: set[str] = set()
    by_code: dict[int, list[Claimed]] = {}
    for item in items:
        by_code.setdefault(status_code[item.id], []).append(item)
    for code, group in by_code.items():
        tokens = {i.token for i in group}
        result = session.execute(
            update(DeliveryRow)
            .where(
                DeliveryRow.id.in_([i.id for i in group]),
                DeliveryRow.claim_token.in_(tokens),
            )
            .values(
                status=DELIVERED,
                claimed_until=None,
                claim_token=None,
                last_status_code=code,
                last_error="",
                finished_at=now,
            )
            .returning(DeliveryRow.id)
            .execution_options(synchronize_session=False)
        )
        done |= set(result.scalars())
    return done


def add_attempts(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(AttemptRow), list(rows))


def fail_pending(session: Session, sub_id: str, now: datetime, reason: str) -> int:
    """Stop retrying every pending delivery of a subscription (it was disabled)."""
    result = session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.subscription_id == sub_id, DeliveryRow.status == PENDING)
        .values(status=FAILED, finished_at=now, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def requeue(
    session: Session,
    sub_id: str,
    now: datetime,
    *,
    ids: Sequence[str] | None = None,
    failed_since: datetime | None = None,
) -> list[str]:
    """Make deliveries pending again now (replay): the ones named, or every failed one
    created since ``failed_since``. Same ``webhook-id``; the attempt count goes on."""
    query = select(DeliveryRow.id).where(DeliveryRow.subscription_id == sub_id)
    if ids is not None:
        query = query.where(DeliveryRow.id.in_(list(ids)))
    if failed_since is not None:
        query = query.where(DeliveryRow.status == FAILED, DeliveryRow.created_at >= failed_since)
    found = list(session.scalars(query))
    if found:
        session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id.in_(found))
            .values(
                status=PENDING,
                next_attempt_at=now,
                claimed_until=None,
                claim_token=None,
                finished_at=None,
            )
            .execution_options(synchronize_session=False)
        )
    return found


def get_delivery(session: Session, sub: SubscriptionRow, delivery_id: str) -> DeliveryRow:
    row = session.get(DeliveryRow, delivery_id)
    if row is None or row.subscription_id != sub.id:
        raise NotFoundError("no such delivery", entity="delivery", id=delivery_id)
    return row


def list_deliveries(
    session: Session,
    sub_id: str,
    *,
    status: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[DeliveryRow]:
    query = select(DeliveryRow).where(DeliveryRow.subscription_id == sub_id)
    if status is not None:
        query = query.where(DeliveryRow.status == status)
    if since is not None:
        query = query.where(DeliveryRow.created_at >= since)
    query = query.order_by(DeliveryRow.created_at.desc(), DeliveryRow.id).limit(limit)
    return list(session.scalars(query))


def attempts_of(session: Session, delivery_ids: Sequence[str]) -> dict[str, list[AttemptRow]]:
    found: dict[str, list[AttemptRow]] = {i: [] for i in delivery_ids}
    if delivery_ids:
        rows = session.scalars(
            select(AttemptRow)
            .where(AttemptRow.delivery_id.in_(list(delivery_ids)))
            .order_by(AttemptRow.at, AttemptRow.attempt)
        )
        for row in rows:
            found[row.delivery_id].append(row)
    return found


def due_ids(session: Session, now: datetime, limit: int) -> list[str]:
    return list(
        session.scalars(
            select(DeliveryRow.id)
            .where(*_claimable(now))
            .order_by(DeliveryRow.next_attempt_at)
            .limit(limit)
        )
    )
