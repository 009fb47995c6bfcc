"""Payments: deposit payments of bookings, with their refunds.

Revision ID: payments_0001
Revises: core_0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "payments_0001"
down_revision: str | Sequence[str] | None = "core_0001"
branch_labels: str | Sequence[str] | None = ("payments",)
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", ID, primary_key=True),
        sa.Column("business_id", ID, sa.ForeignKey("businesses.id"), nullable=False, index=True),
        sa.Column("booking_id", ID, sa.ForeignKey("bookings.id"), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("checkout_id", sa.String(255), nullable=True),
        sa.Column("checkout_url", sa.Text(), nullable=True),
        sa.Column("provider_payment_id", sa.String(255), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refunds", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("booking_id", "provider", name="uq_payments_booking"),
    )


def downgrade() -> None:
    op.drop_table("payments")
