"""CalDAV: beside each repeating event of a personal calendar, its timing (what says when it
happens, cut out of the event by ``caldav_server.timing``), so that time-range queries no
longer read the whole event; filled in for the events already stored.

Revision ID: caldav_0003
Revises: caldav_0002
Create Date: 2027-01-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from caldav_server.timing import timing

revision: str = "caldav_0003"
down_revision: str | Sequence[str] | None = "caldav_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENTS = sa.table(
    "caldav_personal_events",
    sa.column("id", sa.String(36)),
    sa.column("ics", sa.Text()),
    sa.column("recurring", sa.Boolean()),
    sa.column("timing", sa.Text()),
)


def upgrade() -> None:
    op.add_column("caldav_personal_events", sa.Column("timing", sa.Text(), nullable=True))
    bind = op.get_bind()
    ids = bind.scalars(sa.select(EVENTS.c.id).where(EVENTS.c.recurring.is_(True))).all()
    for row_id in ids:  # one event in memory at a time, however many there are
        ics = bind.scalar(sa.select(EVENTS.c.ics).where(EVENTS.c.id == row_id))
        bind.execute(sa.update(EVENTS).where(EVENTS.c.id == row_id).values(timing=timing(ics)))


def downgrade() -> None:
    op.drop_column("caldav_personal_events", "timing")
