"""Geocoding adapters: Nominatim's search API and Google's Geocoding API, over httpx.

Nominatim's usage policy (https://operations.osmfoundation.org/policies/nominatim/): at most
one request per second, an identifying User-Agent, results cached, no autocomplete. The
limit is process-wide (one ``MinInterval`` per provider endpoint); lookups happen only when a
booking is submitted. Google's terms allow keeping coordinates for up to 30 days; the cache
keeps them for a week.

- Nominatim: https://nominatim.org/release-docs/latest/api/Search/
- Google: https://developers.google.com/maps/documentation/geocoding/requests-geocoding
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from hub.domain.errors import ValidationError
from hub.domain.geo import GeoPoint
from hub.services.ports import Geocoder, GeocodingError

if TYPE_CHECKING:
    from hub.process import Hub

NOMINATIM_URL = "https://nominatim.openstreetmap.org"
GOOGLE_URL = "https://maps.googleapis.com"
TIMEOUT = httpx.Timeout(5.0)


class MinInterval:
    """At most one call per ``seconds`` across every thread of the process."""

    def __init__(
        self,
        seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.seconds = seconds
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._last: float | None = None

    def wait(self) -> None:
        with self._lock:
            if self._last is not None:
                due = self._last + self.seconds - self._clock()
                if due > 0:
                    self._sleep(due)
            self._last = self._clock()


_LIMITS: dict[str, MinInterval] = {}
_LIMITS_LOCK = threading.Lock()


def limit_for(endpoint: str, seconds: float) -> MinInterval:
    """The process-wide limiter of one provider endpoint."""
    with _LIMITS_LOCK:
        return _LIMITS.setdefault(endpoint, MinInterval(seconds))


class TtlCache:
    """A small LRU of answers (misses included) that forgets them after ``ttl`` seconds."""

    def __init__(
        self, size: int = 2048, ttl: float = 7 * 24 * 3600, clock: Callable[[], float] = time.time
    ) -> None:
        self.size, self.ttl, self._clock = size, ttl, clock
        self._items: OrderedDict[tuple[str, ...], tuple[float, GeoPoint | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> tuple[bool, GeoPoint | None]:
        with self._lock:
            found = self._items.get(key)
            if found is None or found[0] < self._clock():
                self._items.pop(key, None)
                return False, None
            self._items.move_to_end(key)
            return True, found[1]

    def put(self, key: tuple[str, ...], value: GeoPoint | None) -> None:
        with self._lock:
            self._items[key] = (self._clock() + self.ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _point(lat: Any, lng: Any) -> GeoPoint:
    try:
        return GeoPoint(float(lat), float(lng))
    except (TypeError, ValueError, ValidationError) as exc:
        raise GeocodingError("the provider answered coordinates that are not valid") from exc


def _get(client: httpx.Client, url: str, params: dict[str, str]) -> Any:
    try:
        answer = client.get(url, params=params)
    except httpx.HTTPError as exc:
        raise GeocodingError(f"geocoding request failed: {exc}") from exc
    if answer.status_code != 200:
        raise GeocodingError(f"geocoding answered {answer.status_code}")
    try:
        return answer.json()
    except ValueError as exc:
        raise GeocodingError("geocoding answered something that is not JSON") from exc


class NominatimGeocoder:
    """Nominatim ``/search`` (``format=jsonv2``, best match only)."""

    def __init__(
        self,
        base_url: str = NOMINATIM_URL,
        *,
        user_agent: str,
        client: httpx.Client | None = None,
        limiter: MinInterval | None = None,
        cache: TtlCache | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = client or httpx.Client(
            timeout=TIMEOUT, headers={"User-Agent": user_agent}, trust_env=False
        )
        self._limit = limiter or limit_for(self.base_url, 1.0)
        self._cache = cache or TtlCache()

    def locate(self, address: str, *, region: str | None, language: str) -> GeoPoint | None:
        key = ("nominatim", " ".join(address.lower().split()), region or "", language)
        known, point = self._cache.get(key)
        if known:
            return point
        params = {"q": address, "format": "jsonv2", "limit": "1", "accept-language": language}
        if region:
            params["countrycodes"] = region.lower()
        self._limit.wait()
        found = _get(self._client, f"{self.base_url}/search", params)
        if not isinstance(found, list):
            raise GeocodingError("Nominatim answered something that is not a list")
        point = _point(found[0].get("lat"), found[0].get("lon")) if found else None
        self._cache.put(key, point)
        return point


class GoogleGeocoder:
    """Google Geocoding API ``/maps/api/geocode/json`` (first result)."""

    def __init__(
        self,
        base_url: str = GOOGLE_URL,
        *,
        key: str,
        user_agent: str,
        client: httpx.Client | None = None,
        cache: TtlCache | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._key = key
        self._client = client or httpx.Client(
            timeout=TIMEOUT, headers={"User-Agent": user_agent}, trust_env=False
        )
        self._cache = cache or TtlCache()

    def locate(self, address: str, *, region: str | None, language: str) -> GeoPoint | None:
        key = ("google", " ".join(address.lower().split()), region or "", language)
        known, point = self._cache.get(key)
        if known:
            return point
        params = {"address": address, "key": self._key, "language": language}
        if region:
            params["region"] = region.lower()
        found = _get(self._client, f"{self.base_url}/maps/api/geocode/json", params)
        status = found.get("status") if isinstance(found, dict) else None
        if status == "ZERO_RESULTS":
            point = None
        elif status == "OK" and found.get("results"):
            where = found["results"][0].get("geometry", {}).get("location", {})
            point = _point(where.get("lat"), where.get("lng"))
        else:  # REQUEST_DENIED, OVER_QUERY_LIMIT, INVALID_REQUEST, UNKNOWN_ERROR
            raise GeocodingError(f"Google Geocoding answered {status}")
        self._cache.put(key, point)
        return point


def geocoders_from(
    kind: str | None, *, url: str | None, key: str | None, user_agent: str
) -> list[Geocoder]:
    """The geocoder the settings name (none when unset or unusable: zones only)."""
    if kind == "nominatim":
        return [NominatimGeocoder(url or NOMINATIM_URL, user_agent=user_agent)]
    if kind == "google" and key:
        return [GoogleGeocoder(url or GOOGLE_URL, key=key, user_agent=user_agent)]
    return []


def install_geocoding(hub: Hub) -> None:
    """Give ``hub``'s use cases the geocoder its settings name (once per hub)."""
    if hub.geocoders:
        return
    settings = hub.settings
    hub.geocoders.extend(
        geocoders_from(
            settings.geocoder,
            url=settings.geocoder_url,
            key=settings.geocoder_key,
            user_agent=settings.geocoder_user_agent,
        )
    )
