"""PROPPATCH of a personal collection: its name, colour, description and any other
property the client sets (kept as JSON)."""

from __future__ import annotations

from collections.abc import Mapping

from caldav_server.personal_collection.base import PersonalCollectionBase, other_properties
from caldav_server.tables import PersonalCalendarRow


class PersonalCollectionMeta(PersonalCollectionBase):
    def set_meta(self, props: Mapping[str, str]) -> None:
        with self._session() as session:
            row = session.get(PersonalCalendarRow, self.row.id)
            if row is None:
                return
            row.displayname = props.get("D:displayname") or row.name
            row.color = props.get("ICAL:calendar-color") or row.color
            row.description = props.get("C:calendar-description") or ""
            row.properties = other_properties(props)
            session.commit()
            self.row = row
