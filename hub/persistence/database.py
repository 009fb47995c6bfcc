"""Engines and session factories built from a database URL; SQLite made safe for writers.

SQLite: WAL (readers never wait for the writer), a busy timeout (writers wait for each other
instead of failing), foreign keys on, and every transaction opened with ``BEGIN IMMEDIATE`` so
that writers serialise *before* they read what they check — the check then still holds at
commit (DESIGN §3.2). PostgreSQL needs none of this: the resource row lock and the exclusion
constraint do that job there. Nothing here connects until a session is used.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000


def create_engine_for(database_url: str, **kwargs: Any) -> Engine:
    """An engine for ``database_url`` (``sqlite:///file.db`` or
    ``postgresql+psycopg://…``), with the SQLite pragmas and hooks set up."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        if url.database not in (None, "", ":memory:"):
            # Many threads (the embedded server, the Huey consumer, tests) share the file.
            kwargs.setdefault("pool_size", 20)
            kwargs.setdefault("max_overflow", 40)
        engine = create_engine(url, **kwargs)
        _prepare_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # A web process serves many requests at once, and the embedded consumer adds threads:
    # SQLAlchemy's default 5 + 10 made concurrent bookings wait and time out.
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_timeout", 10)
    return create_engine(url, **kwargs)


def _prepare_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN, instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
