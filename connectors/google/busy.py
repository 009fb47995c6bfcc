"""``GoogleBusySource``: the busy intervals pulled from staff members' Google calendars, as
the availability engine's ``BusySource`` port. Reads the database only (the pull keeps it
fresh); a broken connection stops counting until it is reconnected and synced again.

The use cases ask a busy source from inside their own transaction, which on SQLite holds the
write lock (``BEGIN IMMEDIATE``). So on SQLite this reads through an engine of its own
without that hook: under WAL a plain reader never waits for the writer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from connectors.google import store
from hub.availability.types import Busy
from hub.persistence.database import is_sqlite
from hub.persistence.uow import SqlDatabase


class GoogleBusySource:
    def __init__(self, database: SqlDatabase) -> None:
        engine = database.engine
        self._own: Engine | None = None
        if is_sqlite(engine):
            self._own = create_engine(engine.url)
            engine = self._own
        self._engine = engine

    def close(self) -> None:
        if self._own is not None:
            self._own.dispose()

    def busy(
        self, business_id: str, resource_ids: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Sequence[Busy]]:
        wanted = set(resource_ids)
        with Session(self._engine) as session:
            owners = {
                c.id: [r for r in c.resource_ids if r in wanted]
                for c in store.connections(session)
                if c.business_id == business_id and wanted.intersection(c.resource_ids)
            }
            if not owners:
                return {}
            rows = store.busy_between(session, list(owners), start, end)
        out: dict[str, list[Busy]] = {}
        for connection_id, s, e in rows:
            for resource_id in owners[connection_id]:
                out.setdefault(resource_id, []).append(Busy(s, e))
        return out
