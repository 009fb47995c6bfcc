"""Fixtures for the page tests: a migrated hub with a settable clock, a car wash set up
through the use cases, and the pages' ASGI app (``/book`` and ``/console``) under test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from booking_pages.routing import mounts
from hub.api.ratelimit import Rate
from hub.bootstrap import Hub, build_hub
from hub.config import Settings
from hub.persistence.migrate import migrate
from tests.pages.shop import Shop, create_shop
from tests.support.clock import Clock
from tests.support.live import LiveServer


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_hub(
    database_url: str,
    clock: Clock,
    *,
    base_url: str,
    rate: Rate | None = None,
    data_dir: Path | None = None,
) -> Hub:
    """A hub for the pages; its task queue and mail folder live in ``data_dir`` when given."""
    folder = data_dir or Path()
    settings = Settings(
        data_dir=folder,
        database_url=database_url,
        base_url=base_url,
        secret_key="pages-test-secret",
        mail_dir=folder / "outbox-mail",
    )
    return build_hub(settings, clock=clock, public_write_rate=rate)


@pytest.fixture
def served() -> Iterator[LiveServer]:
    server = LiveServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating takes longer than a test)."""
    path = tmp_path_factory.mktemp("template") / "turnero.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_file(migrated_sqlite: Path, tmp_path: Path) -> str:
    target = tmp_path / "turnero.db"
    shutil.copyfile(migrated_sqlite, target)
    return f"sqlite:///{target}"


@pytest.fixture
def hub(database_file: str, clock: Clock, served: LiveServer, tmp_path: Path) -> Iterator[Hub]:
    built = make_hub(database_file, clock, base_url=served.base_url, data_dir=tmp_path)
    served.start(pages_app(built))
    yield built
    built.close()


@pytest.fixture
def shop(hub: Hub) -> Shop:
    return create_shop(hub)


@pytest.fixture
def staffed_shop(hub: Hub) -> Shop:
    """The shop with its admin and an employee linked to the first washer."""
    return create_shop(hub, staff=True, employee=True)


def pages_app(hub: Hub) -> Starlette:
    return Starlette(routes=mounts(hub))


@pytest.fixture
def client(hub: Hub, served: LiveServer) -> Iterator[httpx.Client]:
    """A browser-like HTTP client (keeps cookies, does not follow redirects)."""
    with httpx.Client(base_url=served.base_url, timeout=30) as http:
        yield http
