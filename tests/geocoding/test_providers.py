"""The geocoding adapters against loopback fakes of Nominatim and Google: found, not found,
refused keys and a missing User-Agent; Nominatim's one request per second; the cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.geocoding.providers import (
    GoogleGeocoder,
    MinInterval,
    NominatimGeocoder,
    TtlCache,
    geocoders_from,
)
from hub.domain.geo import GeoPoint
from hub.services.ports import GeocodingError
from tests.support.clock import FakeTime
from tests.support.geocoding import FakeGeocoding, serve_geocoding

UA = "Turnero tests (geocoding)"


@pytest.fixture
def fake() -> Iterator[FakeGeocoding]:
    with serve_geocoding() as server:
        yield server


def test_nominatim_finds_caches_and_sends_who_asks(fake: FakeGeocoding) -> None:
    time = FakeTime()
    limiter = MinInterval(1.0, clock=time.clock, sleep=time.sleep)
    geocoder = NominatimGeocoder(fake.base_url, user_agent=UA, limiter=limiter)
    found = geocoder.locate("Gorriti 4800, CABA", region="AR", language="es")
    assert found == GeoPoint(-34.5905, -58.4300)
    assert geocoder.locate("gorriti  4800, caba", region="AR", language="es") == found
    assert geocoder.locate("Calle Inventada 1", region="AR", language="es") is None
    assert geocoder.locate("Calle Inventada 1", region="AR", language="es") is None
    assert len(fake.seen) == 2  # the repeats came from the cache
    first = fake.seen[0]
    assert first.headers["user-agent"] == UA
    assert first.params["countrycodes"] == "ar" and first.params["accept-language"] == "es"
    # The second request waited for the rest of the second since the first.
    assert time.slept == [1.0]


def test_nominatim_refusing_or_down_is_a_geocoding_error(fake: FakeGeocoding) -> None:
    import httpx

    anonymous = NominatimGeocoder(
        fake.base_url,
        user_agent=UA,
        client=httpx.Client(headers={"User-Agent": "python-httpx"}, trust_env=False),
        limiter=MinInterval(0),
    )
    with pytest.raises(GeocodingError):
        anonymous.locate("Gorriti 4800", region=None, language="es")
    down = NominatimGeocoder("http://127.0.0.1:9", user_agent=UA, limiter=MinInterval(0))
    with pytest.raises(GeocodingError):
        down.locate("Gorriti 4800", region=None, language="es")


def test_google_finds_zero_results_and_refuses_a_missing_key(fake: FakeGeocoding) -> None:
    google = GoogleGeocoder(fake.base_url, key="test-key", user_agent=UA, cache=TtlCache())
    assert google.locate("Cabildo 2200, CABA", region="AR", language="es") == GeoPoint(
        -34.56, -58.457
    )
    assert google.locate("Calle Inventada 1", region="AR", language="es") is None
    assert fake.seen[0].params["region"] == "ar" and fake.seen[0].params["key"] == "test-key"
    keyless = GoogleGeocoder(fake.base_url, key="", user_agent=UA)
    with pytest.raises(GeocodingError, match="REQUEST_DENIED"):
        keyless.locate("Cabildo 2200", region="AR", language="es")


def test_the_cache_forgets_after_its_ttl() -> None:
    time = FakeTime()
    cache = TtlCache(size=2, ttl=10, clock=time.clock)
    cache.put(("a",), GeoPoint(1, 1))
    assert cache.get(("a",)) == (True, GeoPoint(1, 1))
    time.now += 11
    assert cache.get(("a",)) == (False, None)
    for name in "bcd":
        cache.put((name,), None)
    assert cache.get(("b",)) == (False, None)  # the oldest went first
    assert cache.get(("d",)) == (True, None)


def test_settings_choose_the_provider() -> None:
    assert geocoders_from(None, url=None, key=None, user_agent=UA) == []
    assert geocoders_from("google", url=None, key=None, user_agent=UA) == []  # no key, none
    (nominatim,) = geocoders_from("nominatim", url=None, key=None, user_agent=UA)
    assert isinstance(nominatim, NominatimGeocoder)
    assert nominatim.base_url == "https://nominatim.openstreetmap.org"
