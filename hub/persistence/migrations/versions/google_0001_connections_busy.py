"""Google connector: connections (encrypted refresh token, sync tokens, watch channel,
broken flag), busy intervals pulled from Google, OAuth states in flight.

Revision ID: google_0001
Revises: core_0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "google_0001"
down_revision: str | Sequence[str] | None = "core_0001"
branch_labels: str | Sequence[str] | None = ("google",)
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "google_connections",
        sa.Column("id", ID, primary_key=True),
        sa.Column("business_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("google_email", sa.String(320), nullable=False),
        sa.Column("resource_ids", JSON, nullable=False),
        sa.Column("calendar_id", sa.String(1024), nullable=False),
        sa.Column("busy_calendar_ids", JSON, nullable=False),
        sa.Column("refresh_token", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("broken_reason", sa.Text, nullable=False),
        sa.Column("sync_tokens", JSON, nullable=False),
        sa.Column("channel_id", sa.String(64)),
        sa.Column("channel_resource_id", sa.String(255)),
        sa.Column("channel_token", sa.String(64)),
        instant("channel_expires_at", nullable=True),
        instant("last_synced_at", nullable=True),
        instant("created_at"),
        instant("updated_at"),
        sa.UniqueConstraint("business_id", "user_id", name="uq_google_connections_user"),
    )
    op.create_index("ix_google_connections_channel", "google_connections", ["channel_id"])
    op.create_table(
        "google_busy",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("connection_id", ID, nullable=False),
        sa.Column("calendar_id", sa.String(1024), nullable=False),
        sa.Column("event_id", sa.String(1024), nullable=False),
        instant("start_at"),
        instant("end_at"),
        sa.UniqueConstraint(
            "connection_id", "calendar_id", "event_id", name="uq_google_busy_event"
        ),
    )
    op.create_index("ix_google_busy_range", "google_busy", ["connection_id", "start_at", "end_at"])
    op.create_table(
        "google_auth_states",
        sa.Column("state", sa.String(64), primary_key=True),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("business_id", ID),
        sa.Column("user_id", ID),
        sa.Column("code_verifier", sa.String(128), nullable=False),
        instant("created_at"),
    )


def downgrade() -> None:
    op.drop_table("google_auth_states")
    op.drop_index("ix_google_busy_range", "google_busy")
    op.drop_table("google_busy")
    op.drop_index("ix_google_connections_channel", "google_connections")
    op.drop_table("google_connections")
