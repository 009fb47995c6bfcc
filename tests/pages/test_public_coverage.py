"""The booking form of an at-address service with zones, without a browser: the zone list,
a zone the client must pick, and "we don't reach that area" in the business's language
with nothing booked."""

from __future__ import annotations

import httpx

from hub.bootstrap import Hub
from hub.domain.geo import GeoPoint, Zone
from hub.services.availability import list_bookings
from hub.services.zones import save_zone
from tests.pages.helpers import book, text_of
from tests.pages.shop import SETUP, Shop, create_shop


def _with_palermo(hub: Hub, language: str) -> tuple[Shop, Zone]:
    shop = create_shop(hub, language=language)
    zone = Zone(shop.business.id, "Palermo", centre=GeoPoint(-34.5889, -58.4306), radius_km=2)
    save_zone(hub.uow(), zone, by=SETUP, now=hub.now())
    return shop, zone


def _booked(shop: Shop) -> list[object]:
    return list(
        list_bookings(shop.hub.uow(), shop.business.id, shop.at(0), shop.at(0, days_ahead=3))
    )


def test_outside_the_zones_in_english_and_spanish(hub: Hub, client: httpx.Client) -> None:
    for language, outside, pick in (
        ("en", "We don't reach that area", "Choose your area from the list."),
        ("es", "No llegamos a esa zona", "Elegí tu zona de la lista."),
    ):
        shop, palermo = _with_palermo(hub, language)
        full = shop.full_wash.id
        refused = book(client, shop.slug, full, shop.at(10), zone="other")
        assert refused.status_code == 422
        assert outside in text_of(refused.text)
        missing = book(client, shop.slug, full, shop.at(10), zone="")
        assert missing.status_code == 422 and pick in text_of(missing.text)
        foreign = book(client, shop.slug, full, shop.at(10), zone="not-a-zone")
        assert foreign.status_code == 422 and pick in text_of(foreign.text)
        assert _booked(shop) == []
        done = book(client, shop.slug, full, shop.at(10), zone=palermo.id)
        assert done.status_code == 303
        (booking,) = _booked(shop)
        assert booking.zone_id == palermo.id  # type: ignore[attr-defined]
        # The quick wash is done at the business: no zones asked.
        form = client.get(
            f"/book/{shop.slug}/form",
            params={"service": shop.quick_wash.id, "start": "20300101T1200Z"},
        )
        assert 'name="zone"' not in form.text
