"""SQL of the webhooks connector: subscriptions scoped by business, deliveries created once
per (subscription, event) on the one leased delivery queue (``scheduler.delivery_queue``,
over the ``webhook_deliveries`` table), and the attempt log.

Not here: HTTP, signing, retry timing (``scheduler.backoff``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, delete, insert, select, update
from sqlalchemy.orm import Session

from connectors.crm_webhooks.models import AttemptRow, DeliveryRow, SubscriptionRow
from hub.domain.errors import NotFoundError
from scheduler.delivery_queue import FAILED, PENDING, DeliveryQueue

DELIVERED = "delivered"
QUEUE = DeliveryQueue(cast(Table, DeliveryRow.__table__), done=DELIVERED)

__all__ = ["DELIVERED", "FAILED", "PENDING", "QUEUE"]


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
    QUEUE.add(session, rows)


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

    @property
    def held(self) -> tuple[str, str]:
        return (self.id, self.token)


_CLAIMED = ("id", "subscription_id", "event_type", "body", "attempts")


def claim(
    session: Session,
    ids: Sequence[str] | None,
    now: datetime,
    lease: timedelta,
    limit: int,
) -> list[Claimed]:
    """Take up to ``limit`` due deliveries nobody holds (among ``ids``, or the most overdue
    ones); counts the attempt (caller commits)."""
    got = QUEUE.claim(session, now, lease, columns=_CLAIMED, ids=ids, limit=limit)
    return [
        Claimed(r.id, r.subscription_id, r.event_type, r.body, r.attempts, got.token)
        for r in got.rows
    ]


def release(session: Session, items: Sequence[Claimed]) -> None:
    """Give back claims that were not tried (the attempt does not count)."""
    QUEUE.release(session, [item.held for item in items])


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
    """Record the outcome of a failed attempt: pending again at ``next_at``, or ``failed``;
    ``False`` if the claim was lost."""
    retry_at = next_at if status == PENDING else None
    if status == PENDING:
        assert next_at is not None
    return QUEUE.fail(
        session, item.held, now=now, error=error, retry_at=retry_at, last_status_code=status_code
    )


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
        done |= QUEUE.complete(session, [i.held for i in group], now, last_status_code=code)
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
    where: list[ColumnElement[bool]] = [DeliveryRow.subscription_id == sub_id]
    if ids is not None:
        where.append(DeliveryRow.id.in_(list(ids)))
    if failed_since is not None:
        where += [DeliveryRow.status == FAILED, DeliveryRow.created_at >= failed_since]
    return QUEUE.retry(session, where, now, reset_attempts=False)


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
    return QUEUE.due(session, now, limit)
