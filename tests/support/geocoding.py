"""Nominatim and Google Geocoding as small HTTP servers on loopback, written from their
public documentation, for the adapters to talk to over real HTTP.

- Nominatim search: https://nominatim.org/release-docs/latest/api/Search/ — ``GET /search``
  with ``q``, ``format=jsonv2``, ``limit``, ``countrycodes``, ``accept-language``; answers a
  JSON array of places with ``lat``/``lon`` as strings (empty when nothing matches). The
  usage policy (https://operations.osmfoundation.org/policies/nominatim/) refuses requests
  without an identifying User-Agent (403 here).
- Google: https://developers.google.com/maps/documentation/geocoding/requests-geocoding —
  ``GET /maps/api/geocode/json`` with ``address``, ``key``, ``region``, ``language``; answers
  ``{"results": [...], "status": ...}``: ``OK`` with ``geometry.location.{lat,lng}``,
  ``ZERO_RESULTS``, or ``REQUEST_DENIED`` with an ``error_message`` when the key is missing or
  invalid.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

# What the fakes know: lower-cased address fragments and where they are.
PLACES: dict[str, tuple[float, float]] = {
    "gorriti 4800": (-34.5905, -58.4300),
    "cabildo 2200": (-34.5600, -58.4570),
    "av. colón 500, córdoba": (-31.4201, -64.1888),
}


@dataclass
class Seen:
    path: str
    params: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeGeocoding:
    """Both providers on one loopback server (they answer on different paths)."""

    key: str = "test-key"
    seen: list[Seen] = field(default_factory=list)
    base_url: str = ""

    def _find(self, text: str) -> tuple[float, float] | None:
        wanted = " ".join(text.lower().split())
        return next((p for name, p in PLACES.items() if name in wanted), None)

    def answer(self, path: str, params: dict[str, str], headers: dict[str, str]) -> Any:
        self.seen.append(Seen(path, params, headers))
        if path == "/search":
            if not headers.get("user-agent") or headers["user-agent"].startswith("python-"):
                return 403, {"error": "a User-Agent identifying the application is required"}
            if params.get("format") != "jsonv2":
                return 400, {"error": "format"}
            found = self._find(params.get("q", ""))
            if found is None:
                return 200, []
            lat, lon = found
            return 200, [{"lat": str(lat), "lon": str(lon), "display_name": params["q"]}]
        if path == "/maps/api/geocode/json":
            if params.get("key") != self.key:
                return 200, {
                    "results": [],
                    "status": "REQUEST_DENIED",
                    "error_message": "You must use an API key to authenticate each request.",
                }
            found = self._find(params.get("address", ""))
            if found is None:
                return 200, {"results": [], "status": "ZERO_RESULTS"}
            lat, lng = found
            location = {"lat": lat, "lng": lng}
            return 200, {"results": [{"geometry": {"location": location}}], "status": "OK"}
        return 404, {"error": "not found"}


@contextmanager
def serve_geocoding(key: str = "test-key") -> Iterator[FakeGeocoding]:
    fake = FakeGeocoding(key=key)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            params = {k: v[-1] for k, v in parse_qs(url.query).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, body = fake.answer(url.path, params, headers)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
