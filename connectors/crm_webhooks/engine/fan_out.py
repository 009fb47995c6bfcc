"""Fan-out: an outbox event becomes one delivery per active subscription that wants it, then
a pump (or, with no queue, this very thread) sends them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from connectors.crm_webhooks import store
from connectors.crm_webhooks.engine.base import SendReport
from connectors.crm_webhooks.engine.send import WebhooksSend
from connectors.crm_webhooks.messages import EVENT_TYPES, encode, event_data, wants
from hub.domain.model import Business, OutboxEvent


class WebhooksFanOut(WebhooksSend):
    def fan_out(self, events: Sequence[OutboxEvent], now: datetime | None = None) -> list[str]:
        """Make sure each event has a delivery per active subscription that wants it (run
        twice, it creates nothing new) and ask for them to be sent; returns their ids."""
        now = now or self.clock()
        rows: list[dict[str, Any]] = []
        businesses: dict[str, Business | None] = {}
        with self.database.unit_of_work() as uow:
            for event in events:
                if event.type not in EVENT_TYPES:
                    continue
                subs = [
                    s
                    for s in store.listening(uow.session, event.business_id)
                    if wants(s.event_types, event.type)
                ]
                if not subs:
                    continue
                data = event_data(uow, event, self.settings.base_url, businesses)
                body = encode(event.type, event.created_at, data)
                rows += [
                    store.new_delivery(
                        s, store.delivery_id(s.id, event.id), (event.id, event.type), body, now
                    )
                    for s in subs
                ]
            store.create_deliveries(uow.session, rows)
            uow.commit()
        ids = [str(r["id"]) for r in rows]
        if ids:
            self.ask_pump()
        return ids

    def ask_pump(self) -> None:
        """Ask for a ``pump`` unless one was asked for and has not started yet (fan-outs of
        many events then share one batch instead of a task each). A request older than a
        second is asked again: the pump may have run in another process."""
        if self.enqueue_pump is None:
            self.drain()
            return
        asked = self._pump_asked_at
        if asked is None or time.monotonic() - asked > 1.0:
            self._pump_asked_at = time.monotonic()
            self.enqueue_pump()

    def pump(self) -> SendReport:
        """Send one batch of whatever is due; when the batch was full, ask for another pump
        first, so idle workers join in while this one sends."""
        self._pump_asked_at = None
        report = self.send(None, after_claim=self._more if self.enqueue_pump else None)
        return report

    def _more(self, claimed: int) -> None:
        if claimed >= self.config.batch_size and self.enqueue_pump is not None:
            self._pump_asked_at = time.monotonic()
            self.enqueue_pump()

    def ask_send(self, ids: Sequence[str]) -> None:
        """Send these deliveries soon: through the queue when installed, else right here."""
        if not ids:
            return
        size = self.config.batch_size
        for start in range(0, len(ids), size):
            batch = list(ids[start : start + size])
            if self.enqueue is not None:
                self.enqueue(batch)
            else:
                self.send(batch)
