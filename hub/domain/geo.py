"""Places on the map for at-address services: points, zones, a branch's coverage and the
embedded travel-time model.

Pure geometry on the WGS 84 sphere (haversine) and in the plane of latitude/longitude
(ray casting), standard library only. Locating an address (geocoding) is a port in
``hub.services.ports``; road travel times from a routing engine are adapters, not here.
"""

from __future__ import annotations

import enum
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from hub.domain.errors import ValidationError

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
MAX_POLYGON_POINTS = 500
MAX_RADIUS_KM = 20000.0


def check_lat_lng(lat: float, lng: float, field_name: str = "latitude") -> None:
    """Refuse a latitude/longitude pair no place has (or NaN/inf), naming the field."""
    if not (isinstance(lat, int | float) and isinstance(lng, int | float)):
        raise ValidationError("latitude and longitude are numbers", field=field_name)
    if not math.isfinite(lat) or not -90 <= lat <= 90:
        raise ValidationError("latitude is between -90 and 90", field=field_name)
    if not math.isfinite(lng) or not -180 <= lng <= 180:
        lng_field = field_name.replace("latitude", "longitude").replace("lat", "lng")
        raise ValidationError("longitude is between -180 and 180", field=lng_field)


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A place: latitude and longitude in decimal degrees (WGS 84)."""

    lat: float
    lng: float

    def __post_init__(self) -> None:
        check_lat_lng(self.lat, self.lng)

    @classmethod
    def maybe(cls, lat: float | None, lng: float | None) -> GeoPoint | None:
        """The point, or None when either coordinate is missing."""
        if lat is None or lng is None:
            return None
        return cls(lat, lng)


def distance_km(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle (haversine) distance in kilometres."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlmb = math.radians(b.lng - a.lng)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def in_polygon(point: GeoPoint, polygon: Sequence[GeoPoint]) -> bool:
    """Ray casting (even-odd rule) in the lat/lng plane; fine for city-sized areas that do
    not cross the antimeridian. A point exactly on an edge may fall either side."""
    inside = False
    x, y = point.lng, point.lat
    n = len(polygon)
    for i in range(n):
        a, b = polygon[i], polygon[i - 1]
        if (a.lat > y) != (b.lat > y):
            cross = (b.lng - a.lng) * (y - a.lat) / (b.lat - a.lat) + a.lng
            if x < cross:
                inside = not inside
    return inside


@dataclass(slots=True)
class Zone:
    """A named area a business serves: a circle (``centre`` + ``radius_km``) or a polygon.
    ``branch_id`` None: the zone belongs to every branch of the business."""

    business_id: str
    name: str
    centre: GeoPoint | None = None
    radius_km: float | None = None
    polygon: tuple[GeoPoint, ...] = ()
    branch_id: str | None = None
    active: bool = True  # archived: no longer offered; bookings keep naming it
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    version: int = field(default=1, compare=False)

    def __post_init__(self) -> None:
        self.name = self.name.strip()
        if not self.name or len(self.name) > 200:
            raise ValidationError("a zone needs a name (up to 200 characters)", field="name")
        if self.polygon:
            if self.centre is not None or self.radius_km is not None:
                raise ValidationError(
                    "a zone is a centre and radius, or a polygon, not both", field="polygon"
                )
            if not 3 <= len(self.polygon) <= MAX_POLYGON_POINTS:
                raise ValidationError(
                    f"a polygon has 3 to {MAX_POLYGON_POINTS} points", field="polygon"
                )
            return
        if self.centre is None or self.radius_km is None:
            raise ValidationError(
                "a zone needs a centre and a radius, or a polygon", field="radius_km"
            )
        if not math.isfinite(self.radius_km) or not 0 < self.radius_km <= MAX_RADIUS_KM:
            raise ValidationError(
                f"the radius is more than 0 and at most {MAX_RADIUS_KM:g} km", field="radius_km"
            )

    def contains(self, point: GeoPoint) -> bool:
        if self.polygon:
            return in_polygon(point, self.polygon)
        assert self.centre is not None and self.radius_km is not None
        return distance_km(self.centre, point) <= self.radius_km

    @property
    def middle(self) -> GeoPoint:
        """A representative point: the centre, or the polygon's vertex average (where a
        booking made by picking the zone is placed on the map)."""
        if self.centre is not None:
            return self.centre
        n = len(self.polygon)
        return GeoPoint(sum(p.lat for p in self.polygon) / n, sum(p.lng for p in self.polygon) / n)


class CoverageMode(enum.StrEnum):
    REFUSE = "refuse"  # outside coverage: not booked
    FLAG = "flag"  # outside coverage: booked, marked for the business to review


@dataclass(frozen=True, slots=True)
class CoverageVerdict:
    inside: bool
    zone: Zone | None = None  # the zone the point falls in, if any


@dataclass(frozen=True, slots=True)
class Coverage:
    """Where a branch goes: within ``radius_km`` of its ``base``, or inside any of its
    ``zones``. With neither a radius nor zones, everywhere is covered."""

    base: GeoPoint | None = None
    radius_km: float | None = None
    zones: tuple[Zone, ...] = ()
    mode: CoverageMode = CoverageMode.REFUSE

    @property
    def limited(self) -> bool:
        return bool(self.zones) or (self.base is not None and self.radius_km is not None)

    def check(self, point: GeoPoint) -> CoverageVerdict:
        # Overlapping zones (neighbouring barrios drawn as circles): the nearest centre names it.
        found = [z for z in self.zones if z.contains(point)]
        zone = min(found, key=lambda z: distance_km(z.middle, point)) if found else None
        if zone is not None or not self.limited:
            return CoverageVerdict(True, zone)
        if self.base is not None and self.radius_km is not None:
            return CoverageVerdict(distance_km(self.base, point) <= self.radius_km)
        return CoverageVerdict(False)


@dataclass(frozen=True, slots=True)
class TravelModel:
    """The embedded travel-time estimate: straight-line km * ``detour`` / ``speed_kmh`` +
    ``overhead_minutes`` (parking, unloading). Per business; no roads, no traffic."""

    detour: float = 1.4
    speed_kmh: float = 25.0
    overhead_minutes: float = 5.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.detour) and 1 <= self.detour <= 5):
            raise ValidationError("the detour factor is between 1 and 5", field="travel_detour")
        if not (math.isfinite(self.speed_kmh) and 1 <= self.speed_kmh <= 200):
            raise ValidationError(
                "the average speed is between 1 and 200 km/h", field="travel_speed_kmh"
            )
        if not (math.isfinite(self.overhead_minutes) and 0 <= self.overhead_minutes <= 240):
            raise ValidationError(
                "the overhead is between 0 and 240 minutes", field="travel_overhead_minutes"
            )

    def minutes(self, a: GeoPoint, b: GeoPoint) -> int:
        """Whole minutes (rounded up) to get from ``a`` to ``b``; 0 when they are the same
        place (no trip, no overhead)."""
        km = distance_km(a, b)
        if km == 0:
            return 0
        return math.ceil(km * self.detour / self.speed_kmh * 60 + self.overhead_minutes)
