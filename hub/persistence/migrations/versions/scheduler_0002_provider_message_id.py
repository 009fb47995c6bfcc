"""Notification log: the provider's id of a message sent (WhatsApp's ``wamid``), so the
delivery statuses the provider reports later (sent, delivered, read, failed) find its line.

Revision ID: scheduler_0002
Revises: scheduler_0001
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "scheduler_0002"
down_revision: str | Sequence[str] | None = "scheduler_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("notification_log", sa.Column("provider_id", sa.String(128), nullable=True))
    op.create_index("ix_notification_log_provider", "notification_log", ["provider_id"])


def downgrade() -> None:
    op.drop_index("ix_notification_log_provider", table_name="notification_log")
    op.drop_column("notification_log", "provider_id")
