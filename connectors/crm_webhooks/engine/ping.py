"""A test ``ping`` to one subscription, sent at once (one attempt, never retried)."""

from __future__ import annotations

from datetime import datetime

from connectors.crm_webhooks import store
from connectors.crm_webhooks.engine.send import WebhooksSend
from connectors.crm_webhooks.messages import PING, encode
from connectors.crm_webhooks.signing import new_message_id


class WebhooksPing(WebhooksSend):
    def ping(self, business_id: str, sub_id: str, now: datetime | None = None) -> str:
        """Send a ``ping`` to a subscription at once (one attempt); returns its delivery id."""
        now = now or self.clock()
        message_id = new_message_id()
        with self.database.sessions.begin() as session:
            sub = store.get_subscription(session, business_id, sub_id)
            body = encode(PING, now, {"webhook_id": sub.id, "business_id": business_id})
            row = store.new_delivery(sub, message_id, (message_id, PING), body, now)
            store.create_deliveries(session, [row])
        self.send([message_id], now=now)
        return message_id
