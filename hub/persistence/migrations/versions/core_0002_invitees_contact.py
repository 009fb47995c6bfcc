"""Bookings: each invitee gets a link of their own and an answer, and a booking keeps the
contact it was made with.

``invitees`` was a list of addresses; it becomes a list of invitees
(``{id, email, name, response, responded_at, token}``), each existing address given its own
random link token. ``contact_name``/``contact_phone``/``contact_email`` hold who the booking
is for as typed (NULL on older bookings: as their customer record says). Downgrading keeps
the addresses and drops names, answers, links and contacts.

Revision ID: core_0002_invitees_contact
Revises: core_0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "core_0002_invitees_contact"
down_revision: str | Sequence[str] | None = "core_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_BOOKINGS = sa.table("bookings", sa.column("id", sa.String(36)), sa.column("invitees", JSON))


def _rewrite(change: Any) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(_BOOKINGS.c.id, _BOOKINGS.c.invitees)).all()
    for booking_id, invitees in rows:
        if not invitees:
            continue
        bind.execute(
            _BOOKINGS.update()
            .where(_BOOKINGS.c.id == booking_id)
            .values(invitees=[change(item) for item in invitees])
        )


def _invitee(item: Any) -> Any:
    if not isinstance(item, str):
        return item
    return {
        "id": str(uuid.uuid4()),
        "email": item,
        "name": "",
        "response": "needs_action",
        "responded_at": None,
        "token": secrets.token_urlsafe(24),
    }


def _address(item: Any) -> Any:
    return item["email"] if isinstance(item, dict) else item


def upgrade() -> None:
    op.add_column("bookings", sa.Column("contact_name", sa.String(200)))
    op.add_column("bookings", sa.Column("contact_phone", sa.String(20)))
    op.add_column("bookings", sa.Column("contact_email", sa.String(320)))
    _rewrite(_invitee)


def downgrade() -> None:
    _rewrite(_address)
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy would drop the bookings' triggers.
    for name in ("contact_email", "contact_phone", "contact_name"):
        op.drop_column("bookings", name)
