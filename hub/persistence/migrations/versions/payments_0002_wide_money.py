"""Payment amounts as BIGINT on PostgreSQL, like the prices they are paid from
(core_0003_wide_money): a deposit may be as large as a price the API accepts. SQLite's
INTEGER already holds 64 bits.

Revision ID: payments_0002_wide_money
Revises: payments_0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "payments_0002_wide_money"
down_revision: str | Sequence[str] | None = "payments_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "payments", "amount_minor", type_=sa.BigInteger(), existing_type=sa.Integer()
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "payments", "amount_minor", type_=sa.Integer(), existing_type=sa.BigInteger()
        )
