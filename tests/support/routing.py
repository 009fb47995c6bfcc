"""OSRM and OpenRouteService as one small HTTP server on loopback, written from their public
documentation, for the routing adapters to talk to over real HTTP.

- OSRM Table service: http://project-osrm.org/docs/v5.24.0/api/#table-service —
  ``GET /table/v1/driving/{lng,lat;lng,lat;...}`` (longitude first) with ``sources`` and
  ``destinations`` (``;``-separated indexes or ``all``) and ``annotations=duration``;
  answers ``{"code": "Ok", "durations": [[seconds|null]]}`` (``null``: no route between the
  pair). Malformed coordinates or indexes: 400 with ``"code": "InvalidQuery"``; more places
  than ``--max-table-size`` (100 by default): 400 ``TooBig``
  (http://project-osrm.org/docs/v5.24.0/api/#responses).
- OpenRouteService matrix: https://openrouteservice.org/dev/#/api-docs/matrix_service —
  ``POST /v2/matrix/driving-car`` with ``Authorization: <key>`` and JSON ``locations``
  (``[lng, lat]``), ``sources``, ``destinations``, ``metrics``; answers ``{"durations":
  [[seconds|null]]}``. Missing key: 401; a key it does not know: 403; past the key's
  quota: 429 (https://openrouteservice.org/restrictions/).

Roads here: between two places the fake drives the straight line at ``SPEED_KMH``, unless a
pair is listed in ``roads`` (seconds, or None for no road at all, an island without a ferry).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SPEED_KMH = 30.0
Place = tuple[float, float]  # (lat, lng)


def _km(a: Place, b: Place) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


@dataclass
class Seen:
    engine: str  # "osrm" or "ors"
    places: list[Place]
    sources: list[int]
    destinations: list[int]
    headers: dict[str, str]


@dataclass
class FakeRouting:
    key: str = "ors-test-key"
    roads: dict[tuple[Place, Place], float | None] = field(default_factory=dict)
    max_table_size: int = 100
    quota: int | None = None  # ORS requests allowed before 429
    delay: float = 0.0  # seconds before answering (a slow engine)
    on_request: Callable[[], None] | None = None  # called as each request arrives
    seen: list[Seen] = field(default_factory=list)
    base_url: str = ""

    def road(self, a: Place, b: Place) -> float | None:
        for (x, y), seconds in self.roads.items():
            if _km(a, x) < 0.01 and _km(b, y) < 0.01:
                return seconds
        return round(_km(a, b) / SPEED_KMH * 3600, 1)

    def _table(self, places: list[Place], sources: list[int], dests: list[int]) -> Any:
        return [[self.road(places[s], places[d]) for d in dests] for s in sources]

    def osrm(self, path: str, params: dict[str, str], headers: dict[str, str]) -> Any:
        prefix = "/table/v1/driving/"
        if not path.startswith(prefix):
            return 400, {"code": "InvalidUrl", "message": "URL string malformed"}
        try:
            places = []
            for pair in path[len(prefix) :].split(";"):
                lng, lat = (float(x) for x in pair.split(","))
                if not (-180 <= lng <= 180 and -90 <= lat <= 90):
                    raise ValueError(pair)
                places.append((lat, lng))
            sources = _indexes(params.get("sources", "all"), len(places))
            dests = _indexes(params.get("destinations", "all"), len(places))
        except ValueError:
            return 400, {"code": "InvalidQuery", "message": "Query string malformed"}
        if params.get("annotations", "duration") not in ("duration", "duration,distance"):
            return 400, {"code": "InvalidQuery", "message": "annotations"}
        if len(places) > self.max_table_size:
            return 400, {"code": "TooBig", "message": "Too many table coordinates"}
        self.seen.append(Seen("osrm", places, sources, dests, headers))
        return 200, {"code": "Ok", "durations": self._table(places, sources, dests)}

    def ors(self, path: str, body: Any, headers: dict[str, str]) -> Any:
        if path != "/v2/matrix/driving-car":
            return 404, {"error": "not found"}
        given = headers.get("authorization")
        if not given:
            return 401, {"error": "Authorization field missing"}
        if given != self.key:
            return 403, {"error": "Access to this API has been disallowed"}
        if self.quota is not None:
            if self.quota <= 0:
                return 429, {"error": "Rate limit exceeded"}
            self.quota -= 1
        try:
            places = [(float(lat), float(lng)) for lng, lat in body["locations"]]
            sources = [int(i) for i in body.get("sources", range(len(places)))]
            dests = [int(i) for i in body.get("destinations", range(len(places)))]
            if any(not 0 <= i < len(places) for i in [*sources, *dests]):
                raise ValueError
        except (KeyError, TypeError, ValueError):
            return 400, {"error": {"code": 6003, "message": "Parameter 'locations' invalid"}}
        self.seen.append(Seen("ors", places, sources, dests, headers))
        return 200, {"durations": self._table(places, sources, dests), "metadata": {}}


def _indexes(raw: str, count: int) -> list[int]:
    if raw == "all":
        return list(range(count))
    found = [int(i) for i in raw.split(";")]
    if any(not 0 <= i < count for i in found):
        raise ValueError(raw)
    return found


@contextmanager
def serve_routing(**kwargs: Any) -> Iterator[FakeRouting]:
    fake = FakeRouting(**kwargs)

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, body: Any) -> None:
            if fake.on_request is not None:
                fake.on_request()
            if fake.delay:
                time.sleep(fake.delay)
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up waiting
                pass

        def _headers(self) -> dict[str, str]:
            return {k.lower(): v for k, v in self.headers.items()}

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(url.query).items()}
            self._reply(*fake.osrm(url.path, params, self._headers()))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"null")
            except ValueError:
                body = None
            self._reply(*fake.ors(urlsplit(self.path).path, body, self._headers()))

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
