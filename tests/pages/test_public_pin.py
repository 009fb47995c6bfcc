"""The booking form's pin on the map, without a browser: the page carries the map's data and
lets the tile server through its CSP; the coordinates the form sends decide the coverage
(inside: booked at that exact point; outside: "No llegamos a esa zona", nothing booked) and
values no place has are a form error with nothing booked."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from hub.bootstrap import Hub
from hub.domain.geo import GeoPoint, Zone
from hub.services.availability import list_bookings
from hub.services.zones import save_zone
from tests.pages.helpers import book, text_of
from tests.pages.shop import SETUP, Shop, create_shop

PALERMO = GeoPoint(-34.5889, -58.4306)


def _with_palermo(hub: Hub, language: str = "es") -> tuple[Shop, Zone]:
    shop = create_shop(hub, language=language)
    zone = Zone(shop.business.id, "Palermo", centre=PALERMO, radius_km=2)
    save_zone(hub.uow(), zone, by=SETUP, now=hub.now())
    return shop, zone


def _booked(shop: Shop) -> list[object]:
    return list(
        list_bookings(shop.hub.uow(), shop.business.id, shop.at(0), shop.at(0, days_ahead=3))
    )


def test_the_form_carries_the_map_and_its_csp_lets_the_tiles_in(
    hub: Hub, client: httpx.Client
) -> None:
    shop, palermo = _with_palermo(hub)
    form = client.get(
        f"/book/{shop.slug}/form",
        params={"service": shop.full_wash.id, "start": "20300101T1200Z"},
    )
    assert form.status_code == 200
    assert "Marcá tu domicilio en el mapa" in form.text
    assert 'name="latitude"' in form.text and 'name="longitude"' in form.text
    csp = form.headers["content-security-policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in csp
    assert "script-src 'self';" in csp
    found = re.search(r'<script type="application/json" id="pin-data">(.*?)</script>', form.text)
    assert found is not None
    data = json.loads(found.group(1))
    assert data["tiles"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert data["zones"] == [
        {"id": palermo.id, "centre": [PALERMO.lat, PALERMO.lng], "radius_m": 2000.0}
    ]
    # A service done at the business has no map, and its page lets no tile server in.
    quick = client.get(
        f"/book/{shop.slug}/form",
        params={"service": shop.quick_wash.id, "start": "20300101T1200Z"},
    )
    assert "pin-data" not in quick.text
    assert "tile.openstreetmap.org" not in quick.headers["content-security-policy"]


def test_a_pin_inside_the_coverage_books_at_that_exact_point(
    hub: Hub, client: httpx.Client
) -> None:
    shop, palermo = _with_palermo(hub)
    done = book(
        client,
        shop.slug,
        shop.full_wash.id,
        shop.at(10),
        zone="",
        latitude="-34.581234",
        longitude="-58.421987",
    )
    assert done.status_code == 303, text_of(done.text)
    (booking,) = _booked(shop)
    assert booking.location == GeoPoint(-34.581234, -58.421987)  # type: ignore[attr-defined]
    assert booking.zone_id == palermo.id  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("language", "outside", "heading"),
    [
        ("es", "No llegamos a esa zona", "Marcá tu domicilio en el mapa"),
        ("en", "We don't reach that area", "Mark your address on the map"),
    ],
)
def test_a_pin_outside_the_coverage_is_told_so_even_with_a_covered_zone_picked(
    hub: Hub, client: httpx.Client, language: str, outside: str, heading: str
) -> None:
    shop, palermo = _with_palermo(hub, language)
    refused = book(
        client,
        shop.slug,
        shop.full_wash.id,
        shop.at(10),
        address="Av. Colón 500, Córdoba",
        zone=palermo.id,  # the pin wins over the zone picked
        latitude="-31.4201",
        longitude="-64.1888",
    )
    assert refused.status_code == 422
    assert outside in text_of(refused.text)
    assert _booked(shop) == []
    assert heading in text_of(refused.text)
    # The pin stays where the client put it, to be moved.
    assert 'name="latitude" value="-31.4201"' in refused.text


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        ("-91", "-58.42"),
        ("-34.58", "200"),
        ("nan", "-58.42"),
        ("-34.58", "inf"),
        ("1e999", "-58.42"),
        ("abc", "-58.42"),
        ("-34.58", ""),
        ("", "-58.42"),
    ],
)
def test_a_point_no_place_has_is_a_form_error_and_nothing_is_booked(
    hub: Hub, client: httpx.Client, latitude: str, longitude: str
) -> None:
    shop, palermo = _with_palermo(hub)
    refused = book(
        client,
        shop.slug,
        shop.full_wash.id,
        shop.at(10),
        zone=palermo.id,
        latitude=latitude,
        longitude=longitude,
    )
    assert refused.status_code == 422
    assert "No pudimos leer el punto del mapa" in text_of(refused.text)
    assert 'name="latitude" value=""' in refused.text
    assert _booked(shop) == []
