"""Points, zones, coverage and the straight-line travel estimate (pure, no sockets)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.domain.errors import ValidationError
from hub.domain.geo import (
    Coverage,
    CoverageMode,
    GeoPoint,
    TravelModel,
    Zone,
    distance_km,
    in_polygon,
)

OBELISCO = GeoPoint(-34.6037, -58.3816)
PALERMO = GeoPoint(-34.5889, -58.4306)
CORDOBA = GeoPoint(-31.4201, -64.1888)  # Av. Colón 500, Córdoba: ~650 km away
SQUARE = (GeoPoint(0, 0), GeoPoint(0, 1), GeoPoint(1, 1), GeoPoint(1, 0))


def test_distances_match_known_ones() -> None:
    assert distance_km(OBELISCO, OBELISCO) == 0
    assert 4.5 < distance_km(OBELISCO, PALERMO) < 5.0
    assert 640 < distance_km(OBELISCO, CORDOBA) < 660
    # A quarter of a meridian: pi/2 * R.
    assert math.isclose(distance_km(GeoPoint(0, 0), GeoPoint(90, 0)), 10007.5, rel_tol=1e-3)


@given(st.floats(-90, 90), st.floats(-180, 180), st.floats(-90, 90), st.floats(-180, 180))
def test_distance_is_symmetric_and_bounded(a: float, b: float, c: float, d: float) -> None:
    p, q = GeoPoint(a, b), GeoPoint(c, d)
    assert math.isclose(distance_km(p, q), distance_km(q, p), abs_tol=1e-9)
    assert 0 <= distance_km(p, q) <= math.pi * 6371.0088 + 1e-6


@pytest.mark.parametrize(
    ("lat", "lng"), [(91, 0), (-90.5, 0), (0, 180.1), (math.nan, 0), (0, math.inf)]
)
def test_impossible_points_are_refused(lat: float, lng: float) -> None:
    with pytest.raises(ValidationError):
        GeoPoint(lat, lng)


def test_point_in_polygon_by_ray_casting() -> None:
    assert in_polygon(GeoPoint(0.5, 0.5), SQUARE)
    assert not in_polygon(GeoPoint(1.5, 0.5), SQUARE)
    assert not in_polygon(GeoPoint(0.5, -0.1), SQUARE)
    # A concave "L": the notch is outside.
    ell = (
        GeoPoint(0, 0), GeoPoint(2, 0), GeoPoint(2, 1), GeoPoint(1, 1), GeoPoint(1, 2),
        GeoPoint(0, 2),
    )  # fmt: skip
    assert in_polygon(GeoPoint(0.5, 1.5), ell)
    assert not in_polygon(GeoPoint(1.5, 1.5), ell)


def test_zone_is_a_circle_or_a_polygon() -> None:
    circle = Zone("b", "Palermo", centre=PALERMO, radius_km=2)
    assert circle.contains(GeoPoint(-34.59, -58.43))
    assert not circle.contains(OBELISCO)
    shape = Zone("b", "Square", polygon=SQUARE)
    assert shape.contains(GeoPoint(0.2, 0.9))
    assert shape.middle == GeoPoint(0.5, 0.5)
    for bad in (
        {"centre": PALERMO},
        {"radius_km": 2.0},
        {"centre": PALERMO, "radius_km": 0.0},
        {"centre": PALERMO, "radius_km": 2.0, "polygon": SQUARE},
        {"polygon": SQUARE[:2]},
    ):
        with pytest.raises(ValidationError):
            Zone("b", "Bad", **bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Zone("b", "  ", centre=PALERMO, radius_km=1)


def test_coverage_by_radius_or_zones() -> None:
    palermo = Zone("b", "Palermo", centre=PALERMO, radius_km=2)
    by_radius = Coverage(base=OBELISCO, radius_km=10)
    assert by_radius.check(PALERMO).inside
    assert not by_radius.check(CORDOBA).inside
    by_zones = Coverage(zones=(palermo,), mode=CoverageMode.FLAG)
    verdict = by_zones.check(GeoPoint(-34.59, -58.43))
    assert verdict.inside and verdict.zone is palermo
    assert not by_zones.check(OBELISCO).inside
    # Both: inside either counts, and the zone is named when the point is in one.
    both = Coverage(base=OBELISCO, radius_km=1, zones=(palermo,))
    assert both.check(PALERMO).zone is palermo
    assert both.check(OBELISCO).inside and both.check(OBELISCO).zone is None
    # Nothing set: coverage is not limited.
    assert Coverage().check(CORDOBA).inside


def test_travel_minutes_are_distance_times_detour_over_speed_plus_overhead() -> None:
    model = TravelModel()  # 1.4, 25 km/h, 5 min
    km = distance_km(OBELISCO, PALERMO)
    assert model.minutes(OBELISCO, PALERMO) == math.ceil(km * 1.4 / 25 * 60 + 5)
    assert model.minutes(OBELISCO, OBELISCO) == 0
    fast = TravelModel(detour=1.0, speed_kmh=60, overhead_minutes=0)
    assert fast.minutes(GeoPoint(0, 0), GeoPoint(0, 1)) == math.ceil(111.195 * 1)
    for bad in ({"detour": 0.5}, {"speed_kmh": 0}, {"overhead_minutes": -1}):
        with pytest.raises(ValidationError):
            TravelModel(**bad)  # type: ignore[arg-type]


def test_overlapping_zones_name_the_point_after_the_nearest_centre() -> None:
    big = Zone("b", "Big", centre=OBELISCO, radius_km=10)
    palermo = Zone("b", "Palermo", centre=PALERMO, radius_km=2)
    coverage = Coverage(zones=(big, palermo))
    assert coverage.check(GeoPoint(-34.59, -58.43)).zone is palermo
    assert coverage.check(OBELISCO).zone is big
