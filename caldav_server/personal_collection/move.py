"""MOVE of an event from one of its owner's personal calendars to another."""

from __future__ import annotations

from radicale import item as radicale_item

from caldav_server import own_rows
from caldav_server.personal_collection.base import PersonalCollectionBase
from caldav_server.refusals import RefusedError
from caldav_server.tables import PersonalEventRow
from hub.domain.model import new_id


def move(
    source: PersonalCollectionBase,
    item: radicale_item.Item,
    target: PersonalCollectionBase,
    to_href: str,
) -> None:
    with source._session() as session:
        rows = own_rows.personal_events(session, source.row.id, hrefs=[item.href or ""])
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
