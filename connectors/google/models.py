"""Tables of the Google connector, on the core's declarative Base: one connection per staff
member's Google account (tokens encrypted, sync state, broken flag), the busy intervals pulled
from their calendars, and pending OAuth states.

The schema is created by the Alembic revisions ``google_0001`` and ``google_0002`` (branch
``google``). Queries live in ``connectors.google.store``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.persistence.columns import json_type
from hub.persistence.models import Base

ID = String(36)


class ConnectionRow(Base):
    """A staff member's Google account. ``status`` is ``active`` or ``broken`` (token revoked:
    sync stops until they connect again). ``resource_ids`` are the resources whose bookings
    go to ``calendar_id`` and whose availability the ``busy_calendar_ids`` block."""

    __tablename__ = "google_connections"
    __table_args__ = (
        UniqueConstraint("business_id", "user_id", name="uq_google_connections_user"),
        Index("ix_google_connections_channel", "channel_id"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    google_email: Mapped[str] = mapped_column(String(320))
    resource_ids: Mapped[list[str]]
    calendar_id: Mapped[str] = mapped_column(String(1024))
    busy_calendar_ids: Mapped[list[str]]
    refresh_token: Mapped[str] = mapped_column(Text)  # Fernet ciphertext
    access_token: Mapped[str | None] = mapped_column(Text)  # Fernet ciphertext, see ``access``
    access_expires_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    broken_reason: Mapped[str] = mapped_column(Text)
    sync_tokens: Mapped[dict[str, str]] = mapped_column(json_type())  # calendar → nextSyncToken
    channel_id: Mapped[str | None] = mapped_column(String(64))
    channel_resource_id: Mapped[str | None] = mapped_column(String(255))
    channel_token: Mapped[str | None] = mapped_column(String(64))
    channel_expires_at: Mapped[datetime | None]
    last_synced_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class BusyRow(Base):
    """One busy interval pulled from Google (a single event or one recurrence instance)."""

    __tablename__ = "google_busy"
    __table_args__ = (
        UniqueConstraint("connection_id", "calendar_id", "event_id", name="uq_google_busy_event"),
        Index("ix_google_busy_range", "connection_id", "start_at", "end_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    connection_id: Mapped[str] = mapped_column(ID)
    calendar_id: Mapped[str] = mapped_column(String(1024))
    event_id: Mapped[str] = mapped_column(String(1024))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]


class AuthStateRow(Base):
    """An OAuth round trip in flight: the ``state`` sent to Google, the PKCE verifier, and
    the SHA-256 of the random key the starting browser keeps in a cookie (``browser``)."""

    __tablename__ = "google_auth_states"
    __table_args__ = (Index("ix_google_auth_states_created", "created_at"),)

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))  # connect | login
    business_id: Mapped[str | None] = mapped_column(ID)
    user_id: Mapped[str | None] = mapped_column(ID)
    code_verifier: Mapped[str] = mapped_column(String(128))
    browser_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
