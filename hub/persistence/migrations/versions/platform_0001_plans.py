"""Platform plans: a business can be suspended by the platform and given a monthly booking
quota (with the month its admins were last told it was reached); bookings get an index by
business and creation time, which the quota count and the platform's usage read.

Revision ID: platform_0001
Revises: core_0004_setup_versions
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "platform_0001"
down_revision: str | Sequence[str] | None = "core_0004_setup_versions"
branch_labels: str | Sequence[str] | None = ("platform",)
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)


def upgrade() -> None:
    op.create_table(
        "business_plans",
        sa.Column(
            "business_id", ID, sa.ForeignKey("businesses.id"), primary_key=True, nullable=False
        ),
        sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suspended_reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("monthly_quota", sa.Integer(), nullable=True),
        sa.Column("quota_notice_month", sa.String(7), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "monthly_quota IS NULL OR monthly_quota >= 0", name="ck_business_plans_quota"
        ),
    )
    op.create_index("ix_bookings_business_created", "bookings", ["business_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_bookings_business_created", "bookings")
    op.drop_table("business_plans")
