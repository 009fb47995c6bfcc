"""The schema the migrations build: what the ORM expects, on both backends; and on
PostgreSQL, an exclusion constraint that refuses overlapping bookings even in raw SQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from hub.persistence.database import create_engine_for
from hub.persistence.migrate import migrate
from hub.persistence.models import Base


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    migrate(database_url)
    migrate(database_url)  # running it again is a no-op
    engine = create_engine_for(database_url)
    yield engine
    engine.dispose()


def test_migrations_build_what_the_models_describe(engine: Engine) -> None:
    ours = set(Base.metadata.tables)

    def include(obj: object, name: str | None, kind: str, reflected: bool, other: object) -> bool:
        # Other parts of the product add their own tables in their own revisions. The
        # outbox's seq is NOT NULL identity on PostgreSQL, trigger-filled on SQLite.
        if kind == "column" and name == "seq":
            return False
        return kind != "table" or name in ours

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": include, "compare_type": True}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    migrate(sqlite_url)
    engine = create_engine_for(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() >= 5000
    engine.dispose()


def _insert(conn: object, booking_id: str, start: str, end: str, **overrides: object) -> None:
    values: dict[str, object] = {
        "id": booking_id,
        "start": start,
        "end": end,
        "exclusive": True,
        "status": "confirmed",
        "resource": "r1",
        "token": booking_id,
    }
    values.update(overrides)
    conn.execute(  # type: ignore[attr-defined]
        text(
            "INSERT INTO bookings (id, business_id, service_id, resource_id, customer_id, "
            "start_at, end_at, occupied_start, occupied_end, exclusive, at_client_address, "
            "status, persons, price_minor, deposit_minor, currency, notes, invitees, "
            "video_meeting, cancel_reason, reschedule_count, sequence, token, version, "
            "created_at) VALUES (:id, 'b1', 's1', :resource, 'c1', :start, :end, :start, :end, "
            ":exclusive, false, :status, 1, 0, 0, 'ARS', '', '[]', false, '', 0, 0, :token, 1, "
            "now())"
        ),
        values,
    )


@pytest.mark.postgres
def test_postgres_refuses_an_overlapping_booking_in_raw_sql(fresh_postgres_url: str) -> None:
    migrate(fresh_postgres_url)
    engine = create_engine_for(fresh_postgres_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO businesses VALUES ('b1', 'b', 'B', 'UTC', 'USD', 'en', "
                "NULL, '{}', '{}', '{}', NULL, '{}')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO services VALUES ('s1', 'b1', 'S', 60, 0, 'fixed', 0, 0, "
                "NULL, false, false, '{}', 1, '', true)"
            )
        )
        for rid in ("r1", "r2", "r3"):
            conn.execute(
                text(
                    "INSERT INTO resources VALUES (:r, 'b1', :r, 'person', 1, '[]', '{}', "
                    "'#fff', NULL, true)"
                ),
                {"r": rid},
            )
        conn.execute(text("INSERT INTO customers VALUES ('c1', 'b1', 'C', NULL, NULL, NULL)"))
        _insert(conn, "a", "2030-03-05 10:00Z", "2030-03-05 11:00Z")
    with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
        _insert(conn, "b", "2030-03-05 10:30Z", "2030-03-05 11:30Z")
    assert getattr(caught.value.orig, "sqlstate", None) == "23P01"  # exclusion_violation
    with engine.begin() as conn:
        # Touching end to start is not an overlap; another resource, a cancelled booking and
        # a shared (non-exclusive) resource are not refused either.
        _insert(conn, "c", "2030-03-05 11:00Z", "2030-03-05 12:00Z")
        _insert(conn, "d", "2030-03-05 10:00Z", "2030-03-05 11:00Z", resource="r2")
        _insert(conn, "e", "2030-03-05 10:00Z", "2030-03-05 11:00Z", status="cancelled")
        _insert(conn, "f", "2030-03-05 10:00Z", "2030-03-05 11:00Z", resource="r3", exclusive=False)
        _insert(conn, "g", "2030-03-05 10:00Z", "2030-03-05 11:00Z", resource="r3", exclusive=False)
    # A cancelled booking cannot come back to life over a taken time.
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE bookings SET status = 'confirmed' WHERE id = 'e'"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM bookings")).scalar_one() == 6
    engine.dispose()
