"""WhatsApp replies: the messages customers sent to a business's number, what was done about
each, and which wait for the operator.

Revision ID: whatsapp_0001
Revises: core_0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "whatsapp_0001"
down_revision: str | Sequence[str] | None = "core_0001"
branch_labels: str | Sequence[str] | None = ("whatsapp",)
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)


def instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "whatsapp_inbound",
        sa.Column("id", ID, primary_key=True),
        sa.Column("business_id", ID, nullable=False),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("from_number", sa.String(32), nullable=False),
        sa.Column("profile_name", sa.String(255), nullable=True),
        sa.Column("customer_id", ID, nullable=True),
        sa.Column("booking_id", ID, nullable=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("payload", sa.String(255), nullable=True),
        sa.Column("intent", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("needs_operator", sa.Boolean(), nullable=False),
        instant("received_at"),
        instant("created_at"),
        instant("handled_at", nullable=True),
        sa.UniqueConstraint("business_id", "message_id", name="uq_whatsapp_inbound_message"),
    )
    op.create_index(
        "ix_whatsapp_inbound_operator",
        "whatsapp_inbound",
        ["business_id", "needs_operator", "received_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_whatsapp_inbound_operator", "whatsapp_inbound")
    op.drop_table("whatsapp_inbound")
