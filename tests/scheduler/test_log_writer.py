"""The notification log line written after each message sent: committed before ``write``
returns (another connection sees it at once), on its thread's own connection, and still
written when that connection died in between (PostgreSQL restarted, engine disposed)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select, text

from hub.domain.model import OutboxEvent
from hub.persistence.database import create_engine_for
from hub.persistence.migrate import migrate
from scheduler.consumers import LogEntry, LogStatus
from scheduler.deliveries import LogWriter
from scheduler.models import NotificationLogRow
from tests.scheduler.conftest import Backend

SENT = LogEntry("email", "reminder", LogStatus.SENT, "juan@example.com")


@pytest.fixture
def engine(backend: Backend) -> Iterator[Engine]:
    migrate(backend.database_url)
    engine = create_engine_for(backend.database_url)
    yield engine
    engine.dispose()


def _event() -> OutboxEvent:
    booking_id = str(uuid.uuid4())
    return OutboxEvent(
        business_id=str(uuid.uuid4()),
        type="booking.reminder",
        aggregate_id=booking_id,
        payload={"booking_id": booking_id},
        created_at=datetime.now(UTC),
    )


def _logged(engine: Engine, event: OutboxEvent) -> list[tuple[str, str, str, datetime]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                NotificationLogRow.booking_id,
                NotificationLogRow.recipient,
                NotificationLogRow.status,
                NotificationLogRow.at,
            ).where(NotificationLogRow.event_id == event.id)
        )
        return [(r.booking_id, r.recipient, r.status, r.at) for r in rows]


def test_each_line_is_committed_before_write_returns(engine: Engine) -> None:
    writer = LogWriter(engine)
    at = datetime(2026, 11, 22, 13, 0, 5, 250_000, tzinfo=UTC)
    events = [_event() for _ in range(3)]
    for event in events:
        writer.write(event, SENT, at)
        booking_id = str(event.payload["booking_id"])
        assert _logged(engine, event) == [(booking_id, "juan@example.com", "sent", at)]


def test_threads_write_on_connections_of_their_own(engine: Engine) -> None:
    writer = LogWriter(engine)
    events = [_event() for _ in range(40)]
    failures: list[BaseException] = []

    def work(part: list[OutboxEvent]) -> None:
        try:
            for event in part:
                writer.write(event, SENT, datetime.now(UTC))
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(events[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(NotificationLogRow))
    assert count == 40


def test_a_line_is_still_written_after_the_engine_was_disposed(engine: Engine) -> None:
    writer = LogWriter(engine)
    first, second = _event(), _event()
    writer.write(first, SENT, datetime.now(UTC))
    engine.dispose()  # what closing the hub does: the thread's connection is closed too
    writer.write(second, SENT, datetime.now(UTC))
    assert len(_logged(engine, first)) == len(_logged(engine, second)) == 1


@pytest.mark.postgres
def test_a_line_is_still_written_when_postgres_dropped_the_connection(
    fresh_postgres_url: str,
) -> None:
    migrate(fresh_postgres_url)
    engine = create_engine_for(fresh_postgres_url)
    try:
        writer = LogWriter(engine)
        first, second = _event(), _event()
        writer.write(first, SENT, datetime.now(UTC))
        with engine.connect() as connection:  # as a server restart or an idle timeout would
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        writer.write(second, SENT, datetime.now(UTC))
        assert len(_logged(engine, second)) == 1
    finally:
        engine.dispose()
