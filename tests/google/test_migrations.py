"""google_0002 adds the kept access token and the browser binding of OAuth states, and
stepping back removes exactly those, on both backends."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from hub.persistence.migrate import alembic_config, migrate


def _columns(database_url: str, table: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return {c["name"] for c in inspect(connection).get_columns(table)}
    finally:
        engine.dispose()


def test_google_0002_up_and_down(database_url: str) -> None:
    migrate(database_url)
    assert {"access_token", "access_expires_at"} <= _columns(database_url, "google_connections")
    assert "browser_hash" in _columns(database_url, "google_auth_states")

    command.downgrade(alembic_config(database_url), "google_0001")
    connections = _columns(database_url, "google_connections")
    assert not {"access_token", "access_expires_at"} & connections
    assert "refresh_token" in connections
    assert "browser_hash" not in _columns(database_url, "google_auth_states")

    command.upgrade(alembic_config(database_url), "heads")
    assert "browser_hash" in _columns(database_url, "google_auth_states")
