"""CalDAV: the change-log triggers again, now also on customers, services, resources and
branches (a rename changes the events showing them) and with branch-wide blocks logged in
every resource calendar of the branch. The DDL drops and recreates each trigger, so this
brings a database made by caldav_0001 to the current set.

Revision ID: caldav_0002
Revises: caldav_0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from caldav_server.schema import trigger_ddl, trigger_tables

revision: str = "caldav_0002"
down_revision: str | Sequence[str] | None = "caldav_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in trigger_ddl(op.get_bind().dialect.name):
        op.execute(statement)


# The triggers caldav_0001 made (its downgrade drops those).
FIRST = {
    "caldav_bookings_ins",
    "caldav_bookings_upd",
    "caldav_bookings_moved",
    "caldav_bookings_del",
    "caldav_blocks_ins",
    "caldav_blocks_del",
}


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table in trigger_tables():
        if name in FIRST:
            continue
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}_fn()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
