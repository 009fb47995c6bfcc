"""``install_webhooks``: the webhooks connector in one process — its two consumers in the
scheduler's registry and its tasks on the scheduler's Huey instance.

Why its own tasks: the scheduler keeps one delivery record per (event, consumer), while a
webhook needs one per (event, subscription) with its own retry table (5 s … 10 h) and log.
So the ``webhooks`` consumer only fans an event out into this connector's deliveries (an
idempotent insert, safe to retry) and queues a ``webhooks_pump``; the periodic
``webhooks_retry`` sends whatever is due (retries, and anything a killed worker left
behind once its lease ran out). Fresh deliveries are sent by ``webhooks_pump`` tasks, each
claiming a batch of whatever is due and asking for one more while batches come back full.

Call it after the scheduler's ``install`` with ``work.huey`` and ``work.registry``, in every
process (web processes only enqueue). Nothing connects here.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from huey import Huey
from huey.api import TaskWrapper

from connectors.crm_webhooks.admin import AdminNotice, Mailer
from connectors.crm_webhooks.engine import Webhooks
from connectors.crm_webhooks.engine.base import REPLAY_EVENT, WebhookConfig
from connectors.crm_webhooks.messages import EVENT_TYPES
from hub.domain.model import OutboxEvent
from hub.process import Hub
from scheduler.consumers import ConsumerRegistry, DeliveryContext, LogEntry

CONSUMER = "webhooks"
SEND_TASK = "webhooks_send"
PUMP_TASK = "webhooks_pump"
RETRY_TASK = "webhooks_retry"


@dataclass(frozen=True, slots=True)
class WebhookTasks:
    send: TaskWrapper
    pump: TaskWrapper
    retry: TaskWrapper


def _always(_: datetime) -> bool:
    return True


def register_webhook_tasks(huey: Huey, webhooks: Webhooks) -> WebhookTasks:
    """Register the send and periodic retry tasks of ``webhooks`` on ``huey``."""

    def webhooks_send(delivery_ids: list[str]) -> None:
        webhooks.send(delivery_ids)

    def webhooks_pump() -> None:
        webhooks.pump()

    def webhooks_retry() -> None:
        webhooks.drain()

    return WebhookTasks(
        send=huey.task(name=SEND_TASK)(webhooks_send),
        pump=huey.task(name=PUMP_TASK)(webhooks_pump),
        retry=huey.periodic_task(_always, name=RETRY_TASK)(webhooks_retry),
    )


class FanOut:
    """The scheduler consumer: booking (and payment) events become deliveries; replay
    requests written by the API become sends.

    The scheduler hands a claimed batch to ``prefetch`` first: its events are fanned out in
    one transaction, and ``deliver`` then only confirms each one was (an event whose batch
    fan-out failed is fanned out on its own)."""

    KEEP_SECONDS = 60.0

    def __init__(self, webhooks: Webhooks) -> None:
        self.webhooks = webhooks
        self._lock = threading.Lock()
        self._done: OrderedDict[str, float] = OrderedDict()

    def handles(self, event: OutboxEvent) -> bool:
        return event.type in EVENT_TYPES or event.type == REPLAY_EVENT

    def prefetch(self, events: Sequence[OutboxEvent], now: datetime) -> None:
        batch = [e for e in events if e.type in EVENT_TYPES]
        if not batch:
            return
        self.webhooks.fan_out(batch)  # committed before any of them is marked delivered
        at = time.monotonic()
        with self._lock:
            self._done.update((e.id, at) for e in batch)
            while len(self._done) > 4096:
                self._done.popitem(last=False)

    def _fanned_out(self, event_id: str) -> bool:
        with self._lock:
            at = self._done.pop(event_id, None)
        return at is not None and time.monotonic() - at < self.KEEP_SECONDS

    def deliver(self, event: OutboxEvent, ctx: DeliveryContext) -> Sequence[LogEntry]:
        if event.type == REPLAY_EVENT:
            self.webhooks.ask_send([str(i) for i in event.payload.get("delivery_ids", [])])
        elif not self._fanned_out(event.id):
            self.webhooks.fan_out([event])
        return []


def install_webhooks(
    hub: Hub,
    huey: Huey,
    registry: ConsumerRegistry,
    *,
    mailer: Mailer | None = None,
    config: WebhookConfig | None = None,
    **options: Any,
) -> Webhooks:
    """Wire webhooks into one process; ``mailer`` sends the "endpoint disabled" email."""
    webhooks = Webhooks(hub.database, hub.settings, clock=hub.now, config=config, **options)
    tasks = register_webhook_tasks(huey, webhooks)

    def enqueue(ids: Sequence[str]) -> None:
        tasks.send(list(ids))

    def enqueue_pump() -> None:
        tasks.pump()

    webhooks.enqueue = enqueue
    webhooks.enqueue_pump = enqueue_pump
    fan_out = FanOut(webhooks)
    registry.register_consumer(
        CONSUMER, fan_out.handles, fan_out.deliver, prefetch=fan_out.prefetch
    )
    notice = AdminNotice(hub.database, hub.settings, mailer)
    registry.register_consumer(notice.name, notice.handles, notice.deliver)
    return webhooks
