"""Tables of the CalDAV view's own: the per-calendar change log (with tombstones) behind
sync-collection and getctag, events that clients created in resource calendars, personal
calendars and their events. (The read-only ICS feeds' tokens are the core's:
``hub.persistence.feeds``, issued by ``hub.services.feeds``.)

The change log is written by database triggers (``caldav_server.schema``); this package
never writes it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.persistence.models import Base

ID = String(36)
HREF = String(512)


class CalendarSeqRow(Base):
    __tablename__ = "caldav_calendar_seq"

    calendar_id: Mapped[str] = mapped_column(ID, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)


class ChangeRow(Base):
    __tablename__ = "caldav_changes"
    __table_args__ = (Index("ix_caldav_changes_calendar_seq", "calendar_id", "seq"),)

    calendar_id: Mapped[str] = mapped_column(ID, primary_key=True)
    href: Mapped[str] = mapped_column(HREF, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    deleted: Mapped[bool] = mapped_column(Boolean)


class ClientItemRow(Base):
    """An event a client PUT into a resource calendar, kept as sent; the blocks it became
    carry its UID as ``external_uid``."""

    __tablename__ = "caldav_client_items"
    __table_args__ = (
        UniqueConstraint("calendar_id", "href", name="uq_caldav_client_items_href"),
        Index("ix_caldav_client_items_uid", "calendar_id", "uid"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    calendar_id: Mapped[str] = mapped_column(ID)  # the resource's id
    business_id: Mapped[str] = mapped_column(ID)
    href: Mapped[str] = mapped_column(HREF)
    uid: Mapped[str] = mapped_column(String(1024))
    ics: Mapped[str] = mapped_column(Text)
    etag: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime]


class PersonalCalendarRow(Base):
    """A calendar a staff member made with MKCALENDAR: no booking rules; its opaque events
    are busy time for the resources the member is linked to."""

    __tablename__ = "caldav_personal_calendars"
    __table_args__ = (UniqueConstraint("owner_id", "name", name="uq_caldav_personal_name"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    owner_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id"), index=True)
    business_id: Mapped[str | None] = mapped_column(ID)
    name: Mapped[str] = mapped_column(HREF)  # the path segment the client chose
    displayname: Mapped[str] = mapped_column(String(200))
    color: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    # What else the client set (calendar-order, calendar-timezone, the component set, dead
    # properties): a JSON object of Radicale's property keys to their values.
    properties: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    created_at: Mapped[datetime]


class PersonalEventRow(Base):
    __tablename__ = "caldav_personal_events"
    __table_args__ = (
        UniqueConstraint("calendar_id", "href", name="uq_caldav_personal_events_href"),
        Index("ix_caldav_personal_events_range", "calendar_id", "start_at", "end_at"),
        Index("ix_caldav_personal_events_uid", "calendar_id", "uid"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    calendar_id: Mapped[str] = mapped_column(
        ID, ForeignKey("caldav_personal_calendars.id", ondelete="CASCADE")
    )
    href: Mapped[str] = mapped_column(HREF)
    uid: Mapped[str] = mapped_column(String(1024))
    ics: Mapped[str] = mapped_column(Text)
    etag: Mapped[str] = mapped_column(String(80))
    start_at: Mapped[datetime | None]
    end_at: Mapped[datetime | None]  # None: repeats forever
    opaque: Mapped[bool] = mapped_column(Boolean)
    recurring: Mapped[bool] = mapped_column(Boolean)
    # Of a repeating event, what says when it happens (``caldav_server.timing``).
    timing: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime]
