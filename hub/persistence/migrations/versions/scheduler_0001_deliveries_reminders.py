"""Background work: delivery records per (outbox event, consumer), notification log,
reminders by due time, periodic task runs.

Revision ID: scheduler_0001
Revises: core_0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "scheduler_0001"
down_revision: str | Sequence[str] | None = "core_0001"
branch_labels: str | Sequence[str] | None = ("scheduler",)
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)


def instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", ID, primary_key=True),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("consumer", sa.String(64), nullable=False),
        sa.Column("business_id", ID, nullable=False),
        sa.Column("aggregate_id", ID, nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        instant("next_attempt_at"),
        instant("claimed_until", nullable=True),
        sa.Column("claim_token", sa.String(36)),
        sa.Column("last_error", sa.Text, nullable=False),
        instant("created_at"),
        instant("finished_at", nullable=True),
        sa.UniqueConstraint("event_id", "consumer", name="uq_deliveries_event_consumer"),
    )
    op.create_index(
        "ix_deliveries_pending_due",
        "deliveries",
        ["next_attempt_at"],
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("ix_deliveries_status", "deliveries", ["status"])

    op.create_table(
        "notification_log",
        sa.Column("id", ID, primary_key=True),
        sa.Column("business_id", ID, nullable=False),
        sa.Column("booking_id", ID, nullable=False),
        sa.Column("event_id", ID),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        instant("at"),
    )
    op.create_index(
        "ix_notification_log_booking", "notification_log", ["business_id", "booking_id", "at"]
    )

    op.create_table(
        "reminders",
        sa.Column("id", ID, primary_key=True),
        sa.Column("business_id", ID, nullable=False),
        sa.Column("booking_id", ID, nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("minutes_before", sa.Integer, nullable=False),
        instant("start_at"),
        instant("due_at"),
        sa.Column("status", sa.String(16), nullable=False),
        instant("fired_at", nullable=True),
        sa.Column("event_id", ID),
        sa.UniqueConstraint("booking_id", "channel", "minutes_before", name="uq_reminders_slot"),
    )
    op.create_index(
        "ix_reminders_pending_due",
        "reminders",
        ["due_at"],
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )

    op.create_table(
        "periodic_runs",
        sa.Column("name", sa.String(64), primary_key=True),
        instant("last_started_at"),
        instant("last_finished_at", nullable=True),
        sa.Column("last_status", sa.String(16), nullable=False),
        sa.Column("last_summary", sa.Text, nullable=False),
        sa.Column("runs", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("periodic_runs")
    op.drop_index("ix_reminders_pending_due", table_name="reminders")
    op.drop_table("reminders")
    op.drop_index("ix_notification_log_booking", table_name="notification_log")
    op.drop_table("notification_log")
    op.drop_index("ix_deliveries_status", table_name="deliveries")
    op.drop_index("ix_deliveries_pending_due", table_name="deliveries")
    op.drop_table("deliveries")
