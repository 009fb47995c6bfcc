"""Client history by a one-time code: the codes sent to a client's phone or email (only a
hash of each code and of the contact it went to), with when they expire, how many wrong
tries they took and when they were used.

Its own branch from the core (it needs only ``businesses``).

Revision ID: history_0001
Revises: core_0001
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "history_0001"
down_revision: str | Sequence[str] | None = "core_0001"
branch_labels: str | Sequence[str] | None = ("history",)
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "history_codes",
        sa.Column("id", ID, primary_key=True),
        sa.Column("business_id", ID, sa.ForeignKey("businesses.id"), nullable=False),
        sa.Column("contact_key", sa.String(64), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False, index=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", WHEN, nullable=True),
    )
    op.create_index(
        "ix_history_codes_contact", "history_codes", ["business_id", "contact_key", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_history_codes_contact", table_name="history_codes")
    op.drop_table("history_codes")
