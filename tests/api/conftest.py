"""The real app served by uvicorn on a free loopback port, over a migrated database.

Reusable by every package's tests: ``live_hub`` (SQLite and PostgreSQL, through the shared
``database_url`` fixture) gives a ``LiveHub`` with ``base_url``, the ``hub`` behind it, and
helpers that set up a business with an API key through the real use cases.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from hub.api.ratelimit import Rate
from hub.app import create_app
from hub.bootstrap import Hub, build_hub
from hub.config import Settings
from hub.persistence.migrate import migrate
from tests.api.tenants import Tenant, create_tenant


class ServedApp:
    """An ASGI app under uvicorn in a background thread, on 127.0.0.1 and a free port."""

    def __init__(self, sock: socket.socket, app: object) -> None:
        self._sock = sock
        self.port: int = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)  # type: ignore[arg-type]
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()


class TravelClock:
    """The real time plus an offset that tests may move forward (``live_hub.travel``)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class LiveHub:
    """The hub served for real. ``client()`` talks to it over HTTP."""

    base_url: str
    hub: Hub
    database_url: str
    clock: TravelClock

    def travel(self, delta: timedelta) -> None:
        """Move the served hub's clock forward by ``delta``."""
        self.clock.offset += delta

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
) -> tuple[LiveHub, ServedApp]:
    """Migrate ``database_url`` and serve a hub on it; stop the returned server when done."""
    if migrate_first:
        migrate(database_url)
    # Mail the app sends (staff invitations) goes to a folder of its own, not the cwd's.
    settings.setdefault("mail_dir", Path(tempfile.mkdtemp(prefix="turnero-mail-")))
    # With the protocol given, asyncio sets TCP_NODELAY on every accepted connection (it
    # checks ``sock.proto``); without it each answer waits out the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    clock = TravelClock()
    hub = build_hub(
        Settings(database_url=database_url, base_url=base_url, **settings),
        clock=clock,
        public_write_rate=public_write_rate or Rate(1000, 1000.0),
    )
    served = ServedApp(sock, create_app(hub))
    served.start()
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
