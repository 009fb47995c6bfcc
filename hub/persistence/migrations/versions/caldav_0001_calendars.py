"""CalDAV: per-calendar change log (with tombstones) kept by triggers, events clients put
into resource calendars, personal calendars and their events, ICS feed tokens.

Revision ID: caldav_0001
Revises: core_0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from caldav_server.schema import trigger_ddl

revision: str = "caldav_0001"
down_revision: str | Sequence[str] | None = "core_0001"
branch_labels: str | Sequence[str] | None = ("caldav",)
depends_on: str | Sequence[str] | None = "accounts_0001"

ID = sa.String(36)
HREF = sa.String(512)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "caldav_calendar_seq",
        sa.Column("calendar_id", ID, primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "caldav_changes",
        sa.Column("calendar_id", ID, primary_key=True),
        sa.Column("href", HREF, primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_caldav_changes_calendar_seq", "caldav_changes", ["calendar_id", "seq"])
    op.create_table(
        "caldav_client_items",
        sa.Column("id", ID, primary_key=True),
        sa.Column("calendar_id", ID, nullable=False),
        sa.Column("business_id", ID, nullable=False),
        sa.Column("href", HREF, nullable=False),
        sa.Column("uid", sa.String(1024), nullable=False),
        sa.Column("ics", sa.Text(), nullable=False),
        sa.Column("etag", sa.String(80), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.UniqueConstraint("calendar_id", "href", name="uq_caldav_client_items_href"),
    )
    op.create_index("ix_caldav_client_items_uid", "caldav_client_items", ["calendar_id", "uid"])
    op.create_table(
        "caldav_personal_calendars",
        sa.Column("id", ID, primary_key=True),
        sa.Column("owner_id", ID, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("business_id", ID, nullable=True),
        sa.Column("name", HREF, nullable=False),
        sa.Column("displayname", sa.String(200), nullable=False),
        sa.Column("color", sa.String(16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.UniqueConstraint("owner_id", "name", name="uq_caldav_personal_name"),
    )
    op.create_table(
        "caldav_personal_events",
        sa.Column("id", ID, primary_key=True),
        sa.Column(
            "calendar_id",
            ID,
            sa.ForeignKey("caldav_personal_calendars.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("href", HREF, nullable=False),
        sa.Column("uid", sa.String(1024), nullable=False),
        sa.Column("ics", sa.Text(), nullable=False),
        sa.Column("etag", sa.String(80), nullable=False),
        sa.Column("start_at", WHEN, nullable=True),
        sa.Column("end_at", WHEN, nullable=True),
        sa.Column("opaque", sa.Boolean(), nullable=False),
        sa.Column("recurring", sa.Boolean(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.UniqueConstraint("calendar_id", "href", name="uq_caldav_personal_events_href"),
    )
    op.create_index(
        "ix_caldav_personal_events_range",
        "caldav_personal_events",
        ["calendar_id", "start_at", "end_at"],
    )
    op.create_index(
        "ix_caldav_personal_events_uid", "caldav_personal_events", ["calendar_id", "uid"]
    )
    op.create_table(
        "caldav_feed_tokens",
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column("business_id", ID, nullable=False),
        sa.Column("resource_id", ID, nullable=False, unique=True),
        sa.Column("created_at", WHEN, nullable=False),
    )
    for statement in trigger_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    for name, table in (
        ("caldav_bookings_ins", "bookings"),
        ("caldav_bookings_upd", "bookings"),
        ("caldav_bookings_moved", "bookings"),
        ("caldav_bookings_del", "bookings"),
        ("caldav_blocks_ins", "blocks"),
        ("caldav_blocks_del", "blocks"),
    ):
        if bind.dialect.name == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for table in (
        "caldav_feed_tokens",
        "caldav_personal_events",
        "caldav_personal_calendars",
        "caldav_client_items",
        "caldav_changes",
        "caldav_calendar_seq",
    ):
        op.drop_table(table)
    if bind.dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS caldav_touch(text, text, boolean)")
