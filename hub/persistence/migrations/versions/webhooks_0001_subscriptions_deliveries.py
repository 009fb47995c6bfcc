"""CRM webhooks: subscriptions (secret, previous secret during a rotation), one delivery per
(subscription, event), one log line per attempt.

Revision ID: webhooks_0001
Revises: core_0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "webhooks_0001"
down_revision: str | Sequence[str] | None = "core_0001"
branch_labels: str | Sequence[str] | None = ("webhooks",)
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", ID, primary_key=True),
        sa.Column("business_id", ID, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("event_types", JSON, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("previous_secret", sa.String(100)),
        instant("previous_secret_expires_at", nullable=True),
        instant("failing_since", nullable=True),
        instant("disabled_at", nullable=True),
        sa.Column("disabled_reason", sa.Text, nullable=False),
        instant("created_at"),
        instant("updated_at"),
    )
    op.create_index("ix_webhook_subscriptions_business", "webhook_subscriptions", ["business_id"])

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("subscription_id", ID, nullable=False),
        sa.Column("business_id", ID, nullable=False),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        instant("next_attempt_at"),
        instant("claimed_until", nullable=True),
        sa.Column("claim_token", sa.String(36)),
        sa.Column("last_status_code", sa.Integer),
        sa.Column("last_error", sa.Text, nullable=False),
        instant("created_at"),
        instant("finished_at", nullable=True),
        sa.UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_event"),
    )
    op.create_index(
        "ix_webhook_deliveries_due",
        "webhook_deliveries",
        ["next_attempt_at"],
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_webhook_deliveries_subscription",
        "webhook_deliveries",
        ["subscription_id", "created_at"],
    )

    op.create_table(
        "webhook_attempts",
        sa.Column("id", ID, primary_key=True),
        sa.Column("delivery_id", sa.String(64), nullable=False),
        sa.Column("subscription_id", ID, nullable=False),
        sa.Column("business_id", ID, nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        instant("at"),
        sa.Column("status_code", sa.Integer),
        sa.Column("latency_ms", sa.Integer, nullable=False),
        sa.Column("response_head", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
    )
    op.create_index("ix_webhook_attempts_delivery", "webhook_attempts", ["delivery_id", "attempt"])
    op.create_index(
        "ix_webhook_attempts_subscription", "webhook_attempts", ["subscription_id", "at"]
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_attempts_subscription", table_name="webhook_attempts")
    op.drop_index("ix_webhook_attempts_delivery", table_name="webhook_attempts")
    op.drop_table("webhook_attempts")
    op.drop_index("ix_webhook_deliveries_subscription", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index("ix_webhook_subscriptions_business", table_name="webhook_subscriptions")
    op.drop_table("webhook_subscriptions")
