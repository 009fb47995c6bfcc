"""CalDAV: the properties a client sets on a personal calendar beyond its name, colour and
description (calendar-order, calendar-timezone, the component set it was made for, any dead
property), kept as a JSON object beside it.

Revision ID: caldav_0004
Revises: caldav_0003
Create Date: 2027-01-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "caldav_0004"
down_revision: str | Sequence[str] | None = "caldav_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "caldav_personal_calendars",
        sa.Column("properties", sa.Text(), nullable=False, server_default="{}"),
    )


def downgrade() -> None:
    op.drop_column("caldav_personal_calendars", "properties")
