"""A booking's title: what the meeting is called, shown as its calendar event's SUMMARY
(CalDAV, Google, the .ics download and the invites). Every existing booking keeps none (its
events say "service — client" as before).

Plain ADD COLUMN on both backends (no table rebuild on SQLite, so the CalDAV change-log
triggers on ``bookings`` stay in place).

Revision ID: core_0006_booking_title
Revises: core_0005_geo
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0006_booking_title"
down_revision: str | Sequence[str] | None = "core_0005_geo"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "bookings",
        sa.Column("title", sa.String(200), nullable=False, server_default=sa.text("''")),
    )


def downgrade() -> None:
    op.drop_column("bookings", "title")
