"""The real app served by uvicorn on a free loopback port, over a migrated database.

Reusable by every package's tests: ``live_hub`` (SQLite and PostgreSQL, through the shared
``database_url`` fixture) gives a ``LiveHub`` with ``base_url``, the ``hub`` behind it, and
helpers that set up a business with an API key through the real use cases.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.api.ratelimit import Rate
from hub.app import create_app
from hub.bootstrap import Hub, build_hub
from hub.config import Settings
from hub.persistence.migrate import migrate
from tests.api.tenants import Tenant, create_tenant
from tests.support.clock import Clock
from tests.support.live import LiveServer


@dataclass
class LiveHub:
    """The hub served for real. ``client()`` talks to it over HTTP."""

    base_url: str
    hub: Hub
    database_url: str
    clock: Clock

    def travel(self, delta: timedelta) -> None:
        """Move the served hub's clock forward by ``delta``."""
        self.clock.travel(delta)

    def client(self, api_key: str | None = None, **kwargs: object) -> httpx.Client:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30, **kwargs)  # type: ignore[arg-type]

    def tenant(
        self, slug: str | None = None, *, timezone: str = "America/Argentina/Buenos_Aires"
    ) -> Tenant:
        """A business with a branch, two people in a group, a 30-minute service on that group
        (open every day 9:00-18:00), and an API key — made through the real use cases."""
        return create_tenant(self, slug=slug, timezone=timezone)

    def now(self) -> datetime:
        return self.hub.now()


def serve_hub(
    database_url: str,
    *,
    public_write_rate: Rate | None = None,
    migrate_first: bool = True,
    **settings: Any,
) -> tuple[LiveHub, LiveServer]:
    """Migrate ``database_url`` and serve a hub on it; stop the returned server when done."""
    if migrate_first:
        migrate(database_url)
    # Mail the app sends (staff invitations) goes to a folder of its own, not the cwd's.
    settings.setdefault("mail_dir", Path(tempfile.mkdtemp(prefix="turnero-mail-")))
    served = LiveServer()
    base_url = served.base_url
    clock = Clock()
    hub = build_hub(
        Settings(database_url=database_url, base_url=base_url, **settings),
        clock=clock,
        public_write_rate=public_write_rate or Rate(1000, 1000.0),
    )
    served.start(create_app(hub))
    return LiveHub(served.base_url, hub, database_url, clock), served


@pytest.fixture
def live_hub(database_url: str) -> Iterator[LiveHub]:
    """The app under uvicorn on a migrated SQLite, then PostgreSQL, database. Public writes
    are not rate limited here (tests that check the limit build their own hub)."""
    live, served = serve_hub(database_url)
    try:
        yield live
    finally:
        served.stop()
        live.hub.close()


@pytest.fixture
def live_sqlite_hub(sqlite_url: str) -> Iterator[LiveHub]:
    """Like ``live_hub``, on SQLite only (for slow tests that need not run twice)."""
    live, served = serve_hub(sqlite_url)
    try:
        yield live
    finally:
        served.stop()
        live.hub.close()
