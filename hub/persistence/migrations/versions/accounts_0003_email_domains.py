"""Accounts: email domains a business claims (pending until the emailed link is opened;
verified at one business only), and how a staff member joined (``joined_via``: set when a
Google sign-in on a claimed domain created them).

Revision ID: accounts_0003_email_domains
Revises: accounts_0002_sessions
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "accounts_0003_email_domains"
down_revision: str | Sequence[str] | None = "accounts_0002_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)
WHEN = sa.DateTime(timezone=True)
VERIFIED = sa.text("verified_at IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "email_domains",
        sa.Column("id", ID, primary_key=True),
        sa.Column("business_id", ID, sa.ForeignKey("businesses.id"), nullable=False, index=True),
        sa.Column("domain", sa.String(253), nullable=False),
        sa.Column("verify_address", sa.String(254), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("token_expires_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("verified_at", WHEN, nullable=True),
        sa.UniqueConstraint("business_id", "domain", name="uq_email_domains_business_domain"),
    )
    op.create_index(
        "uq_email_domains_verified",
        "email_domains",
        ["domain"],
        unique=True,
        sqlite_where=VERIFIED,
        postgresql_where=VERIFIED,
    )
    op.add_column("users", sa.Column("joined_via", sa.String(32), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "joined_via")
    op.drop_index("uq_email_domains_verified", table_name="email_domains")
    op.drop_table("email_domains")
