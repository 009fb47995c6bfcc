"""Fixtures shared by the whole suite: real PostgreSQL and Redis on loopback, SQLite files,
and Chromium (``browser``, skipping with the reason when absent).

PostgreSQL and Redis tests skip when those servers are not reachable, unless
``TURNERO_REQUIRE_SERVICES=1`` (CI), where they fail instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REQUIRE_SERVICES = os.environ.get("TURNERO_REQUIRE_SERVICES") == "1"
POSTGRES_URL = os.environ.get(
    "TURNERO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TURNERO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url.replace("+psycopg", ""))
    host = parsed.hostname or "127.0.0.1"
    port = parsed.port or default_port
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _missing(what: str) -> None:
    message = f"{what} is not reachable"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} and TURNERO_REQUIRE_SERVICES=1")
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    if not _reachable(POSTGRES_URL, 5432):
        _missing("PostgreSQL")
    return POSTGRES_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    if not _reachable(REDIS_URL, 6379):
        _missing("Redis")
    return REDIS_URL


def _admin_execute(server_url: str, statement: str) -> None:
    import psycopg

    dsn = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def postgres_template(postgres_server_url: str) -> Iterator[str]:
    """A database migrated once per test session (so the migrations run for real), that
    every test's own database is copied from."""
    from hub.persistence.migrate import migrate

    name = f"turnero_tpl_{uuid.uuid4().hex[:12]}"
    _admin_execute(postgres_server_url, f'CREATE DATABASE "{name}"')
    base = postgres_server_url.rsplit("/", 1)[0]
    try:
        migrate(f"{base}/{name}")
        yield name
    finally:
        _admin_execute(postgres_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_postgres_url(postgres_server_url: str, postgres_template: str) -> Iterator[str]:
    """A PostgreSQL database of its own, already migrated to the latest schema (calling
    ``migrate`` on it again is a no-op), dropped afterwards — so parallel runs and tests
    never see each other's rows."""
    name = f"turnero_t_{uuid.uuid4().hex[:12]}"
    _admin_execute(postgres_server_url, f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"')
    base = postgres_server_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        _admin_execute(postgres_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per test session, copied for every test."""
    from hub.persistence.migrate import migrate

    path = tmp_path_factory.mktemp("schema") / "template.db"
    migrate(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:  # fold the WAL into the file, so one file is all
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    return path


def _copy_sqlite(template: Path, tmp_path: Path) -> str:
    target = tmp_path / "turnero.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A SQLite database of its own, already migrated (``migrate`` on it is a no-op)."""
    return _copy_sqlite(sqlite_template, tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of its own on each backend in turn, already migrated."""
    if request.param == "sqlite":
        return _copy_sqlite(request.getfixturevalue("sqlite_template"), tmp_path)
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium through Playwright, one per test module (``tests.support.browser``)."""
    from tests.support.browser import launch

    yield from launch()
