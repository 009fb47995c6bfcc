"""``install_google(hub, registry, huey=None)``: the Google connector in one process — the
``google`` outbox consumer in the scheduler's registry, the busy source on the hub, and (given
the scheduler's Huey) the periodic fallback pull and the pull asked for by notifications.

Does nothing when Google is not configured (no client id or no encryption key). Nothing
connects here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from huey import Huey
from huey.api import TaskWrapper

from connectors.google.busy import GoogleBusySource
from connectors.google.pull import GooglePull
from connectors.google.push import GooglePush
from hub.bootstrap import Hub
from scheduler.consumers import ConsumerRegistry

PULL_TASK = "google_pull"
PULL_ALL_TASK = "google_pull_all"


@dataclass
class GoogleConnector:
    push: GooglePush
    pull: GooglePull
    busy: GoogleBusySource
    pull_task: TaskWrapper | None = None

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


def install_google(
    hub: Hub, registry: ConsumerRegistry, *, huey: Huey | None = None
) -> GoogleConnector | None:
    if not configured(hub):
        return None
    busy = GoogleBusySource(hub.database)
    hub.busy_sources.append(busy)
    push = GooglePush(hub.database, hub.settings)
    pull = GooglePull(hub.database, hub.settings, clock=hub.now, busy_sources=hub.busy_sources)
    registry.register_consumer(push.name, push.handles, push.deliver)
    connector = GoogleConnector(push, pull, busy)
    if huey is not None:

        def google_pull(connection_id: str) -> None:
            pull.sync(connection_id)

        def google_pull_all() -> None:
            pull.sync_all()

        connector.pull_task = huey.task(name=PULL_TASK)(google_pull)
        huey.periodic_task(_always, name=PULL_ALL_TASK)(google_pull_all)
    return connector
