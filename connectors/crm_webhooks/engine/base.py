"""What every part of the webhook engine shares: its database, settings, clocks, sender and
batch configuration, the hooks that put work on the queue, and a subscription as an
endpoint to sign for.

Two clocks: ``now`` (an argument everywhere, defaulting to ``clock()``) decides what is due
and when to retry — tests pass it to "advance time" — while ``wall_clock`` stamps the
signature, which receivers check against their own clock.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from connectors.crm_webhooks.guard import UrlPolicy
from connectors.crm_webhooks.models import SubscriptionRow
from connectors.crm_webhooks.sender import Sender
from connectors.crm_webhooks.signing import SigningKeys
from hub.config import Settings
from hub.persistence.uow import SqlDatabase

Clock = Callable[[], datetime]
Enqueue = Callable[[Sequence[str]], None]

DISABLED_EVENT = "webhook.endpoint_disabled"
REPLAY_EVENT = "webhook.replay"


def wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    lease: timedelta = timedelta(seconds=60)
    # Deliveries claimed, signed and recorded together: one claim and one recording
    # transaction per batch; sends not started by half the lease are given back.
    batch_size: int = 100


@dataclass(slots=True)
class SendReport:
    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0
    disabled: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: str
    business_id: str
    url: str
    active: bool
    keys: SigningKeys


def endpoint_of(row: SubscriptionRow) -> Endpoint:
    keys = SigningKeys(row.secret, row.previous_secret, row.previous_secret_expires_at)
    return Endpoint(row.id, row.business_id, row.url, row.active, keys)


class WebhooksBase:
    """Fan-out and sending for one process (shared by its worker threads)."""

    def __init__(
        self,
        database: SqlDatabase,
        settings: Settings,
        *,
        clock: Clock = wall_clock,
        config: WebhookConfig | None = None,
        sender: Sender | None = None,
        rng: random.Random | None = None,
        signing_clock: Clock = wall_clock,
    ) -> None:
        self.database = database
        self.settings = settings
        self.clock = clock
        self.config = config or WebhookConfig()
        self.sender = sender or Sender(UrlPolicy.from_settings(settings))
        self.signing_clock = signing_clock
        self.enqueue: Enqueue | None = None
        self.enqueue_pump: Callable[[], None] | None = None
        self._pump_asked_at: float | None = None
        self._rng = rng or random.Random()

    def close(self) -> None:
        self.sender.close()
