"""An endpoint's health: the failures of a batch mark when it started failing (a success
clears it), and an endpoint failing every attempt for a day is disabled, its pending
deliveries given up, and its business admin told (``webhook.endpoint_disabled``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from connectors.crm_webhooks import store
from connectors.crm_webhooks.engine.base import DISABLED_EVENT, WebhooksBase
from connectors.crm_webhooks.models import SubscriptionRow
from connectors.crm_webhooks.retries import should_disable
from hub.domain.model import OutboxEvent


class WebhooksHealth(WebhooksBase):
    def _health(self, uow: Any, ok: set[str], failing: set[str], now: datetime) -> list[str]:
        session = uow.session
        if ok:
            session.execute(
                update(SubscriptionRow)
                .where(SubscriptionRow.id.in_(ok), SubscriptionRow.failing_since.is_not(None))
                .values(failing_since=None)
                .execution_options(synchronize_session=False)
            )
        if not failing:
            return []
        session.execute(
            update(SubscriptionRow)
            .where(SubscriptionRow.id.in_(failing), SubscriptionRow.failing_since.is_(None))
            .values(failing_since=now)
            .execution_options(synchronize_session=False)
        )
        return self._disable_failing(uow, failing, now)

    def _disable_failing(self, uow: Any, ids: set[str] | None, now: datetime) -> list[str]:
        """Switch off the active endpoints (of ``ids``, or all) failing for a day."""
        query = select(SubscriptionRow).where(
            SubscriptionRow.active.is_(True), SubscriptionRow.failing_since.is_not(None)
        )
        if ids is not None:
            query = query.where(SubscriptionRow.id.in_(ids))
        disabled = []
        for sub in uow.session.scalars(query):
            if not should_disable(sub.failing_since, now):
                continue
            reason = "every delivery failed for 24 hours"
            sub.active = False
            sub.disabled_at = now
            sub.disabled_reason = reason
            sub.updated_at = now
            store.fail_pending(uow.session, sub.id, now, f"not retried: {reason}")
            uow.outbox.add(
                OutboxEvent(
                    business_id=sub.business_id,
                    type=DISABLED_EVENT,
                    aggregate_id=sub.id,
                    payload={"webhook_id": sub.id, "url": sub.url, "reason": reason},
                    created_at=now,
                )
            )
            disabled.append(sub.id)
        return disabled
