"""Managing webhook subscriptions of one business: create (the secret is returned once),
change, delete, rotate the secret (the old one keeps signing for 24 h), replay deliveries.

Every function takes the business id and never touches another business's rows. Replays
write a ``webhook.replay`` outbox event in the same transaction, so the scheduler asks a
worker to send them as soon as the change is committed (and its sweep, if that is lost).

Not here: sending (``engine``), HTTP routes (``api``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from connectors.crm_webhooks import store
from connectors.crm_webhooks.engine.base import REPLAY_EVENT
from connectors.crm_webhooks.guard import UrlPolicy
from connectors.crm_webhooks.messages import EVENT_TYPES
from connectors.crm_webhooks.models import SubscriptionRow
from connectors.crm_webhooks.signing import ROTATION_OVERLAP, new_secret
from hub.config import Settings
from hub.domain.errors import ConflictError, ValidationError
from hub.domain.model import OutboxEvent
from hub.persistence.uow import SqlDatabase


@dataclass(frozen=True, slots=True)
class SubscriptionChange:
    """Fields to set; ``None`` leaves a field as it is."""

    url: str | None = None
    event_types: Sequence[str] | None = None
    description: str | None = None
    active: bool | None = None


def _event_types(types: Sequence[str]) -> list[str]:
    unknown = sorted(set(types) - set(EVENT_TYPES) - {"*"})
    if unknown:
        raise ValidationError(f"unknown event types: {', '.join(unknown)}", field="event_types")
    return [] if "*" in types else sorted(set(types))


def create(
    database: SqlDatabase,
    settings: Settings,
    business_id: str,
    change: SubscriptionChange,
    now: datetime,
) -> SubscriptionRow:
    if change.url is None:
        raise ValidationError("url is required", field="url")
    url = UrlPolicy.from_settings(settings).parse(change.url).url
    row = SubscriptionRow(
        id=str(uuid.uuid4()),
        business_id=business_id,
        url=url,
        event_types=_event_types(change.event_types or ()),
        description=change.description or "",
        active=True if change.active is None else change.active,
        secret=new_secret(),
        previous_secret=None,
        previous_secret_expires_at=None,
        failing_since=None,
        disabled_at=None,
        disabled_reason="",
        created_at=now,
        updated_at=now,
    )
    with database.sessions.begin() as session:
        session.add(row)
    return row


def get(database: SqlDatabase, business_id: str, sub_id: str) -> SubscriptionRow:
    with database.sessions() as session:
        return store.get_subscription(session, business_id, sub_id)


def list_all(database: SqlDatabase, business_id: str) -> list[SubscriptionRow]:
    with database.sessions() as session:
        return store.list_subscriptions(session, business_id)


def update(
    database: SqlDatabase,
    settings: Settings,
    business_id: str,
    sub_id: str,
    change: SubscriptionChange,
    *,
    now: datetime,
) -> SubscriptionRow:
    with database.sessions.begin() as session:
        row = store.get_subscription(session, business_id, sub_id)
        if change.url is not None:
            row.url = UrlPolicy.from_settings(settings).parse(change.url).url
        if change.event_types is not None:
            row.event_types = _event_types(change.event_types)
        if change.description is not None:
            row.description = change.description
        if change.active is not None and change.active != row.active:
            row.active = change.active
            if change.active:  # switched back on: a fresh start
                row.disabled_at = None
                row.disabled_reason = ""
                row.failing_since = None
        row.updated_at = now
    return row


def delete(database: SqlDatabase, business_id: str, sub_id: str) -> SubscriptionRow:
    with database.sessions.begin() as session:
        row = store.get_subscription(session, business_id, sub_id)
        store.delete_subscription(session, row)
    return row


def rotate_secret(
    database: SqlDatabase, business_id: str, sub_id: str, now: datetime
) -> SubscriptionRow:
    """A new secret; the current one keeps signing alongside it for 24 hours."""
    with database.sessions.begin() as session:
        row = store.get_subscription(session, business_id, sub_id)
        row.previous_secret = row.secret
        row.previous_secret_expires_at = now + ROTATION_OVERLAP
        row.secret = new_secret()
        row.updated_at = now
    return row


def replay(
    database: SqlDatabase,
    business_id: str,
    sub_id: str,
    now: datetime,
    *,
    delivery_ids: Sequence[str] | None = None,
    failed_since: datetime | None = None,
) -> list[str]:
    """Send deliveries again with their own ``webhook-id``: the ones named (whatever their
    status), or every failed one created since ``failed_since``."""
    with database.unit_of_work() as uow:
        sub = store.get_subscription(uow.session, business_id, sub_id)
        if not sub.active:
            raise ConflictError("the webhook is disabled; enable it before replaying", id=sub_id)
        if delivery_ids is not None:
            for delivery_id in delivery_ids:
                store.get_delivery(uow.session, sub, delivery_id)
        ids = store.requeue(uow.session, sub.id, now, ids=delivery_ids, failed_since=failed_since)
        if ids:
            uow.outbox.add(
                OutboxEvent(
                    business_id=business_id,
                    type=REPLAY_EVENT,
                    aggregate_id=sub.id,
                    payload={"webhook_id": sub.id, "delivery_ids": ids},
                    created_at=now,
                )
            )
        uow.commit()
    return ids
