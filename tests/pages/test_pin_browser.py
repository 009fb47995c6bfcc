"""Real Chromium on the booking form of an at-address wash, at 390 and 1280 px: with the tile
server reachable (a loopback one, allowed by the page's CSP) the client taps the map where
they live, drags the pin a little, and books at that exact point; with the tile server
unreachable the map never shows and the zone list books as before."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from hub.app import create_app
from hub.bootstrap import Hub, build_hub
from hub.config import Settings
from hub.domain.geo import GeoPoint, Zone
from hub.services.availability import list_bookings
from hub.services.zones import save_zone
from tests.pages.shop import SETUP, Shop, create_shop
from tests.pages.test_browser import pick_time
from tests.pages.test_route_browser import TileServer
from tests.support.browser import shot
from tests.support.clock import Clock
from tests.support.live import LiveServer, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTHS = [390, 1280]
PALERMO = GeoPoint(-34.5889, -58.4306)


@pytest.fixture
def tiles() -> Iterator[TileServer]:
    server = TileServer()
    yield server
    server.close()


def _live(database_file: str, clock: Clock, served: LiveServer, tmp_path: Path, url: str) -> Hub:
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_file,
        base_url=served.base_url,
        secret_key="pages-test-secret",
        mail_dir=tmp_path / "outbox-mail",
        map_tile_url=url,
        map_attribution="Mapa de prueba",
    )
    hub = build_hub(settings, clock=clock)
    served.start(create_app(hub))
    return hub


def _shop(hub: Hub) -> tuple[Shop, list[Zone]]:
    shop = create_shop(hub)
    zones = []
    for name, lat, lng in (("Palermo", PALERMO.lat, PALERMO.lng), ("Belgrano", -34.5627, -58.4563)):
        zone = Zone(shop.business.id, name, centre=GeoPoint(lat, lng), radius_km=2)
        save_zone(hub.uow(), zone, by=SETUP, now=hub.now())
        zones.append(zone)
    return shop, zones


def _bookings(shop: Shop) -> list[object]:
    return list(
        list_bookings(shop.hub.uow(), shop.business.id, shop.at(0), shop.at(0, days_ahead=3))
    )


def _client(browser: Browser, served: LiveServer, width: int) -> Page:
    context = browser.new_context(
        base_url=served.base_url,
        viewport={"width": width, "height": 900},
        locale="es-AR",
        is_mobile=width < 600,
        has_touch=width < 600,
    )
    return context.new_page()


def _to_the_form(page: Page, shop: Shop) -> None:
    """The full wash, Palermo picked before the times, the day after tomorrow at 10:00."""
    page.goto(f"/book/{shop.slug}")
    page.get_by_role("link", name=re.compile("Lavado completo")).click()
    page.get_by_label("Tu zona").select_option(label="Palermo")
    page.get_by_role("button", name="Ver horarios").click()
    pick_time(page, shop, 10, service=False)


def _details(page: Page) -> None:
    page.get_by_label("Nombre").fill("Ana Pérez")
    page.get_by_label("Teléfono").fill("11 2345-6789")
    page.get_by_label("Dirección donde vamos").fill("Gorriti 4800, CABA")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_client_drops_a_pin_drags_it_and_books_at_that_point(
    browser: Browser,
    database_file: str,
    clock: Clock,
    served: LiveServer,
    tiles: TileServer,
    tmp_path: Path,
    width: int,
) -> None:
    hub = _live(database_file, clock, served, tmp_path, tiles.url)
    try:
        shop, zones = _shop(hub)
        page = _client(browser, served, width)
        refused: list[str] = []

        def watch(message: ConsoleMessage) -> None:
            if "Content Security Policy" in message.text:
                refused.append(message.text)

        page.on("console", watch)
        _to_the_form(page, shop)
        _details(page)
        area = page.get_by_role("region", name="Marcá tu domicilio en el mapa")
        expect(area).to_be_visible()
        expect(page.locator("#pin-map .leaflet-tile-loaded").first).to_be_visible()
        expect(page.locator(".leaflet-control-attribution")).to_contain_text("Mapa de prueba")
        expect(page.locator(".pin-marker")).to_have_count(0)
        expect(page.get_by_role("button", name="Quitar el pin")).to_be_hidden()
        area.scroll_into_view_if_needed()
        box = area.bounding_box()
        assert box is not None
        # Tap the middle of the map (the two barrios), then drag the pin a little to the east.
        area.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        pin = page.locator(".pin-marker")
        expect(pin).to_have_count(1)
        expect(page.get_by_text("Domicilio marcado en el mapa.")).to_be_visible()
        tapped = float(page.locator("#longitude").input_value())
        pin_box = pin.bounding_box()
        assert pin_box is not None
        x, y = pin_box["x"] + pin_box["width"] / 2, pin_box["y"] + pin_box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 20, y, steps=5)
        page.mouse.move(x + 40, y, steps=5)
        page.mouse.up()
        expect(page.locator("#longitude")).not_to_have_value(f"{tapped:.6f}")
        lat = float(page.locator("#latitude").input_value())
        lng = float(page.locator("#longitude").input_value())
        assert lng > tapped  # dragged east
        shot(page, f"pin-01-map-{width}")
        page.get_by_role("button", name="Reservar turno").click()
        expect(page.get_by_text("Tu turno está reservado")).to_be_visible()
        shot(page, f"pin-02-booked-{width}")
        (booking,) = _bookings(shop)
        pinned = GeoPoint(lat, lng)
        assert booking.location == pinned  # type: ignore[attr-defined]
        # Palermo was picked before the times; the pin says where, and names the zone.
        holding = [z.id for z in zones if z.contains(pinned)]
        assert booking.zone_id == (holding[0] if holding else None)  # type: ignore[attr-defined]
        assert booking.address == "Gorriti 4800, CABA"  # type: ignore[attr-defined]
        assert tiles.requests > 0 and refused == []
        page.context.close()
    finally:
        hub.close()


def test_tiles_unreachable_the_map_stays_hidden_and_the_zone_books(
    browser: Browser, database_file: str, clock: Clock, served: LiveServer, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png"
    hub = _live(database_file, clock, served, tmp_path, url)
    try:
        shop, (palermo, _) = _shop(hub)
        page = _client(browser, served, 390)
        _to_the_form(page, shop)
        _details(page)
        page.wait_for_load_state("networkidle")
        expect(page.locator("#pin-box")).to_be_hidden()
        expect(page.get_by_text("Marcá tu domicilio en el mapa")).to_be_hidden()
        expect(page.get_by_label("Zona", exact=True)).to_have_value(
            palermo.id
        )  # picked before the times
        shot(page, "pin-03-no-tiles-390")
        page.get_by_role("button", name="Reservar turno").click()
        expect(page.get_by_text("Tu turno está reservado")).to_be_visible()
        (booking,) = _bookings(shop)
        assert booking.location == PALERMO  # type: ignore[attr-defined]
        page.context.close()
    finally:
        hub.close()
