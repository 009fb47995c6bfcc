"""GET, REPORT and PROPFIND of a personal collection: a time range is answered from the
events' start and end columns, and from a repeating event's timing, without reading texts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime

from radicale import item as radicale_item
from radicale.item import filter as radicale_filter

from caldav_server import own_rows
from caldav_server.personal_collection.base import PersonalCollectionBase
from caldav_server.tables import PersonalEventRow
from caldav_server.timing import happens


class PersonalCollectionGet(PersonalCollectionBase):
    def get_all(self) -> Iterable[radicale_item.Item]:
        with self._session() as session:
            return [self._item(r) for r in own_rows.personal_events(session, self.row.id)]

    def get_filtered(
        self, filters: Iterable[ET.Element]
    ) -> Iterable[tuple[radicale_item.Item, bool]]:
        tag, start, end, simple = radicale_filter.simplify_prefilters(filters, "VCALENDAR")
        if tag != "VEVENT":  # any component, or to-dos and journals: Radicale reads them
            return [(item, False) for item in self.get_all()]
        lo = datetime.fromtimestamp(max(start, 0), UTC)
        hi = datetime.fromtimestamp(min(end, 253402300799), UTC)
        with self._session() as session:
            rows = own_rows.personal_events(session, self.row.id, start=lo, end=hi)
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
            rows = {r.href: r for r in own_rows.personal_events(session, self.row.id, hrefs=wanted)}
        return [(h, self._item(rows[h]) if h in rows else None) for h in wanted]

    def has_uid(self, uid: str) -> bool:
        with self._session() as session:
            return bool(own_rows.personal_events(session, self.row.id, uid=uid))


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
