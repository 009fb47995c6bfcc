"""SQLAlchemy ORM rows of the booking core (setup, bookings, blocks, records, audit, outbox).

Rows are not the domain: repositories convert between these and ``hub.domain`` objects.
The schema itself is created by the Alembic revisions in ``migrations/``, never by
``create_all``; a test checks that the two agree. The setup rows a booking's calendar event
is rendered from (business, branch, resource, service, customer) carry a ``version`` that
the repositories bump on every change to the row; the event's ETag derives from them.
Tables of other parts of the product (users, webhooks, Google connections…) belong to those
parts, not here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from hub.persistence.columns import UTCDateTime, json_type, money_type

ID = String(36)
OCCUPYING_SQL = "status IN ('pending', 'confirmed', 'in_progress')"


class Base(DeclarativeBase):
    type_annotation_map = {
        datetime: UTCDateTime(),
        dict[str, Any]: json_type(),
        list[str]: json_type(),
        list[dict[str, Any]]: json_type(),
    }


class BusinessRow(Base):
    __tablename__ = "businesses"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    language: Mapped[str] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(2))
    policy: Mapped[dict[str, Any]]
    deposit: Mapped[dict[str, Any]]
    refund: Mapped[dict[str, Any]]
    whatsapp_contact: Mapped[str | None] = mapped_column(String(32))
    settings: Mapped[dict[str, Any]]
    travel_detour: Mapped[float] = mapped_column(Float, server_default=text("1.4"))
    travel_speed_kmh: Mapped[float] = mapped_column(Float, server_default=text("25"))
    travel_overhead_minutes: Mapped[float] = mapped_column(Float, server_default=text("5"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))


class BranchRow(Base):
    __tablename__ = "branches"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID, ForeignKey("businesses.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    coverage_km: Mapped[float | None] = mapped_column(Float)
    coverage_mode: Mapped[str] = mapped_column(String(16), server_default=text("'refuse'"))
    rules: Mapped[dict[str, Any]]  # {"weekly": [...], "exceptions": [...]}
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))


class ResourceRow(Base):
    __tablename__ = "resources"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID, ForeignKey("businesses.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    capacity: Mapped[int] = mapped_column(Integer)
    branch_ids: Mapped[list[str]]
    rules: Mapped[dict[str, Any]]
    color: Mapped[str] = mapped_column(String(16))
    price_minor: Mapped[int | None] = mapped_column(money_type())
    active: Mapped[bool] = mapped_column(Boolean)
    base_lat: Mapped[float | None] = mapped_column(Float)
    base_lng: Mapped[float | None] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))


class GroupRow(Base):
    __tablename__ = "resource_groups"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID, ForeignKey("businesses.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    resource_ids: Mapped[list[str]]


class ServiceRow(Base):
    __tablename__ = "services"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID, ForeignKey("businesses.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    price_minor: Mapped[int] = mapped_column(money_type())
    pricing: Mapped[str] = mapped_column(String(16))
    buffer_before_minutes: Mapped[int] = mapped_column(Integer)
    buffer_after_minutes: Mapped[int] = mapped_column(Integer)
    deposit: Mapped[dict[str, Any] | None]
    at_client_address: Mapped[bool] = mapped_column(Boolean)
    video_meeting: Mapped[bool] = mapped_column(Boolean)
    links: Mapped[dict[str, Any]]  # {"resource_ids": [...], "group_ids": [...]}
    max_persons: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))


class CustomerRow(Base):
    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_business_phone", "business_id", "phone"),
        Index("ix_customers_business_email", "business_id", "email"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID, ForeignKey("businesses.id"))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(320))
    address: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))


class BookingRow(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_resource_occupied", "resource_id", "occupied_start", "occupied_end"),
        Index("ix_bookings_business_start", "business_id", "start_at"),
        Index("ix_bookings_business_created", "business_id", "created_at"),
        Index("ix_bookings_status_start", "status", "start_at"),
        Index(
            "ix_bookings_hold_until",
            "hold_until",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_bookings_customer", "customer_id"),
        Index("ix_bookings_series", "series_id"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID, ForeignKey("businesses.id"))
    service_id: Mapped[str] = mapped_column(ID, ForeignKey("services.id"))
    resource_id: Mapped[str] = mapped_column(ID, ForeignKey("resources.id"))
    customer_id: Mapped[str] = mapped_column(ID, ForeignKey("customers.id"))
    branch_id: Mapped[str | None] = mapped_column(ID)
    group_id: Mapped[str | None] = mapped_column(ID)
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    occupied_start: Mapped[datetime]
    occupied_end: Mapped[datetime]
    exclusive: Mapped[bool] = mapped_column(Boolean)
    at_client_address: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    persons: Mapped[int] = mapped_column(Integer)
    price_minor: Mapped[int] = mapped_column(money_type())
    deposit_minor: Mapped[int] = mapped_column(money_type())
    currency: Mapped[str] = mapped_column(String(3))
    address: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    zone_id: Mapped[str | None] = mapped_column(ID)
    needs_review: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # What the meeting is called ('' : its calendar copies say "service — client").
    title: Mapped[str] = mapped_column(String(200), server_default=text("''"))
    notes: Mapped[str] = mapped_column(Text)
    # Invitees with their own link token and answer: [{id, email, name, response,
    # responded_at, token}]. On the row, so every view of the booking (and its ETag and
    # CalDAV change log) moves with an answer.
    invitees: Mapped[list[dict[str, Any]]]
    # Who the booking is for as typed when it was made (NULL: as the customer record says).
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    external_ref: Mapped[str | None] = mapped_column(String(200))
    video_meeting: Mapped[bool] = mapped_column(Boolean)
    meeting_url: Mapped[str | None] = mapped_column(Text)
    google_event_id: Mapped[str | None] = mapped_column(String(1024))
    series_id: Mapped[str | None] = mapped_column(ID)
    # The staff member (user id) who made the booking, who hears about it as its organizer.
    organizer_id: Mapped[str | None] = mapped_column(ID)
    hold_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    expired_at: Mapped[datetime | None]
    no_show_at: Mapped[datetime | None]
    client_confirmed_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(16))
    cancel_reason: Mapped[str] = mapped_column(Text)
    reschedule_count: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer)

    # Optimistic concurrency: UPDATE … WHERE version = <the version read>; the domain
    # object sets the new value itself (Booking._touch).
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class ZoneRow(Base):
    """A named area a business serves: centre + radius, or a polygon ([[lat, lng], …])."""

    __tablename__ = "zones"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID, ForeignKey("businesses.id"), index=True)
    branch_id: Mapped[str | None] = mapped_column(ID)
    name: Mapped[str] = mapped_column(String(200))
    centre_lat: Mapped[float | None] = mapped_column(Float)
    centre_lng: Mapped[float | None] = mapped_column(Float)
    radius_km: Mapped[float | None] = mapped_column(Float)
    polygon: Mapped[list[Any] | None] = mapped_column(json_type())
    active: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))


class BlockRow(Base):
    __tablename__ = "blocks"
    __table_args__ = (
        Index("ix_blocks_resource_range", "resource_id", "start_at", "end_at"),
        Index("ix_blocks_branch_range", "branch_id", "start_at", "end_at"),
        Index("ix_blocks_business_start", "business_id", "start_at"),
        Index("ix_blocks_series", "series_id"),
        Index("ix_blocks_external_uid", "external_uid"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID, ForeignKey("businesses.id"))
    resource_id: Mapped[str | None] = mapped_column(ID, ForeignKey("resources.id"))
    branch_id: Mapped[str | None] = mapped_column(ID, ForeignKey("branches.id"))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    series_id: Mapped[str | None] = mapped_column(ID)
    external_uid: Mapped[str | None] = mapped_column(String(1024))


class ServiceRecordRow(Base):
    __tablename__ = "service_records"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID, ForeignKey("businesses.id"))
    booking_id: Mapped[str] = mapped_column(ID, ForeignKey("bookings.id"), index=True)
    service_id: Mapped[str] = mapped_column(ID)
    resource_id: Mapped[str] = mapped_column(ID)
    customer_id: Mapped[str] = mapped_column(ID, index=True)
    performed_at: Mapped[datetime]
    charged_minor: Mapped[int] = mapped_column(money_type())
    currency: Mapped[str] = mapped_column(String(3))
    notes: Mapped[str] = mapped_column(Text)


class AuditRow(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entity", "business_id", "entity", "entity_id", "seq"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(ID)
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str | None] = mapped_column(ID)
    at: Mapped[datetime]
    data: Mapped[dict[str, Any]]
    seq: Mapped[int | None] = mapped_column(BigInteger, Identity(), nullable=True)


class OutboxRow(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (
        Index(
            "ix_outbox_undispatched",
            "seq",
            sqlite_where=text("dispatched_at IS NULL"),
            postgresql_where=text("dispatched_at IS NULL"),
        ),
        Index("ix_outbox_aggregate", "aggregate_id", "seq"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID)
    type: Mapped[str] = mapped_column(String(64))
    aggregate_id: Mapped[str] = mapped_column(ID)
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    dispatched_at: Mapped[datetime | None]
    # Commit order; set by the database (identity on PostgreSQL, rowid trigger on SQLite).
    seq: Mapped[int | None] = mapped_column(BigInteger, Identity(), nullable=True)
