"""Real Chromium on the day's route at 390 and 1280 px: the admin's map draws each washer's
stops as numbered markers over tiles from the configured tile server (a loopback one here,
allowed by the page's CSP), the lists show the suggested order, and the washer opens their
own route from their phone with Google Maps and Waze links."""

from __future__ import annotations

import http.server
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from hub.app import create_app
from hub.bootstrap import Hub, build_hub
from hub.config import Settings
from tests.pages.route_day import route_day
from tests.pages.shop import PASSWORD, Shop, create_shop
from tests.support.browser import shot
from tests.support.clock import Clock
from tests.support.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTHS = [390, 1280]


def _png() -> bytes:
    """A 256 x 256 light grey tile."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xdd\xe4\xea" * 256 for _ in range(256))
    header = struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class TileServer:
    """Stands in for a tile server: any /{z}/{x}/{y}.png is a plain tile; counts requests."""

    def __init__(self) -> None:
        tile, served = _png(), self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                served.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(tile)))
                self.end_headers()
                self.wfile.write(tile)

            def log_message(self, *args: object) -> None:
                return

        self.requests = 0
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tiles() -> Iterator[TileServer]:
    server = TileServer()
    yield server
    server.close()


@pytest.fixture
def live(
    database_file: str, clock: Clock, served: LiveServer, tiles: TileServer, tmp_path: Path
) -> Iterator[Hub]:
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_file,
        base_url=served.base_url,
        secret_key="pages-test-secret",
        mail_dir=tmp_path / "outbox-mail",
        map_tile_url=tiles.url,
        map_attribution="Mapa de prueba",
    )
    hub = build_hub(settings, clock=clock)
    served.start(create_app(hub))
    yield hub
    hub.close()


@pytest.fixture
def shop(live: Hub) -> Shop:
    return create_shop(live, staff=True, employee=True)


def signed_in(browser: Browser, served: LiveServer, width: int, email: str) -> Page:
    context = browser.new_context(
        base_url=served.base_url,
        viewport={"width": width, "height": 900},
        locale="es-AR",
        is_mobile=width < 600,
        has_touch=width < 600,
    )
    page = context.new_page()
    page.goto("/console/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_day_map_route_list_and_washer_page(
    browser: Browser, shop: Shop, served: LiveServer, tiles: TileServer, width: int
) -> None:
    route_day(shop)
    day = shop.day(1).isoformat()
    assert shop.admin is not None and shop.employee is not None
    page = signed_in(browser, served, width, shop.admin.email)
    refused: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", watch)
    page.goto(f"/console/route?date={day}&window=120")
    stops = page.locator("#route-map path.route-stop")
    expect(stops).to_have_count(4)  # Juan's three visits and María's one
    expect(page.locator("#route-map .stop-number", has_text="3")).to_have_count(1)
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("Mapa de prueba")
    expect(page.locator(".leaflet-tile-loaded").first).to_be_visible()
    juan = page.locator("section.worker-route").first
    expect(juan.locator("ol.stops li")).to_have_count(3)
    names = juan.locator("ol.stops li").all_inner_texts()
    assert [n.split(" — ")[0].split(" ", 1)[1] for n in names] == [
        "Ana Pérez",
        "Carla Díaz",
        "Beto Gómez",
    ]
    expect(page.get_by_text("pasarlo de Juan a María")).to_be_visible()
    shot(page, f"route-day-{width}")
    assert tiles.requests > 0 and refused == []

    page.goto(f"/console/route/{shop.washers[0].id}?date={day}&window=120")
    expect(page.get_by_role("link", name="Abrir en Google Maps")).to_have_count(3)
    expect(page.get_by_role("link", name="Waze")).to_have_count(3)
    shot(page, f"route-washer-admin-{width}")
    page.context.close()

    phone = signed_in(browser, served, width, shop.employee.email)
    phone.goto("/console/my-route")
    expect(phone.get_by_role("heading", name="Ruta de Juan")).to_be_visible()
    phone.goto(f"{phone.url}?date={day}")
    first = phone.locator("ol.my-stops li").first
    expect(first).to_contain_text("Ana Pérez")
    href = first.get_by_role("link", name="Abrir en Google Maps").get_attribute("href")
    assert href == "https://www.google.com/maps/dir/?api=1&destination=-34.600000,-58.410000"
    expect(phone.get_by_text("Dora Ruiz")).to_have_count(0)
    shot(phone, f"route-washer-own-{width}")
    phone.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_statistics_charts_and_table(
    browser: Browser, shop: Shop, served: LiveServer, width: int
) -> None:
    route_day(shop)
    assert shop.admin is not None
    page = signed_in(browser, served, width, shop.admin.email)
    page.goto(f"/console/analytics?period=week&date={shop.day(1).isoformat()}")
    expect(page.locator("svg.chart")).to_have_count(2)
    expect(page.locator("svg.chart rect.bar").first).to_be_visible()
    expect(page.get_by_role("row", name="Turnos 4")).to_be_visible()
    shot(page, f"statistics-{width}")
    page.context.close()
