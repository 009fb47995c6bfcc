"""Personal calendars: what a staff member makes with MKCALENDAR, stored in the hub database.

A plain CalDAV calendar — events may overlap, no booking rule applies, the client's bytes are
kept as sent. Its opaque events are busy time for the resources the member is linked to
(``PersonalBusySource``, the core's ``BusySource`` port), so a member who keeps a private
agenda here is never booked over it.

Time-range queries (a client's REPORT, availability) read no event text: a single event's
start and end are columns, a repeating one's times are kept beside it (``timing``).
"""

from __future__ import annotations

import contextlib
import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar
from radicale import item as radicale_item
from radicale.item import filter as radicale_filter
from sqlalchemy import Row, create_engine
from sqlalchemy import delete as sql_delete
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from caldav_server import store
from caldav_server.base import SYNC_PREFIX, Backend, LazyItem, Root, http_date
from caldav_server.events import CALDAV, RefusedError, read_event, refuse
from caldav_server.render import etag_of, text_etag, timestamp
from caldav_server.schema import PersonalCalendarRow, PersonalEventRow
from caldav_server.timing import (
    MAX_RULE_OCCURRENCES,
    busy_spans,
    happens,
    rule_occurrences,
    timing,
)
from hub.availability.types import Busy
from hub.domain.accounts import User
from hub.domain.errors import ValidationError
from hub.domain.model import new_id
from hub.ical_parser import parse_calendar
from hub.persistence.uow import SqlDatabase

DEFAULT_COLOR = "#7f8c8d"
OTHER_COMPONENTS = ("VTODO", "VJOURNAL")
ALL_COMPONENTS = "VEVENT,VTODO,VJOURNAL"
_COLUMNS = frozenset({"tag", "D:displayname", "ICAL:calendar-color", "C:calendar-description"})


def _other_properties(props: Mapping[str, str]) -> str:
    """The properties kept as JSON: all but those that have a column."""
    return json.dumps({k: str(v) for k, v in props.items() if k not in _COLUMNS}, sort_keys=True)


def _properties(text: str | None) -> dict[str, str]:
    try:
        loaded = json.loads(text or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


FOREVER = datetime(9999, 12, 31, tzinfo=UTC)


def create_calendar(
    backend: Backend, owner: User, name: str, props: Mapping[str, str]
) -> PersonalCalendarRow:
    with backend.database.sessions() as session:
        if store.personal_calendar(session, owner.id, name) is not None:
            raise RefusedError(405, "DAV:", "resource-must-be-null", "that calendar exists already")
        row = PersonalCalendarRow(
            id=new_id(),
            owner_id=owner.id,
            business_id=owner.business_id,
            name=name,
            displayname=props.get("D:displayname") or name,
            color=props.get("ICAL:calendar-color") or DEFAULT_COLOR,
            description=props.get("C:calendar-description") or "",
            properties=_other_properties(props),
            created_at=backend.clock(),
        )
        session.add(row)
        session.commit()
        return row


class PersonalCalendar(Root):
    def __init__(self, backend: Backend, owner: User, row: PersonalCalendarRow) -> None:
        super().__init__(f"{owner.id}/{row.name}")
        self._backend = backend
        self._owner = owner
        self.row = row

    def _session(self) -> contextlib.AbstractContextManager[Session]:
        return self._backend.database.sessions()

    def _timezone(self) -> str:
        with self._session() as session:
            for resource in store.visible_resources(session, self._owner)[:1]:
                found = store.resource(session, resource.id)
                if found is not None:
                    return found[1].timezone
        return "UTC"

    def get_meta(self, key: str | None = None) -> Any:
        meta: dict[str, str] = {"C:supported-calendar-component-set": ALL_COMPONENTS}
        meta.update(_properties(self.row.properties))
        meta.update(
            {
                "tag": "VCALENDAR",
                "D:displayname": self.row.displayname,
                "ICAL:calendar-color": self.row.color,
                "C:calendar-description": self.row.description,
            }
        )
        return meta if key is None else meta.get(key)

    def set_meta(self, props: Mapping[str, str]) -> None:
        with self._session() as session:
            row = session.get(PersonalCalendarRow, self.row.id)
            if row is None:
                return
            row.displayname = props.get("D:displayname") or row.name
            row.color = props.get("ICAL:calendar-color") or row.color
            row.description = props.get("C:calendar-description") or ""
            row.properties = _other_properties(props)
            session.commit()
            self.row = row

    def _seq(self) -> int:
        with self._session() as session:
            return store.seq(session, self.row.id)

    @property
    def etag(self) -> str:
        row = self.row
        return etag_of(
            "personal",
            row.id,
            self._seq(),
            row.displayname,
            row.color,
            row.description,
            row.properties,
        )

    @property
    def last_modified(self) -> str:
        return http_date(self._backend.clock())

    def _item(self, event: PersonalEventRow) -> LazyItem:
        text = event.ics
        start = timestamp(event.start_at) if event.start_at else radicale_filter.TIMESTAMP_MIN
        end = timestamp(event.end_at) if event.end_at else radicale_filter.TIMESTAMP_MAX
        return LazyItem(
            collection=self,
            href=event.href,
            etag=event.etag,
            uid=event.uid,
            time_range=(start, end),
            last_modified=http_date(event.updated_at),
            render=lambda: text,
            component=_component(text),
        )

    def sync(self, old_token: str = "") -> tuple[str, Iterable[str]]:
        with self._session() as session:
            current = store.seq(session, self.row.id)
            token = f"{SYNC_PREFIX}{current}"
            if not old_token:
                rows = store.personal_events(session, self.row.id)
                return token, [r.href for r in rows]
            try:
                since = int(old_token.removeprefix(SYNC_PREFIX))
            except ValueError as exc:
                raise ValueError("malformed sync token") from exc
            if since > current or since < 0 or not old_token.startswith(SYNC_PREFIX):
                raise ValueError("not a sync token of this calendar")
            return token, store.changes_since(session, self.row.id, since)

    def get_all(self) -> Iterable[radicale_item.Item]:
        with self._session() as session:
            return [self._item(r) for r in store.personal_events(session, self.row.id)]

    def get_filtered(
        self, filters: Iterable[ET.Element]
    ) -> Iterable[tuple[radicale_item.Item, bool]]:
        tag, start, end, simple = radicale_filter.simplify_prefilters(filters, "VCALENDAR")
        if tag != "VEVENT":  # any component, or to-dos and journals: Radicale reads them
            return [(item, False) for item in self.get_all()]
        lo = datetime.fromtimestamp(max(start, 0), UTC)
        hi = datetime.fromtimestamp(min(end, 253402300799), UTC)
        with self._session() as session:
            rows = store.personal_events(session, self.row.id, start=lo, end=hi)
        if not simple:  # a filter on more than time: Radicale reads the events for it
            return [(self._item(r), False) for r in rows]
        items: list[tuple[radicale_item.Item, bool]] = []
        for row in rows:
            within = _within(row, lo, hi)
            if within is not False:
                items.append((self._item(row), within is True))
        return items

    def get_multi(self, hrefs: Iterable[str]) -> Iterable[tuple[str, radicale_item.Item | None]]:
        wanted = list(dict.fromkeys(hrefs))
        with self._session() as session:
            rows = {r.href: r for r in store.personal_events(session, self.row.id, hrefs=wanted)}
        return [(h, self._item(rows[h]) if h in rows else None) for h in wanted]

    def has_uid(self, uid: str) -> bool:
        with self._session() as session:
            return bool(store.personal_events(session, self.row.id, uid=uid))

    def upload(
        self, href: str, item: radicale_item.Item
    ) -> tuple[radicale_item.Item, radicale_item.Item | None]:
        body, parsed = self._backend.request_object() or (item.serialize().encode(), None)
        if parsed is None:
            try:
                parsed = parse_calendar(body)
            except ValidationError as exc:
                raise RefusedError(400, CALDAV, "valid-calendar-data", exc.message) from exc
        if not any(True for _ in parsed.walk("VEVENT")):
            return self._upload_other(href, body, parsed)
        event = read_event(body, self._timezone(), parsed)
        now = self._backend.clock()
        if (
            event.rrule is not None
            and rule_occurrences(event.rrule, event.start, now) > MAX_RULE_OCCURRENCES
        ):
            raise refuse(
                "supported-recurrence",
                "a repeating event may repeat at most daily, and at most "
                f"{MAX_RULE_OCCURRENCES} times from its start to ten years from now",
            )
        start = event.start
        recurring = event.rrule is not None or event.master.get("RDATE") is not None
        if event.rrule is not None:
            end = _recurrence_end(event.rrule, event.end)
        else:
            end = None if recurring else event.end  # RDATEs: expanded when asked
        text = body.decode("utf-8")
        with self._session() as session:
            rows = store.personal_events(session, self.row.id, hrefs=[href])
            row = rows[0] if rows else PersonalEventRow(id=new_id(), calendar_id=self.row.id)
            row.href = href
            row.uid = event.uid
            row.ics = text
            row.etag = text_etag(text)
            row.start_at = start
            row.end_at = end
            row.opaque = event.opaque
            row.recurring = recurring
            row.timing = timing(text) if recurring else None
            row.updated_at = now
            if not rows:
                session.add(row)
            session.commit()
            uploaded = self._item(row)
        self._backend.request.verbatim = True
        return uploaded, None

    def _upload_other(
        self, href: str, body: bytes, parsed: Calendar
    ) -> tuple[radicale_item.Item, radicale_item.Item | None]:
        """A to-do or journal entry (RFC 5545 §3.6.2, §3.6.3): kept as sent, never busy
        time; searches read its text (no start or end column, ``recurring`` without a
        timing), so Radicale's own filters answer for it."""
        components = [c for c in parsed.subcomponents if c.name in OTHER_COMPONENTS]
        if not components:
            raise RefusedError(
                403,
                CALDAV,
                "supported-calendar-component",
                "a calendar object holds a VEVENT, VTODO or VJOURNAL",
            )
        uids = {str(c.get("UID") or "") for c in components}
        if len(uids) != 1 or "" in uids:
            raise RefusedError(
                400, CALDAV, "valid-calendar-object-resource", "one UID, on every component"
            )
        text = body.decode("utf-8")
        now = self._backend.clock()
        with self._session() as session:
            rows = store.personal_events(session, self.row.id, hrefs=[href])
            row = rows[0] if rows else PersonalEventRow(id=new_id(), calendar_id=self.row.id)
            row.href = href
            row.uid = uids.pop()
            row.ics = text
            row.etag = text_etag(text)
            row.start_at = row.end_at = None
            row.opaque = False
            row.recurring = True
            row.timing = None
            row.updated_at = now
            if not rows:
                session.add(row)
            session.commit()
            uploaded = self._item(row)
        self._backend.request.verbatim = True
        return uploaded, None

    def delete(self, href: str | None = None) -> None:
        with self._session() as session:
            if href is None:
                session.execute(
                    sql_delete(PersonalEventRow).where(PersonalEventRow.calendar_id == self.row.id)
                )
                session.execute(
                    sql_delete(PersonalCalendarRow).where(PersonalCalendarRow.id == self.row.id)
                )
            else:
                session.execute(
                    sql_delete(PersonalEventRow).where(
                        PersonalEventRow.calendar_id == self.row.id, PersonalEventRow.href == href
                    )
                )
            session.commit()


def _component(text: str) -> str:
    """The kind of object a stored calendar object is (events are most, and cheapest)."""
    if "BEGIN:VEVENT" in text:
        return "VEVENT"
    return next((c for c in OTHER_COMPONENTS if f"BEGIN:{c}" in text), "VEVENT")


def _within(row: PersonalEventRow, start: datetime, end: datetime) -> bool | None:
    """Whether an event the range query found overlaps ``[start, end)``: a single one does
    (its start and end are what the query compared); a repeating one if an occurrence does,
    which its timing tells. None when only its text can tell (Radicale then reads it)."""
    if not row.recurring:
        return True
    if row.timing is None:
        return None
    try:
        return happens(row.timing, start, end)
    except ValueError:
        return None


def _recurrence_end(rule: Mapping[str, Sequence[object]], first_end: datetime) -> datetime | None:
    upper = {k.upper(): v for k, v in rule.items()}
    until = upper.get("UNTIL")
    if until:
        value = until[0]
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        else:
            moment = datetime(value.year, value.month, value.day, tzinfo=UTC)  # type: ignore[attr-defined]
        return max(moment + timedelta(days=1), first_end)
    return None  # COUNT or forever: expanded when asked


def move(
    source: PersonalCalendar, item: radicale_item.Item, target: PersonalCalendar, to_href: str
) -> None:
    with source._session() as session:
        rows = store.personal_events(session, source.row.id, hrefs=[item.href or ""])
        if not rows:
            raise RefusedError(404, "DAV:", "not-found", "no such event")
        row = rows[0]
        copy = PersonalEventRow(
            id=new_id(),
            calendar_id=target.row.id,
            href=to_href,
            uid=row.uid,
            ics=row.ics,
            etag=row.etag,
            start_at=row.start_at,
            end_at=row.end_at,
            opaque=row.opaque,
            recurring=row.recurring,
            timing=row.timing,
            updated_at=row.updated_at,
        )
        session.delete(row)
        session.add(copy)
        session.commit()


class PersonalBusySource:
    """``BusySource``: opaque events of the personal calendars of the staff linked to each
    resource. Register it with ``hub.busy_sources.append(PersonalBusySource(hub.database))``
    (``caldav_server.app.register`` does it)."""

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
            events = store.opaque_personal_events(session, business_id, start, end)
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
