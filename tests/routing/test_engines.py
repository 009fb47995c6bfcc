"""The routing adapters against a loopback fake of OSRM and OpenRouteService: road times
with the business's overhead on top, longitude-first coordinates, unreachable pairs, one
request for a whole computation, the cache, and the straight line whenever the engine is
down, slow, refuses the key or is over quota."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from connectors.routing.engines import (
    OpenRouteServiceMatrix,
    OsrmTable,
    PairCache,
    batches,
    key_of,
    travel_times_from,
)
from hub.domain.geo import GeoPoint, TravelModel
from hub.services.travel_times import STRAIGHT_LINE, StraightLine
from tests.support.routing import FakeRouting, serve_routing

# Either side of the Riachuelo, under a kilometre apart: 8 minutes by the straight-line
# model, 50 by road (the fake's word) when the nearby bridge is closed.
BOCA = GeoPoint(-34.6345, -58.3631)
MACIEL = GeoPoint(-34.6400, -58.3560)
PALERMO = GeoPoint(-34.5880, -58.4300)
ISLAND = GeoPoint(-34.4500, -58.5000)  # in the delta: no road from anywhere
MODEL = TravelModel()  # overhead 5 minutes
ROADS: dict[tuple[tuple[float, float], tuple[float, float]], float | None] = {
    ((BOCA.lat, BOCA.lng), (MACIEL.lat, MACIEL.lng)): 50 * 60,
    ((MACIEL.lat, MACIEL.lng), (BOCA.lat, BOCA.lng)): 50 * 60,
    ((PALERMO.lat, PALERMO.lng), (ISLAND.lat, ISLAND.lng)): None,
    ((ISLAND.lat, ISLAND.lng), (PALERMO.lat, PALERMO.lng)): None,
}


@pytest.fixture
def fake() -> Iterator[FakeRouting]:
    with serve_routing(roads=dict(ROADS)) as server:
        yield server


def test_straight_line_is_the_business_model() -> None:
    found = StraightLine().minutes([(BOCA, MACIEL), (BOCA, BOCA)], model=MODEL)
    assert found == {(BOCA, MACIEL): 8, (BOCA, BOCA): 0}


def test_osrm_gives_road_minutes_plus_overhead_in_one_request(fake: FakeRouting) -> None:
    osrm = OsrmTable(fake.base_url)
    legs = [(BOCA, MACIEL), (MACIEL, BOCA), (BOCA, PALERMO), (PALERMO, ISLAND), (BOCA, BOCA)]
    found = osrm.minutes(legs, model=MODEL)
    assert found[(BOCA, MACIEL)] == found[(MACIEL, BOCA)] == 55  # 50 by road + 5 overhead
    assert found[(PALERMO, ISLAND)] is None  # OSRM's null: no road
    assert found[(BOCA, BOCA)] == 0
    assert found[(BOCA, PALERMO)] > MODEL.overhead_minutes
    assert len(fake.seen) == 1  # the whole computation in one request
    # Longitude first on the wire: the fake read back the places we meant.
    assert (BOCA.lat, BOCA.lng) in fake.seen[0].places
    # Asked again (by another business with another overhead): from the cache.
    again = osrm.minutes([(BOCA, MACIEL)], model=TravelModel(overhead_minutes=0))
    assert again == {(BOCA, MACIEL): 50}
    assert len(fake.seen) == 1


def test_cache_forgets_after_its_ttl(fake: FakeRouting) -> None:
    now = [1000.0]
    osrm = OsrmTable(fake.base_url, cache=PairCache(ttl=60, clock=lambda: now[0]))
    osrm.minutes([(BOCA, MACIEL)], model=MODEL)
    now[0] += 61
    osrm.minutes([(BOCA, MACIEL)], model=MODEL)
    assert len(fake.seen) == 2


def test_a_star_of_legs_is_two_requests_within_the_size_limit(fake: FakeRouting) -> None:
    # An availability search: the new address to and from 150 visits, for an engine that
    # takes 100 places per request.
    visits = [GeoPoint(-34.6 + i / 1000, -58.4) for i in range(150)]
    legs = [(BOCA, v) for v in visits] + [(v, BOCA) for v in visits]
    found = OsrmTable(fake.base_url).minutes(legs, model=MODEL)
    assert set(found) == set(legs) and all(m is not None for m in found.values())
    assert len(fake.seen) == 4  # 150 out and 150 back, 99 a request
    assert all(len(s.places) <= 100 for s in fake.seen)
    # A day's route (every pair of 12 places) is one request.
    square = {(key_of(a), key_of(b)) for a in visits[:12] for b in visits[:12] if a != b}
    assert len(batches(square, 100)) == 1


def test_osrm_refusing_or_down_or_slow_falls_back_to_the_straight_line(
    fake: FakeRouting, caplog: pytest.LogCaptureFixture
) -> None:
    legs = [(BOCA, MACIEL), (MACIEL, BOCA)]
    straight = dict(STRAIGHT_LINE.minutes(legs, model=MODEL))
    fake.max_table_size = 1  # every request is TooBig
    with caplog.at_level(logging.WARNING, logger="connectors.routing.engines"):
        assert OsrmTable(fake.base_url).minutes(legs, model=MODEL) == straight
    assert "OSRM failed" in caplog.text and "TooBig" in caplog.text
    now = [0.0]
    down = OsrmTable("http://127.0.0.1:9", clock=lambda: now[0])
    assert down.minutes(legs, model=MODEL) == straight
    fake.max_table_size = 100
    fake.delay = 1.0
    slow = OsrmTable(fake.base_url, client=httpx.Client(timeout=0.2, trust_env=False))
    assert slow.minutes(legs, model=MODEL) == straight
    fake.seen.clear()
    # Having failed, the engine is left alone for a while, then asked again.
    fake.delay = 0
    paused = OsrmTable(fake.base_url, clock=lambda: now[0])
    fake.max_table_size = 1
    paused.minutes(legs, model=MODEL)
    fake.max_table_size = 100
    assert paused.minutes(legs, model=MODEL) == straight
    assert fake.seen == []
    now[0] += 61
    assert paused.minutes(legs, model=MODEL)[(BOCA, MACIEL)] == 55


def test_osrm_reads_longitude_first_and_refuses_a_bad_query(fake: FakeRouting) -> None:
    class Swapped(OsrmTable):
        def _table(self, places, sources, destinations):  # type: ignore[no-untyped-def]
            return super()._table([(lng, lat) for lat, lng in places], sources, destinations)

    class OutOfRange(OsrmTable):
        def _table(self, places, sources, destinations):  # type: ignore[no-untyped-def]
            return super()._table(places, sources, [len(places)])

    legs = [(BOCA, MACIEL)]
    # Latitude first would ask OSRM about two places in the Southern Ocean.
    assert Swapped(fake.base_url).minutes(legs, model=MODEL) != {(BOCA, MACIEL): 55}
    # OSRM's InvalidQuery: the straight line keeps the booking going.
    assert OutOfRange(fake.base_url).minutes(legs, model=MODEL) == {(BOCA, MACIEL): 8}
    assert len(fake.seen) == 1


def test_openrouteservice_with_a_key(fake: FakeRouting) -> None:
    ors = OpenRouteServiceMatrix(fake.base_url, key=fake.key)
    found = ors.minutes([(BOCA, MACIEL), (PALERMO, ISLAND)], model=MODEL)
    assert found == {(BOCA, MACIEL): 55, (PALERMO, ISLAND): None}
    assert fake.seen[0].engine == "ors"
    assert fake.seen[0].headers["authorization"] == fake.key


@pytest.mark.parametrize("key", ["", "someone-elses-key"])
def test_openrouteservice_refusing_the_key_falls_back(
    fake: FakeRouting, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    ors = OpenRouteServiceMatrix(fake.base_url, key=key)
    with caplog.at_level(logging.WARNING, logger="connectors.routing.engines"):
        assert ors.minutes([(BOCA, MACIEL)], model=MODEL) == {(BOCA, MACIEL): 8}
    assert ("401" if not key else "403") in caplog.text


def test_openrouteservice_over_quota_falls_back(
    fake: FakeRouting, caplog: pytest.LogCaptureFixture
) -> None:
    fake.quota = 1
    ors = OpenRouteServiceMatrix(fake.base_url, key=fake.key, pause=0)
    assert ors.minutes([(BOCA, MACIEL)], model=MODEL) == {(BOCA, MACIEL): 55}
    with caplog.at_level(logging.WARNING, logger="connectors.routing.engines"):
        assert ors.minutes([(MACIEL, BOCA)], model=MODEL) == {(MACIEL, BOCA): 8}
    assert "429" in caplog.text


def test_settings_choose_the_source() -> None:
    assert travel_times_from(None, url=None, key=None) is STRAIGHT_LINE
    assert isinstance(travel_times_from("osrm", url="http://osrm:5000", key=None), OsrmTable)
    ors = travel_times_from("openrouteservice", url=None, key="k")
    assert isinstance(ors, OpenRouteServiceMatrix)
    # ORS without a key, or a name we do not know: the straight line, not a crash.
    assert travel_times_from("openrouteservice", url=None, key=None) is STRAIGHT_LINE
    assert travel_times_from("valhalla", url=None, key=None) is STRAIGHT_LINE
    assert travel_times_from("osrm", url="osrm:5000", key=None) is STRAIGHT_LINE


def test_an_engine_answering_nonsense_falls_back(fake: FakeRouting) -> None:
    class Short(OsrmTable):
        def _table(self, places, sources, destinations):  # type: ignore[no-untyped-def]
            return super()._table(places, sources, destinations)[:-1]

    class Negative(OsrmTable):
        def _table(self, places, sources, destinations):  # type: ignore[no-untyped-def]
            return [[-1.0 for _ in destinations] for _ in sources]

    legs = [(BOCA, MACIEL), (MACIEL, BOCA)]
    for engine in (Short(fake.base_url), Negative(fake.base_url)):
        assert engine.minutes(legs, model=MODEL) == {(BOCA, MACIEL): 8, (MACIEL, BOCA): 8}
