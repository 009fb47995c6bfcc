"""Booking core: setup tables, bookings, blocks, service records, audit, outbox.

On PostgreSQL the database itself refuses two overlapping bookings on a capacity-1 resource:
an exclusion constraint over the occupied time (with buffers) of time-occupying bookings.

Revision ID: core_0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "core_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("core",)
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def fk(name: str, target: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, ID, sa.ForeignKey(target), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "businesses",
        sa.Column("id", ID, primary_key=True),
        sa.Column("slug", sa.String(63), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("country", sa.String(2)),
        sa.Column("policy", JSON, nullable=False),
        sa.Column("deposit", JSON, nullable=False),
        sa.Column("refund", JSON, nullable=False),
        sa.Column("whatsapp_contact", sa.String(32)),
        sa.Column("settings", JSON, nullable=False),
    )
    op.create_table(
        "branches",
        sa.Column("id", ID, primary_key=True),
        fk("business_id", "businesses.id"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("lat", sa.Float),
        sa.Column("lng", sa.Float),
        sa.Column("coverage_km", sa.Float),
        sa.Column("rules", JSON, nullable=False),
    )
    op.create_index("ix_branches_business_id", "branches", ["business_id"])
    op.create_table(
        "resources",
        sa.Column("id", ID, primary_key=True),
        fk("business_id", "businesses.id"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("branch_ids", JSON, nullable=False),
        sa.Column("rules", JSON, nullable=False),
        sa.Column("color", sa.String(16), nullable=False),
        sa.Column("price_minor", sa.Integer),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_index("ix_resources_business_id", "resources", ["business_id"])
    op.create_table(
        "resource_groups",
        sa.Column("id", ID, primary_key=True),
        fk("business_id", "businesses.id"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("resource_ids", JSON, nullable=False),
    )
    op.create_index("ix_resource_groups_business_id", "resource_groups", ["business_id"])
    op.create_table(
        "services",
        sa.Column("id", ID, primary_key=True),
        fk("business_id", "businesses.id"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("duration_minutes", sa.Integer, nullable=False),
        sa.Column("price_minor", sa.Integer, nullable=False),
        sa.Column("pricing", sa.String(16), nullable=False),
        sa.Column("buffer_before_minutes", sa.Integer, nullable=False),
        sa.Column("buffer_after_minutes", sa.Integer, nullable=False),
        sa.Column("deposit", JSON),
        sa.Column("at_client_address", sa.Boolean, nullable=False),
        sa.Column("video_meeting", sa.Boolean, nullable=False),
        sa.Column("links", JSON, nullable=False),
        sa.Column("max_persons", sa.Integer, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_index("ix_services_business_id", "services", ["business_id"])
    op.create_table(
        "customers",
        sa.Column("id", ID, primary_key=True),
        fk("business_id", "businesses.id"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(20)),
        sa.Column("email", sa.String(320)),
        sa.Column("address", sa.Text),
    )
    op.create_index("ix_customers_business_phone", "customers", ["business_id", "phone"])
    op.create_index("ix_customers_business_email", "customers", ["business_id", "email"])
    _create_bookings()
    _create_records()


def _create_bookings() -> None:
    op.create_table(
        "bookings",
        sa.Column("id", ID, primary_key=True),
        fk("business_id", "businesses.id"),
        fk("service_id", "services.id"),
        fk("resource_id", "resources.id"),
        fk("customer_id", "customers.id"),
        sa.Column("branch_id", ID),
        sa.Column("group_id", ID),
        instant("start_at"),
        instant("end_at"),
        instant("occupied_start"),
        instant("occupied_end"),
        sa.Column("exclusive", sa.Boolean, nullable=False),
        sa.Column("at_client_address", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("persons", sa.Integer, nullable=False),
        sa.Column("price_minor", sa.Integer, nullable=False),
        sa.Column("deposit_minor", sa.Integer, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("address", sa.Text),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("invitees", JSON, nullable=False),
        sa.Column("external_ref", sa.String(200)),
        sa.Column("video_meeting", sa.Boolean, nullable=False),
        sa.Column("meeting_url", sa.Text),
        sa.Column("google_event_id", sa.String(1024)),
        sa.Column("series_id", ID),
        instant("hold_until", nullable=True),
        instant("created_at"),
        instant("updated_at", nullable=True),
        instant("confirmed_at", nullable=True),
        instant("started_at", nullable=True),
        instant("completed_at", nullable=True),
        instant("cancelled_at", nullable=True),
        instant("expired_at", nullable=True),
        instant("no_show_at", nullable=True),
        instant("client_confirmed_at", nullable=True),
        sa.Column("cancelled_by", sa.String(16)),
        sa.Column("cancel_reason", sa.Text, nullable=False),
        sa.Column("reschedule_count", sa.Integer, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.CheckConstraint("end_at > start_at", name="ck_bookings_ends_after_start"),
        sa.CheckConstraint(
            "occupied_start <= start_at AND occupied_end >= end_at",
            name="ck_bookings_occupied_covers_booking",
        ),
    )
    op.create_index(
        "ix_bookings_resource_occupied",
        "bookings",
        ["resource_id", "occupied_start", "occupied_end"],
    )
    op.create_index("ix_bookings_business_start", "bookings", ["business_id", "start_at"])
    op.create_index("ix_bookings_status_start", "bookings", ["status", "start_at"])
    op.create_index(
        "ix_bookings_hold_until",
        "bookings",
        ["hold_until"],
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("ix_bookings_customer", "bookings", ["customer_id"])
    op.create_index("ix_bookings_series", "bookings", ["series_id"])
    if op.get_bind().dialect.name == "postgresql":
        # DESIGN §3.2: the database refuses overlaps, whatever code path wrote the row.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE bookings ADD CONSTRAINT ex_bookings_no_overlap EXCLUDE USING gist "
            "(resource_id WITH =, tstzrange(occupied_start, occupied_end, '[)') WITH &&) "
            "WHERE (exclusive AND status IN ('pending', 'confirmed', 'in_progress'))"
        )


def _create_records() -> None:
    op.create_table(
        "blocks",
        sa.Column("id", ID, primary_key=True),
        fk("business_id", "businesses.id"),
        fk("resource_id", "resources.id", nullable=True),
        fk("branch_id", "branches.id", nullable=True),
        instant("start_at"),
        instant("end_at"),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("series_id", ID),
        sa.Column("external_uid", sa.String(1024)),
        sa.CheckConstraint("end_at > start_at", name="ck_blocks_ends_after_start"),
    )
    op.create_index("ix_blocks_resource_range", "blocks", ["resource_id", "start_at", "end_at"])
    op.create_index("ix_blocks_branch_range", "blocks", ["branch_id", "start_at", "end_at"])
    op.create_index("ix_blocks_business_start", "blocks", ["business_id", "start_at"])
    op.create_index("ix_blocks_series", "blocks", ["series_id"])
    op.create_index("ix_blocks_external_uid", "blocks", ["external_uid"])
    op.create_table(
        "service_records",
        sa.Column("id", ID, primary_key=True),
        fk("business_id", "businesses.id"),
        fk("booking_id", "bookings.id"),
        sa.Column("service_id", ID, nullable=False),
        sa.Column("resource_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        instant("performed_at"),
        sa.Column("charged_minor", sa.Integer, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
    )
    op.create_index("ix_service_records_booking_id", "service_records", ["booking_id"])
    op.create_index("ix_service_records_customer_id", "service_records", ["customer_id"])
    op.create_table(
        "audit_entries",
        sa.Column("id", ID, primary_key=True),
        sa.Column("business_id", ID, nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", ID, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("actor_id", ID),
        instant("at"),
        sa.Column("data", JSON, nullable=False),
        _seq_column(),
    )
    _seq_trigger("audit_entries")
    op.create_index(
        "ix_audit_entity", "audit_entries", ["business_id", "entity", "entity_id", "seq"]
    )
    op.create_table(
        "outbox_events",
        sa.Column("id", ID, primary_key=True),
        sa.Column("business_id", ID, nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("aggregate_id", ID, nullable=False),
        sa.Column("payload", JSON, nullable=False),
        instant("created_at"),
        instant("dispatched_at", nullable=True),
        _seq_column(),
    )
    _seq_trigger("outbox_events")
    op.create_index(
        "ix_outbox_undispatched",
        "outbox_events",
        ["seq"],
        sqlite_where=sa.text("dispatched_at IS NULL"),
        postgresql_where=sa.text("dispatched_at IS NULL"),
    )
    op.create_index("ix_outbox_aggregate", "outbox_events", ["aggregate_id", "seq"])


def _seq_trigger(table: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"CREATE TRIGGER {table}_seq AFTER INSERT ON {table} WHEN NEW.seq IS NULL BEGIN "
            f"UPDATE {table} SET seq = NEW.rowid WHERE rowid = NEW.rowid; END"
        )


def _seq_column() -> sa.Column[object]:
    """Insertion order of rows that often share a timestamp (one transaction writes several):
    an identity on PostgreSQL, the rowid (copied by a trigger) on SQLite."""
    if op.get_bind().dialect.name == "sqlite":
        return sa.Column("seq", sa.BigInteger, nullable=True)
    return sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False)


def downgrade() -> None:
    for table in (
        "outbox_events",
        "audit_entries",
        "service_records",
        "blocks",
        "bookings",
        "customers",
        "services",
        "resource_groups",
        "resources",
        "branches",
        "businesses",
    ):
        op.drop_table(table)
