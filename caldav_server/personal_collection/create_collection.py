"""MKCALENDAR: a new personal calendar in its owner's home."""

from __future__ import annotations

from collections.abc import Mapping

from caldav_server import own_rows
from caldav_server.base import Backend
from caldav_server.personal_collection.base import DEFAULT_COLOR, other_properties
from caldav_server.refusals import RefusedError
from caldav_server.tables import PersonalCalendarRow
from hub.domain.accounts import User
from hub.domain.model import new_id


def create_calendar(
    backend: Backend, owner: User, name: str, props: Mapping[str, str]
) -> PersonalCalendarRow:
    with backend.database.sessions() as session:
        if own_rows.personal_calendar(session, owner.id, name) is not None:
            raise RefusedError(405, "DAV:", "resource-must-be-null", "that calendar exists already")
        row = PersonalCalendarRow(
            id=new_id(),
            owner_id=owner.id,
            business_id=owner.business_id,
            name=name,
            displayname=props.get("D:displayname") or name,
            color=props.get("ICAL:calendar-color") or DEFAULT_COLOR,
            description=props.get("C:calendar-description") or "",
            properties=other_properties(props),
            created_at=backend.clock(),
        )
        session.add(row)
        session.commit()
        return row
