"""Google connector: each connection keeps its current access token (sealed, with its expiry)
so every process reuses it instead of asking Google for one per call; each OAuth state names
the browser that started the round trip (the SHA-256 of the key in its cookie), and states
are found by age to be purged. States in flight when this runs are dropped: they were not
bound to a browser, and a new round trip takes a click.

Revision ID: google_0002
Revises: google_0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "google_0002"
down_revision: str | Sequence[str] | None = "google_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("google_connections") as table:
        table.add_column(sa.Column("access_token", sa.Text, nullable=True))
        table.add_column(sa.Column("access_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("DELETE FROM google_auth_states")
    with op.batch_alter_table("google_auth_states") as table:
        table.add_column(
            sa.Column("browser_hash", sa.String(64), nullable=False, server_default="")
        )
    op.create_index("ix_google_auth_states_created", "google_auth_states", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_google_auth_states_created", "google_auth_states")
    with op.batch_alter_table("google_auth_states") as table:
        table.drop_column("browser_hash")
    with op.batch_alter_table("google_connections") as table:
        table.drop_column("access_expires_at")
        table.drop_column("access_token")
