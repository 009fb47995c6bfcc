"""Accounts: console sessions kept by the server (a hash of each cookie's random token, so
signing out, a password change or removing a user ends them), and failed-login counters
for the sign-in throttle, which replace the per-user lockout columns.

Revision ID: accounts_0002_sessions
Revises: accounts_0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "accounts_0002_sessions"
down_revision: str | Sequence[str] | None = "accounts_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("id", ID, primary_key=True),
        sa.Column("user_id", ID, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False, index=True),
        sa.Column("last_seen_at", WHEN, nullable=False),
    )
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", WHEN, nullable=False, index=True),
        sa.Column("blocked_until", WHEN, nullable=True),
    )
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35 too): rebuilding ``users`` the batch
    # way would trip over the rows that reference it.
    op.drop_column("users", "locked_until")
    op.drop_column("users", "failed_logins")


def downgrade() -> None:
    op.add_column(
        "users", sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("users", sa.Column("locked_until", WHEN, nullable=True))
    op.drop_table("login_failures")
    op.drop_table("console_sessions")
