"""Driving times from a routing engine: OSRM's Table service and OpenRouteService's matrix.

- OSRM: http://project-osrm.org/docs/v5.24.0/api/#table-service — ``GET
  {base}/table/v1/driving/{lng,lat;lng,lat...}?annotations=duration&sources=..&destinations=..``
  (coordinates are longitude first); answers ``{"code": "Ok", "durations": [[s, ...]]}`` in
  seconds, ``null`` where no route exists, or a 400 with ``code`` ``InvalidQuery``/``TooBig``.
- OpenRouteService: https://openrouteservice.org/dev/#/api-docs/matrix_service — ``POST
  {base}/v2/matrix/driving-car`` with the key in ``Authorization`` and ``{"locations":
  [[lng, lat], ...], "sources": [...], "destinations": [...], "metrics": ["duration"]}``;
  answers ``{"durations": [[s, ...]]}`` in seconds (``null``: unreachable); 401/403 without
  a valid key, 429 over the rate limit.

A use case asks for all the legs of one computation at once; the legs not in the cache are
fetched in as few requests as the engine's size limit allows (the whole rectangle when it is
dense, else one request per direction around the place most legs share: an availability
search is a star around the new address). Answers are cached per pair of places rounded to
about a metre, for a day. The business's fixed overhead (parking, unloading) is added to the
road time. When the engine is down, slow, refuses the key or is over its quota, the legs it
did not answer take the business's straight-line estimate (logged), and the engine is left
alone for a minute so that every booking request in that minute is not kept waiting.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Collection, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from hub.domain.geo import GeoPoint, TravelModel
from hub.services.ports import Leg, TravelTimes
from hub.services.travel_times import STRAIGHT_LINE

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(2.0, connect=1.0)  # a booking request waits at most this per call
BUDGET_SECONDS = 3.0  # for all the requests of one computation
PAUSE_SECONDS = 60.0  # after a failure, the straight line only for this long
CACHE_TTL = 24 * 3600.0
Key = tuple[float, float]  # (lat, lng) rounded
KeyLeg = tuple[Key, Key]


class RoutingError(Exception):
    """The routing engine could not answer (down, timed out, key refused, over quota)."""


def key_of(point: GeoPoint) -> Key:
    return (round(point.lat, 5), round(point.lng, 5))  # about 1 m


class PairCache:
    """Road seconds (None: no road) per pair of rounded places, forgotten after ``ttl``."""

    def __init__(
        self, size: int = 100_000, ttl: float = CACHE_TTL, clock: Callable[[], float] = time.time
    ) -> None:
        self.size, self.ttl, self._clock = size, ttl, clock
        self._items: OrderedDict[KeyLeg, tuple[float, float | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, leg: KeyLeg) -> tuple[bool, float | None]:
        with self._lock:
            found = self._items.get(leg)
            if found is None or found[0] < self._clock():
                self._items.pop(leg, None)
                return False, None
            return True, found[1]

    def put(self, leg: KeyLeg, seconds: float | None) -> None:
        with self._lock:
            self._items[leg] = (self._clock() + self.ttl, seconds)
            self._items.move_to_end(leg)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def batches(legs: Collection[KeyLeg], max_points: int) -> list[tuple[list[Key], list[Key]]]:
    """(sources, destinations) requests covering ``legs``, each with at most ``max_points``
    places: the whole rectangle when it fits and is not mostly wasted, else stars around
    the place most remaining legs share."""
    origins = list(dict.fromkeys(a for a, _ in legs))
    targets = list(dict.fromkeys(b for _, b in legs))
    if (
        len(set(origins) | set(targets)) <= max_points
        and len(origins) * len(targets) <= 2 * len(legs) + max_points
    ):
        return [(origins, targets)]
    out: list[tuple[list[Key], list[Key]]] = []
    remaining = set(legs)
    size = max(1, max_points - 1)
    while remaining:
        count: Counter[Key] = Counter()
        for a, b in remaining:
            count[a] += 1
            count[b] += 1
        hub = count.most_common(1)[0][0]
        going = list(dict.fromkeys(b for a, b in remaining if a == hub))
        coming = list(dict.fromkeys(a for a, b in remaining if b == hub))
        out += [([hub], going[i : i + size]) for i in range(0, len(going), size)]
        out += [(coming[i : i + size], [hub]) for i in range(0, len(coming), size)]
        remaining = {(a, b) for a, b in remaining if hub not in (a, b)}
    return out


def _durations(found: Any, rows: int, columns: int) -> list[list[float | None]]:
    """The engine's ``durations`` checked: ``rows`` by ``columns`` of seconds or null."""
    if not isinstance(found, list) or len(found) != rows:
        raise RoutingError("the engine answered durations of the wrong shape")
    out: list[list[float | None]] = []
    for row in found:
        if not isinstance(row, list) or len(row) != columns:
            raise RoutingError("the engine answered durations of the wrong shape")
        cells: list[float | None] = []
        for cell in row:
            if cell is None:
                cells.append(None)
            elif isinstance(cell, int | float) and math.isfinite(cell) and cell >= 0:
                cells.append(float(cell))
            else:
                raise RoutingError("the engine answered a duration that is not one")
        out.append(cells)
    return out


class RoadTimes:
    """The ``TravelTimes`` port over a routing engine (``_table`` is the engine's call)."""

    name = "routing engine"
    kind = "road"
    max_points = 100

    def __init__(
        self,
        base_url: str,
        *,
        client: httpx.Client | None = None,
        cache: PairCache | None = None,
        fallback: TravelTimes = STRAIGHT_LINE,
        budget: float = BUDGET_SECONDS,
        pause: float = PAUSE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = client or httpx.Client(timeout=TIMEOUT, trust_env=False)
        self._cache = cache or PairCache()
        self._fallback = fallback
        self._budget, self._pause, self._clock = budget, pause, clock
        self._paused_until = -math.inf

    def _table(self, places: list[Key], sources: list[int], destinations: list[int]) -> Any:
        raise NotImplementedError

    def minutes(self, legs: Collection[Leg], *, model: TravelModel) -> Mapping[Leg, int | None]:
        out: dict[Leg, int | None] = {}
        wanted: dict[Leg, KeyLeg] = {}
        for a, b in legs:
            pair = (key_of(a), key_of(b))
            if pair[0] == pair[1]:
                out[(a, b)] = 0
            else:
                wanted[(a, b)] = pair
        seconds: dict[KeyLeg, float | None] = {}
        missing: set[KeyLeg] = set()
        for pair in set(wanted.values()):
            known, found = self._cache.get(pair)
            if known:
                seconds[pair] = found
            else:
                missing.add(pair)
        if missing and self._clock() >= self._paused_until:
            self._fetch(missing, seconds)
        guessed = [leg for leg, pair in wanted.items() if pair not in seconds]
        if guessed:
            out.update(self._fallback.minutes(guessed, model=model))
        for leg, pair in wanted.items():
            if pair in seconds:
                road = seconds[pair]
                out[leg] = None if road is None else math.ceil(road / 60 + model.overhead_minutes)
        return out

    def _fetch(self, missing: set[KeyLeg], seconds: dict[KeyLeg, float | None]) -> None:
        deadline = self._clock() + self._budget
        for sources, destinations in batches(missing, self.max_points):
            if self._clock() > deadline:
                log.warning("%s too slow: straight-line estimates for the rest", self.name)
                return
            places = list(dict.fromkeys([*sources, *destinations]))
            index = {p: i for i, p in enumerate(places)}
            try:
                rows = _durations(
                    self._table(
                        places, [index[p] for p in sources], [index[p] for p in destinations]
                    ),
                    len(sources),
                    len(destinations),
                )
            except RoutingError as exc:
                log.warning("%s failed (%s): straight-line estimates instead", self.name, exc)
                self._paused_until = self._clock() + self._pause
                return
            for a, row in zip(sources, rows, strict=True):
                for b, road in zip(destinations, row, strict=True):
                    self._cache.put((a, b), road)
                    seconds[(a, b)] = road

    def _send(self, request: Callable[[], httpx.Response]) -> Any:
        try:
            answer = request()
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise RoutingError(f"request failed: {exc!r}") from exc
        try:
            body = answer.json()
        except ValueError as exc:
            raise RoutingError(f"answered {answer.status_code}, not JSON") from exc
        if answer.status_code != 200:
            raise RoutingError(f"answered {answer.status_code}: {str(body)[:200]}")
        return body


class OsrmTable(RoadTimes):
    """OSRM's Table service (``/table/v1/driving``)."""

    name = "OSRM"
    kind = "osrm"
    max_points = 100  # osrm-routed's default --max-table-size

    def _table(self, places: list[Key], sources: list[int], destinations: list[int]) -> Any:
        where = ";".join(f"{lng:.5f},{lat:.5f}" for lat, lng in places)  # lng,lat: OSRM's order
        params = {
            "annotations": "duration",
            "sources": ";".join(map(str, sources)),
            "destinations": ";".join(map(str, destinations)),
        }
        url = f"{self.base_url}/table/v1/driving/{where}"
        body = self._send(lambda: self._client.get(url, params=params))
        if not isinstance(body, dict) or body.get("code") != "Ok":
            code = body.get("code") if isinstance(body, dict) else None
            raise RoutingError(f"OSRM answered {code}")
        return body.get("durations")


class OpenRouteServiceMatrix(RoadTimes):
    """OpenRouteService's matrix (``/v2/matrix/driving-car``), with an API key."""

    name = "OpenRouteService"
    kind = "openrouteservice"
    max_points = 50

    def __init__(self, base_url: str, *, key: str, **kwargs: Any) -> None:
        super().__init__(base_url, **kwargs)
        self._key = key

    def _table(self, places: list[Key], sources: list[int], destinations: list[int]) -> Any:
        payload = {
            "locations": [[lng, lat] for lat, lng in places],
            "sources": sources,
            "destinations": destinations,
            "metrics": ["duration"],
        }
        url = f"{self.base_url}/v2/matrix/driving-car"
        headers = {"Authorization": self._key}
        body = self._send(lambda: self._client.post(url, json=payload, headers=headers))
        if not isinstance(body, dict):
            raise RoutingError("OpenRouteService answered something that is not an object")
        return body.get("durations")


OSRM_URL = "https://router.project-osrm.org"  # the demo server: light use only
ORS_URL = "https://api.openrouteservice.org"


def travel_times_from(kind: str | None, *, url: str | None, key: str | None) -> TravelTimes:
    """The source the settings name; unset or unusable (ORS without a key, a URL that is
    not http(s)): the straight line, with a warning."""
    if url is not None and urlsplit(url).scheme not in ("http", "https"):
        log.warning("TURNERO_ROUTING_URL %r is not an http(s) URL: straight-line times", url)
        return STRAIGHT_LINE
    if kind == "osrm":
        return OsrmTable(url or OSRM_URL)
    if kind == "openrouteservice" and key:
        return OpenRouteServiceMatrix(url or ORS_URL, key=key)
    if kind is not None:
        log.warning("TURNERO_ROUTING=%s is not usable: straight-line travel times", kind)
    return STRAIGHT_LINE


__all__ = [
    "OpenRouteServiceMatrix",
    "OsrmTable",
    "PairCache",
    "RoadTimes",
    "RoutingError",
    "batches",
    "travel_times_from",
]
