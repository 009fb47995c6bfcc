"""DELETE in a personal collection: one event, or the whole calendar with its events."""

from __future__ import annotations

from sqlalchemy import delete as sql_delete

from caldav_server.personal_collection.base import PersonalCollectionBase
from caldav_server.tables import PersonalCalendarRow, PersonalEventRow


class PersonalCollectionDelete(PersonalCollectionBase):
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
