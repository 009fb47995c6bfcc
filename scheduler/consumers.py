"""Who hears about outbox events: a small registry of named consumers.

A consumer is a name, a predicate saying which events it handles, and a function that carries
one event out (send an email, push to Google, post a webhook). The dispatcher gives every
(event, consumer) pair its own delivery record, so a consumer that fails is retried on its
own and never holds up the others. The composition root registers them (``hub.wiring``:
email and WhatsApp from ``connectors.notify.consumers``, Google, webhooks, payments); the
scheduler never imports a connector.

``deliver`` either returns (done: the entries it gives are written to the booking's
notification log in the same transaction that marks the delivery done), raises
``PermanentDeliveryError`` (never retried: a 4xx, an address that cannot work), or raises
anything else (retried with backoff until the configured give-up time). It must be safe to
call again for the same event after a crash: use the event id as idempotency key.

Not here: claiming, retrying, scheduling (``scheduler.dispatcher``).
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hub.domain.model import OutboxEvent

log = logging.getLogger(__name__)

CONSUMER_NAME = re.compile(r"[a-z][a-z0-9_.-]{0,63}")


class LogStatus(enum.StrEnum):
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    # Reported later by the provider about a message sent (WhatsApp status webhooks).
    DELIVERED = "delivered"
    READ = "read"


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One line of a booking's notification log, as the operator reads it."""

    channel: str  # email | whatsapp | google | webhook …
    kind: str  # confirmed | reminder | …
    status: LogStatus
    recipient: str = ""
    error: str = ""
    provider_id: str = ""  # the provider's message id, when it gave one (WhatsApp wamid)


@dataclass(frozen=True, slots=True)
class DeliveryContext:
    """What a consumer is told about the attempt it runs.

    ``record`` writes one notification-log entry at once (its own transaction): a consumer
    that reaches several recipients records each as it goes, and on a later attempt asks
    ``sent_before(channel)`` which recipients an earlier attempt already reached."""

    delivery_id: str
    consumer: str
    attempt: int  # 1 for the first try
    now: datetime
    record: Callable[[LogEntry], None]
    sent_before: Callable[[str], frozenset[str]]


Handles = Callable[[OutboxEvent], bool]
Deliver = Callable[[OutboxEvent, DeliveryContext], Sequence[LogEntry] | None]
Prefetch = Callable[[Sequence[OutboxEvent], datetime], None]


class PermanentDeliveryError(Exception):
    """This delivery can never succeed (refused recipient, 4xx): record it, do not retry."""

    def __init__(self, message: str, log: Sequence[LogEntry] = ()) -> None:
        super().__init__(message)
        self.log = tuple(log)


class RetryableDeliveryError(Exception):
    """This attempt failed but another may work; ``log`` is written only on giving up."""

    def __init__(self, message: str, log: Sequence[LogEntry] = ()) -> None:
        super().__init__(message)
        self.log = tuple(log)


@dataclass(frozen=True, slots=True)
class Consumer:
    """``prefetch``, when given, is told the events of a batch before ``deliver`` is called
    for each of them, so it can load what they need in a few queries instead of a few per
    event. It is a hint: ``deliver`` must work without it, and an error in it is logged and
    ignored."""

    name: str
    handles: Handles
    deliver: Deliver
    prefetch: Prefetch | None = None


@dataclass(slots=True)
class ConsumerRegistry:
    """The consumers of one running hub (built by bootstrap, not a module global)."""

    _consumers: dict[str, Consumer] = field(default_factory=dict)

    def register_consumer(
        self,
        name: str,
        handles: Handles,
        deliver: Deliver,
        *,
        prefetch: Prefetch | None = None,
    ) -> Consumer:
        if not CONSUMER_NAME.fullmatch(name):
            raise ValueError(f"consumer names are short lowercase words, not {name!r}")
        if name in self._consumers:
            raise ValueError(f"a consumer named {name!r} is already registered")
        consumer = Consumer(name, handles, deliver, prefetch)
        self._consumers[name] = consumer
        return consumer

    def wrap_deliver(self, name: str, wrap: Callable[[Deliver], Deliver]) -> None:
        """Put ``wrap(deliver)`` in place of the ``deliver`` of consumer ``name`` (e.g. to
        hold its messages until another consumer did its part); the rest is kept."""
        consumer = self._consumers[name]
        self._consumers[name] = Consumer(
            consumer.name, consumer.handles, wrap(consumer.deliver), consumer.prefetch
        )

    def get(self, name: str) -> Consumer | None:
        return self._consumers.get(name)

    def handling(self, event: OutboxEvent) -> list[Consumer]:
        """The consumers that want ``event``, in registration order. A predicate that
        raises counts as "no" (logged): it must not keep the event from the others."""
        wanted = []
        for consumer in self._consumers.values():
            try:
                if consumer.handles(event):
                    wanted.append(consumer)
            except Exception:
                log.exception("consumer %s could not tell about event %s", consumer.name, event.id)
        return wanted

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._consumers)


# What the scheduler is handed to add consumers to its registry (the port it knows them by).
Installer = Callable[[ConsumerRegistry], None]
