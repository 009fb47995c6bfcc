"""Meetings: a booking made by a staff member keeps who organised it (``organizer_id``, the
user), and a staff member may give a WhatsApp number (``users.phone``) to hear about the
bookings they organise.

Plain ADD COLUMN on both backends (no table rebuild on SQLite, so the CalDAV change-log
triggers on ``bookings`` stay in place). Every existing booking keeps no organizer.

Revision ID: meetings_0001
Revises: core_0004_setup_versions (and needs accounts_0001, the users table)
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "meetings_0001"
down_revision: str | Sequence[str] | None = "core_0004_setup_versions"
branch_labels: str | Sequence[str] | None = ("meetings",)
depends_on: str | Sequence[str] | None = ("accounts_0001",)  # users.phone


def upgrade() -> None:
    op.add_column("bookings", sa.Column("organizer_id", sa.String(36), nullable=True))
    op.add_column("users", sa.Column("phone", sa.String(32), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "phone")
    op.drop_column("bookings", "organizer_id")
