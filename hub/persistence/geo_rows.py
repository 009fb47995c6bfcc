"""Conversions between zone rows and ``hub.domain.geo.Zone`` (polygons as [[lat, lng], …])."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from hub.domain.geo import GeoPoint, Zone
from hub.persistence.models import ZoneRow


def zone_to_row(z: Zone, row: ZoneRow | None = None) -> ZoneRow:
    row = row or ZoneRow(id=z.id, business_id=z.business_id, version=z.version)
    row.branch_id, row.name, row.active = z.branch_id, z.name, z.active
    row.centre_lat = z.centre.lat if z.centre is not None else None
    row.centre_lng = z.centre.lng if z.centre is not None else None
    row.radius_km = z.radius_km
    row.polygon = [[p.lat, p.lng] for p in z.polygon] if z.polygon else None
    return row


def zone_from_row(row: ZoneRow | Row[Any]) -> Zone:
    return Zone(
        business_id=row.business_id,
        name=row.name,
        centre=GeoPoint.maybe(row.centre_lat, row.centre_lng),
        radius_km=row.radius_km,
        polygon=tuple(GeoPoint(float(a), float(b)) for a, b in row.polygon or ()),
        branch_id=row.branch_id,
        active=row.active,
        id=row.id,
        version=row.version,
    )
