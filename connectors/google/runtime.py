"""``install_google(hub, registry, huey=None, mailer=None)``: the Google connector in one
process — the ``google`` outbox consumer and the ``google.notice`` emailer (broken
connections, refused moves) in the scheduler's registry, the busy source on the hub, and
(given the scheduler's Huey) the periodic fallback pull, the renewal of watch channels before
they expire, and the pull asked for by notifications.

Does nothing when Google is not configured (no client id or no encryption key). Nothing
connects here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from huey import Huey
from huey.api import TaskWrapper

from connectors.google import channels
from connectors.google.busy import GoogleBusySource
from connectors.google.calendar import PACE
from connectors.google.meet import MeetLinkGate, gated
from connectors.google.notices import GoogleNotice, Mailer
from connectors.google.pull import GooglePull
from connectors.google.push import GooglePush
from hub.process import Hub
from scheduler.backoff import KeyedBackoff
from scheduler.consumers import ConsumerRegistry

PULL_TASK = "google_pull"
PULL_ALL_TASK = "google_pull_all"
RENEW_TASK = "google_renew_channels"
RENEW_EVERY_MINUTES = 15


@dataclass
class GoogleConnector:
    push: GooglePush
    pull: GooglePull
    busy: GoogleBusySource
    address: str
    pull_task: TaskWrapper | None = None

    def renew_channels(self) -> int:
        """Replace the watch channels that expire within a day; returns how many."""
        return channels.renew_due(self.pull, self.address, self.pull.clock())

    def ask_pull(self, connection_id: str) -> None:
        """Pull one connection soon (through the queue when there is one)."""
        if self.pull_task is None:
            self.pull.sync(connection_id)
        else:
            self.pull_task(connection_id)


def configured(hub: Hub) -> bool:
    s = hub.settings
    return bool(s.google_client_id and s.google_client_secret and s.encryption_key)


def _always(_: datetime) -> bool:
    return True


def _quarter_hours(at: datetime) -> bool:
    return at.minute % RENEW_EVERY_MINUTES == 0


def install_google(
    hub: Hub,
    registry: ConsumerRegistry,
    *,
    huey: Huey | None = None,
    mailer: Mailer | None = None,
    backoff: KeyedBackoff | None = None,
) -> GoogleConnector | None:
    """``mailer`` sends the emails about broken connections and refused moves; ``backoff``
    paces the calls to Google (by default exponential with full jitter)."""
    if not configured(hub):
        return None
    busy = GoogleBusySource(hub.database)
    hub.busy_sources.append(busy)
    backoff = backoff or KeyedBackoff(PACE)  # one per process, shared by push and pull: one pace
    push = GooglePush(hub.database, hub.settings, backoff=backoff, clock=hub.now)
    pull = GooglePull(
        hub.database,
        hub.settings,
        clock=hub.now,
        core=hub.core,
        backoff=backoff,
    )
    registry.register_consumer(push.name, push.handles, push.deliver, prefetch=push.prefetch)
    notice = GoogleNotice(hub.database, hub.settings, mailer)
    registry.register_consumer(notice.name, notice.handles, notice.deliver)
    # The client's messages about a booking that gets a Meet link wait for the link (both
    # channels: they share the prepared message).
    gate = MeetLinkGate(hub.database)
    for name in ("email", "whatsapp"):
        if registry.get(name) is not None:
            registry.wrap_deliver(name, lambda deliver: gated(deliver, gate))
    connector = GoogleConnector(
        push, pull, busy, channels.notifications_address(hub.settings.base_url)
    )
    if huey is not None:

        def google_pull(connection_id: str) -> None:
            pull.sync(connection_id)

        def google_pull_all() -> None:
            pull.sync_all()

        def google_renew_channels() -> None:
            connector.renew_channels()

        connector.pull_task = huey.task(name=PULL_TASK)(google_pull)
        huey.periodic_task(_always, name=PULL_ALL_TASK)(google_pull_all)
        huey.periodic_task(_quarter_hours, name=RENEW_TASK)(google_renew_channels)
    return connector
