"""The change-log triggers come with the migrations: a database migrated before the rename
and branch-block triggers existed gets them from caldav_0002, and stepping back removes
exactly those."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine

from caldav_server.schema import missing_triggers, trigger_tables
from hub.persistence.migrate import alembic_config, migrate

ADDED = {"caldav_customers_upd", "caldav_services_upd", "caldav_branch_blocks_ins"}


def _missing(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return set(missing_triggers(connection))
    finally:
        engine.dispose()


def test_caldav_0002_brings_the_triggers_up_to_date(database_url: str) -> None:
    migrate(database_url)
    assert _missing(database_url) == set()

    command.downgrade(alembic_config(database_url), "caldav_0001")
    missing = _missing(database_url)
    assert missing >= ADDED
    assert "caldav_bookings_ins" not in missing  # caldav_0001's own stay

    command.upgrade(alembic_config(database_url), "heads")
    assert _missing(database_url) == set()
    assert len(trigger_tables()) >= 15
