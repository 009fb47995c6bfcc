"""Versions on the setup rows a booking's calendar event is rendered from: businesses,
branches, resources, services and customers get a ``version`` (1 for every existing row),
which the repositories bump on every change to the row. A booking's CalDAV ETag derives
from its own version and theirs.

A plain ADD COLUMN on both backends (no table rebuild on SQLite, so the CalDAV change-log
triggers on these tables stay in place).

Revision ID: core_0004_setup_versions
Revises: core_0003_wide_money
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0004_setup_versions"
down_revision: str | Sequence[str] | None = "core_0003_wide_money"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("businesses", "branches", "resources", "services", "customers")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table,
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")),
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "version")
