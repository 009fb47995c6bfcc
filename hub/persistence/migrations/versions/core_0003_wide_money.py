"""Money columns wide enough for every amount the API accepts: prices up to 10^12 minor units
(the documented maximum), a booking's price for up to 100 persons, its deposit and what a
service record charged — BIGINT on PostgreSQL, where INTEGER stops at 2^31 - 1. SQLite's
INTEGER already holds 64 bits, so nothing changes there.

Revision ID: core_0003_wide_money
Revises: core_0002_invitees_contact
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0003_wide_money"
down_revision: str | Sequence[str] | None = "core_0002_invitees_contact"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("resources", "price_minor"),
    ("services", "price_minor"),
    ("bookings", "price_minor"),
    ("bookings", "deposit_minor"),
    ("service_records", "charged_minor"),
)


def _retype(old: sa.types.TypeEngine[int], new: sa.types.TypeEngine[int]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=new, existing_type=old)


def upgrade() -> None:
    _retype(sa.Integer(), sa.BigInteger())


def downgrade() -> None:
    _retype(sa.BigInteger(), sa.Integer())
