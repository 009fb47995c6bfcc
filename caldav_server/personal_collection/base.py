"""What every part of a personal collection shares: its row, its meta, its ETag, and how a
stored event becomes an item (no event text is read to list or search it)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

from radicale.item import filter as radicale_filter
from sqlalchemy.orm import Session

from caldav_server import own_rows, read_model
from caldav_server.base import Backend, LazyItem, Root, http_date
from caldav_server.render import etag_of, timestamp
from caldav_server.tables import PersonalCalendarRow, PersonalEventRow
from hub.domain.accounts import User

DEFAULT_COLOR = "#7f8c8d"
OTHER_COMPONENTS = ("VTODO", "VJOURNAL")
ALL_COMPONENTS = "VEVENT,VTODO,VJOURNAL"
_COLUMNS = frozenset({"tag", "D:displayname", "ICAL:calendar-color", "C:calendar-description"})


def other_properties(props: Mapping[str, str]) -> str:
    """The properties kept as JSON: all but those that have a column."""
    return json.dumps({k: str(v) for k, v in props.items() if k not in _COLUMNS}, sort_keys=True)


def _properties(text: str | None) -> dict[str, str]:
    try:
        loaded = json.loads(text or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


class PersonalCollectionBase(Root):
    """A personal calendar as a Radicale collection."""

    def __init__(self, backend: Backend, owner: User, row: PersonalCalendarRow) -> None:
        super().__init__(f"{owner.id}/{row.name}")
        self._backend = backend
        self._owner = owner
        self.row = row

    def _session(self) -> contextlib.AbstractContextManager[Session]:
        return self._backend.database.sessions()

    def _timezone(self) -> str:
        with self._session() as session:
            for resource in read_model.visible_resources(session, self._owner)[:1]:
                found = read_model.resource(session, resource.id)
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

    def _seq(self) -> int:
        with self._session() as session:
            return own_rows.seq(session, self.row.id)

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


def _component(text: str) -> str:
    """The kind of object a stored calendar object is (events are most, and cheapest)."""
    if "BEGIN:VEVENT" in text:
        return "VEVENT"
    return next((c for c in OTHER_COMPONENTS if f"BEGIN:{c}" in text), "VEVENT")
