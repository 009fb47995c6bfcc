"""At-address services on the map: the zones a business serves, where each booking is, how a
branch treats an address outside its coverage, the business's travel-time settings and where
each worker starts the day.

- ``zones``: named areas (centre + radius in km, or a polygon as ``[[lat, lng], …]``) of a
  business, optionally of one branch; archived ones stay (bookings name them).
- ``bookings``: ``latitude``/``longitude``, ``zone_id`` and ``needs_review`` (booked outside
  coverage when the branch accepts and flags such bookings).
- ``branches.coverage_mode``: ``refuse`` (default) or ``flag``; the base is the branch's
  existing ``lat``/``lng`` and the radius its existing ``coverage_km``.
- ``businesses.travel_detour``/``travel_speed_kmh``/``travel_overhead_minutes``: the
  straight-line travel estimate (defaults 1.4, 25 km/h, 5 minutes).
- ``resources.base_lat``/``base_lng``: where a worker starts from (home, the depot).

Plain ADD COLUMN on both backends (no table rebuild on SQLite, so the CalDAV change-log
triggers on these tables stay in place).

Revision ID: core_0005_geo
Revises: core_0004_setup_versions
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "core_0005_geo"
down_revision: str | Sequence[str] | None = "core_0004_setup_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ID = sa.String(36)


def _columns() -> list[tuple[str, sa.Column]]:  # type: ignore[type-arg]
    return [
        (
            "businesses",
            sa.Column("travel_detour", sa.Float, nullable=False, server_default=sa.text("1.4")),
        ),
        (
            "businesses",
            sa.Column("travel_speed_kmh", sa.Float, nullable=False, server_default=sa.text("25")),
        ),
        (
            "businesses",
            sa.Column(
                "travel_overhead_minutes", sa.Float, nullable=False, server_default=sa.text("5")
            ),
        ),
        (
            "branches",
            sa.Column(
                "coverage_mode", sa.String(16), nullable=False, server_default=sa.text("'refuse'")
            ),
        ),
        ("resources", sa.Column("base_lat", sa.Float)),
        ("resources", sa.Column("base_lng", sa.Float)),
        ("bookings", sa.Column("latitude", sa.Float)),
        ("bookings", sa.Column("longitude", sa.Float)),
        ("bookings", sa.Column("zone_id", ID)),
        (
            "bookings",
            sa.Column("needs_review", sa.Boolean, nullable=False, server_default=sa.text("false")),
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "zones",
        sa.Column("id", ID, primary_key=True),
        sa.Column("business_id", ID, sa.ForeignKey("businesses.id"), nullable=False),
        sa.Column("branch_id", ID),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("centre_lat", sa.Float),
        sa.Column("centre_lng", sa.Float),
        sa.Column("radius_km", sa.Float),
        sa.Column("polygon", JSON),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1")),
    )
    op.create_index("ix_zones_business_id", "zones", ["business_id"])
    for table, column in _columns():
        op.add_column(table, column)


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy would drop the tables' triggers.
    for table, column in reversed(_columns()):
        op.drop_column(table, column.name)
    op.drop_index("ix_zones_business_id", table_name="zones")
    op.drop_table("zones")
