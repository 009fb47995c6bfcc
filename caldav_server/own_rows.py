"""Reads of the CalDAV view's own tables alone: the change log behind sync tokens and
getctag (``caldav_calendar_seq``, ``caldav_changes``, indexed by calendar and number),
personal calendars and their events.

What joins these to the core's tables (a client's event with the blocks it became, personal
busy time by employee) is ``caldav_server.read_model``'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from caldav_server.tables import CalendarSeqRow, ChangeRow, PersonalCalendarRow, PersonalEventRow


def seq(session: Session, calendar_id: str) -> int:
    value = session.scalar(
        select(CalendarSeqRow.seq).where(CalendarSeqRow.calendar_id == calendar_id)
    )
    return int(value or 0)


def changes_since(session: Session, calendar_id: str, since: int) -> list[str]:
    """Hrefs changed or removed after ``since`` (the caller tells which is which by
    looking them up)."""
    rows = session.scalars(
        select(ChangeRow.href)
        .where(ChangeRow.calendar_id == calendar_id, ChangeRow.seq > since)
        .order_by(ChangeRow.seq)
    )
    return list(rows)


# --- personal calendars -------------------------------------------------------------------


def personal_calendar(session: Session, owner_id: str, name: str) -> PersonalCalendarRow | None:
    return session.scalar(
        select(PersonalCalendarRow).where(
            PersonalCalendarRow.owner_id == owner_id, PersonalCalendarRow.name == name
        )
    )


def personal_calendars(session: Session, owner_id: str) -> list[PersonalCalendarRow]:
    return list(
        session.scalars(
            select(PersonalCalendarRow)
            .where(PersonalCalendarRow.owner_id == owner_id)
            .order_by(PersonalCalendarRow.name)
        )
    )


def personal_events(
    session: Session,
    calendar_id: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    hrefs: Iterable[str] | None = None,
    uid: str | None = None,
) -> list[PersonalEventRow]:
    query = select(PersonalEventRow).where(PersonalEventRow.calendar_id == calendar_id)
    if start is not None and end is not None:
        query = query.where(
            or_(PersonalEventRow.start_at.is_(None), PersonalEventRow.start_at < end),
            or_(PersonalEventRow.end_at.is_(None), PersonalEventRow.end_at > start),
        )
    if hrefs is not None:
        query = query.where(PersonalEventRow.href.in_(list(hrefs)))
    if uid is not None:
        query = query.where(PersonalEventRow.uid == uid)
    return list(session.scalars(query.order_by(PersonalEventRow.href)))
