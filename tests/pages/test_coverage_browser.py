"""Real Chromium at a phone viewport: a car wash that only goes to some barrios. A client
whose address is in none of them is told "No llegamos a esa zona" and nothing is booked; a
client in Palermo books; the operator sees where the visit is."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from hub.app import create_app
from hub.bootstrap import Hub
from hub.domain.geo import GeoPoint, Zone
from hub.domain.policies import BookingPolicy
from hub.services.availability import list_bookings
from hub.services.zones import save_zone
from tests.pages.conftest import make_hub
from tests.pages.shop import SETUP, Shop, create_shop
from tests.pages.test_browser import pick_time
from tests.support.browser import phone, shot
from tests.support.clock import Clock
from tests.support.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def live(database_file: str, clock: Clock, served: LiveServer) -> Iterator[Hub]:
    hub = make_hub(database_file, clock, base_url=served.base_url)
    served.start(create_app(hub))
    yield hub
    hub.close()


@pytest.fixture
def shop(live: Hub) -> Shop:
    shop = create_shop(live, policy=BookingPolicy(requires_confirmation=True))
    for name, lat, lng in (("Palermo", -34.5889, -58.4306), ("Belgrano", -34.5627, -58.4563)):
        zone = Zone(shop.business.id, name, centre=GeoPoint(lat, lng), radius_km=2)
        save_zone(live.uow(), zone, by=SETUP, now=live.now())
    return shop


def _bookings(shop: Shop) -> list[object]:
    return list(
        list_bookings(shop.hub.uow(), shop.business.id, shop.at(0), shop.at(0, days_ahead=3))
    )


def test_outside_the_zones_is_told_so_and_inside_books(
    browser: Browser, shop: Shop, served: LiveServer
) -> None:
    page = phone(browser, served.base_url).new_page()
    page.goto(f"/book/{shop.slug}")
    page.get_by_role("link", name=re.compile("Lavado completo")).click()
    page.get_by_label("Tu zona").select_option(label="Palermo")
    page.get_by_role("button", name="Ver horarios").click()
    pick_time(page, shop, 10, service=False)
    page.get_by_label("Nombre").fill("Ana Pérez")
    page.get_by_label("Teléfono").fill("11 2345-6789")
    page.get_by_label("Dirección donde vamos").fill("Av. Colón 500, Córdoba")
    # The zone picked before the times is already chosen; the client changes it here.
    zone = page.get_by_label("Zona", exact=True)
    expect(zone).to_have_value(re.compile(".+"))
    expect(zone.locator("option")).to_have_text(
        ["Elegí tu zona", "Belgrano", "Palermo", "Otra zona (no está en la lista)"]
    )
    zone.select_option(label="Otra zona (no está en la lista)")
    page.get_by_role("button", name="Reservar turno").click()
    expect(page.get_by_role("alert").filter(has_text="No llegamos a esa zona")).to_be_visible()
    shot(page, "coverage-01-outside")
    assert _bookings(shop) == []
    # What was typed stays; the client picks their barrio and books.
    expect(page.get_by_label("Nombre")).to_have_value("Ana Pérez")
    page.get_by_label("Dirección donde vamos").fill("Gorriti 4800, CABA")
    page.get_by_label("Zona", exact=True).select_option(label="Palermo")
    page.get_by_role("button", name="Reservar turno").click()
    expect(page.get_by_text("Recibimos tu pedido")).to_be_visible()
    shot(page, "coverage-02-booked")
    (booking,) = _bookings(shop)
    assert booking.zone_id is not None  # type: ignore[attr-defined]
    assert booking.location == GeoPoint(-34.5889, -58.4306)  # type: ignore[attr-defined]
    assert re.search(r"/book/manage/", page.url)
