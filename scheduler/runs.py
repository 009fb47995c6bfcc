"""Bookkeeping of periodic task runs: when each last started and finished, how it went, and
what it did — what ``turnero queue status`` shows the operator."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from scheduler.models import PeriodicRunRow

log = logging.getLogger(__name__)
T = TypeVar("T")


def _mark(
    sessions: sessionmaker[Session],
    name: str,
    *,
    started: datetime | None = None,
    finished: datetime | None = None,
    status: str,
    summary: str = "",
) -> None:
    at = started or finished
    assert at is not None
    with sessions.begin() as session:
        insert = (
            postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        )
        session.execute(
            insert(PeriodicRunRow)
            .values(
                name=name,
                last_started_at=at,
                last_finished_at=None,
                last_status=status,
                last_summary="",
                runs=0,
            )
            .on_conflict_do_nothing()
        )
        values: dict[str, Any] = {"last_status": status, "last_summary": summary[:2000]}
        if started is not None:
            values.update(last_started_at=started, runs=PeriodicRunRow.runs + 1)
        if finished is not None:
            values["last_finished_at"] = finished
        session.execute(
            update(PeriodicRunRow)
            .where(PeriodicRunRow.name == name)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def recorded(
    sessions: sessionmaker[Session],
    name: str,
    clock: Callable[[], datetime],
    work: Callable[[], T],
    describe: Callable[[T], str] = str,
) -> T:
    """Run ``work`` and record the run under ``name`` (errors are recorded, then raised)."""
    _mark(sessions, name, started=clock(), status="running")
    try:
        result = work()
    except Exception as exc:
        _mark(sessions, name, finished=clock(), status="error", summary=repr(exc))
        raise
    _mark(sessions, name, finished=clock(), status="ok", summary=describe(result))
    return result


def last_runs(session: Session) -> list[PeriodicRunRow]:
    return list(session.scalars(select(PeriodicRunRow).order_by(PeriodicRunRow.name)))
