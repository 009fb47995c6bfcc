"""Personal busy time: the opaque events of a staff member's personal calendars are busy time
for the resources they are linked to (``PersonalBusySource``, the core's ``BusySource``
port), so a member who keeps a private agenda is never booked over it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, create_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool

from caldav_server import read_model
from caldav_server.tables import PersonalEventRow
from caldav_server.timing import busy_spans
from hub.availability.types import Busy
from hub.persistence.uow import SqlDatabase


class PersonalBusySource:
    """``BusySource``: opaque events of the personal calendars of the staff linked to each
    resource. The composition root binds it into the service layer (``hub.bootstrap``)."""

    def __init__(self, database: SqlDatabase) -> None:
        # The use cases call this inside their own transaction. On SQLite that transaction
        # holds the write lock (BEGIN IMMEDIATE), so reading through the hub's engine would
        # wait for it forever; a plain deferred reader sees the last commit instead (WAL).
        # Elsewhere one SELECT needs no transaction around it: autocommit saves the BEGIN and
        # ROLLBACK round trips on every booking.
        engine = database.engine
        if engine.dialect.name == "sqlite":
            self._sessions = sessionmaker(bind=create_engine(engine.url, poolclass=NullPool))
        else:
            self._sessions = database.autocommit_sessions

    def busy(
        self, business_id: str, resource_ids: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Sequence[Busy]]:
        wanted = set(resource_ids)
        out: dict[str, list[Busy]] = defaultdict(list)
        with self._sessions() as session:
            events = read_model.opaque_personal_events(session, business_id, start, end)
        for owner_resources, event in events:
            linked = sorted(wanted.intersection(owner_resources))
            if not linked:
                continue
            for lo, hi in _occurrences(event, start, end):
                for rid in linked:
                    out[rid].append(Busy(lo, hi))
        return out


def _occurrences(
    event: PersonalEventRow | Row[Any], start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    if not event.recurring:
        if (
            event.start_at is not None
            and event.end_at is not None
            and event.end_at > event.start_at
        ):
            yield event.start_at, event.end_at
        return
    if event.timing is not None:
        yield from busy_spans(event.timing, start, end)
