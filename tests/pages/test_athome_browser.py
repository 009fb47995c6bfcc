"""Real Chromium at 390 and 1280 px on a car wash that comes to your door. The client says
where before any time is shown: "Otra zona" is told "No llegamos a esa zona" with no times
and nothing booked; in Tigre, next to a washer's visit, 11:30 is offered, but in Palermo it
is not (he could not drive there in time) and the client books 12:30, which he can reach.
Then the operator opens the day's map and route and the washer's route page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from booking_pages.catalogue import slot_code
from hub.app import create_app
from hub.bootstrap import Hub, build_hub
from hub.config import Settings
from hub.services.availability import list_bookings
from tests.pages.far_visit import FarVisit, far_visit
from tests.pages.test_route_browser import TileServer, signed_in
from tests.support.browser import phone, shot
from tests.support.clock import Clock
from tests.support.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTHS = [390, 1280]


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


def _bookings(fv: FarVisit) -> list[object]:
    shop = fv.shop
    return list(
        list_bookings(shop.hub.uow(), shop.business.id, shop.at(0), shop.at(0, days_ahead=3))
    )


def _pick_zone(page: Page, label: str) -> None:
    page.get_by_label("Tu zona").select_option(label=label)
    page.get_by_role("button", name="Ver horarios").click()


def _open_day(page: Page, fv: FarVisit) -> None:
    day = fv.shop.day()
    if day.month != fv.shop.day(0).month:
        page.get_by_role("link", name="Mes siguiente").click()
    page.locator(f'a.daylink[href*="day={day.isoformat()}"]').click()
    expect(page.locator("p.muted", has_text="Solo los horarios en que llegamos a")).to_be_visible()


def _time(page: Page, fv: FarVisit, hour: int, minute: int = 0) -> object:
    return page.locator(f'a.time[href*="start={slot_code(fv.shop.at(hour, minute))}"]')


@pytest.mark.parametrize("width", WIDTHS)
def test_where_first_then_reachable_times_then_the_route(
    browser: Browser, live: Hub, served: LiveServer, tiles: TileServer, width: int
) -> None:
    fv = far_visit(live, staff=True, employee=True)
    shop = fv.shop
    context = browser.new_context(
        base_url=served.base_url,
        viewport={"width": width, "height": 900},
        locale="es-AR",
        is_mobile=width < 600,
        has_touch=width < 600,
    )
    page = context.new_page()
    page.goto(f"/book/{shop.slug}")
    page.get_by_role("link", name=re.compile("Lavado completo")).click()
    expect(page.get_by_role("heading", name="¿Dónde vamos?")).to_be_visible()
    expect(page.get_by_label("Tu zona").locator("option")).to_have_text(
        ["Elegí tu zona", "Belgrano", "Palermo", "Tigre", "Otra zona (no está en la lista)"]
    )
    expect(page.locator("a.time")).to_have_count(0)
    expect(page.locator("a.daylink")).to_have_count(0)
    shot(page, f"athome-01-where-{width}")

    # Outside the zones the branch goes to: told so, no day and no time to pick.
    _pick_zone(page, "Otra zona (no está en la lista)")
    expect(page.get_by_role("alert")).to_contain_text("No llegamos a esa zona")
    expect(page.locator("a.time")).to_have_count(0)
    expect(page.locator("a.daylink")).to_have_count(0)
    shot(page, f"athome-02-outside-{width}")
    assert [b.id for b in _bookings(fv)] == [fv.visit.id]  # type: ignore[attr-defined]

    # Next to Juan's visit in Tigre, 11:30 is reachable...
    _pick_zone(page, "Tigre")
    _open_day(page, fv)
    expect(_time(page, fv, 11, 30)).to_have_count(1)
    shot(page, f"athome-03-tigre-times-{width}")
    # ...in Palermo, over 80 minutes' drive away, neither it nor 12:00 is; 12:30 is.
    _pick_zone(page, "Palermo")  # the day picked stays
    expect(page.locator("p.muted", has_text="llegamos a Palermo")).to_be_visible()
    expect(_time(page, fv, 12, 30)).to_have_count(1)
    expect(_time(page, fv, 11, 30)).to_have_count(0)
    expect(_time(page, fv, 12)).to_have_count(0)
    shot(page, f"athome-04-palermo-times-{width}")

    _time(page, fv, 12, 30).click()  # type: ignore[attr-defined]
    expect(page.get_by_label("Zona", exact=True)).to_have_value(fv.palermo.id)
    page.get_by_label("Nombre").fill("Ana Pérez")
    page.get_by_label("Teléfono").fill("11 2345-6789")
    page.get_by_label("Dirección donde vamos").fill("Gorriti 4800, CABA")
    shot(page, f"athome-05-form-{width}")
    page.get_by_role("button", name="Reservar turno").click()
    expect(page).to_have_url(re.compile("/book/manage/"))
    shot(page, f"athome-06-booked-{width}")
    booked = [b for b in _bookings(fv) if b.id != fv.visit.id]  # type: ignore[attr-defined]
    (booking,) = booked
    assert booking.start == shop.at(12, 30)  # type: ignore[attr-defined]
    assert booking.zone_id == fv.palermo.id  # type: ignore[attr-defined]
    assert booking.resource_id == shop.washers[0].id  # type: ignore[attr-defined]
    context.close()

    # The operator: the day's map and route, then Juan's route page.
    assert shop.admin is not None and shop.employee is not None
    day = shop.day().isoformat()
    operator = signed_in(browser, served, width, shop.admin.email)
    operator.goto(f"/console/route?date={day}")
    expect(operator.locator("#route-map path.route-stop")).to_have_count(2)
    expect(operator.locator(".leaflet-tile-loaded").first).to_be_visible()
    juan = operator.locator("section.worker-route").first
    expect(juan.locator("ol.stops li")).to_have_count(2)
    expect(juan.locator("ol.stops li").first).to_contain_text("Beto Gómez")
    expect(juan.locator("ol.stops li").last).to_contain_text("Ana Pérez")
    shot(operator, f"athome-07-day-route-{width}")
    operator.goto(f"/console/route/{shop.washers[0].id}?date={day}")
    expect(operator.get_by_role("link", name="Abrir en Google Maps")).to_have_count(2)
    expect(operator.get_by_role("link", name="Waze")).to_have_count(2)
    shot(operator, f"athome-08-washer-route-{width}")
    operator.context.close()

    washer = signed_in(browser, served, width, shop.employee.email)
    washer.goto("/console/my-route")
    expect(washer.get_by_role("heading", name="Ruta de Juan")).to_be_visible()
    washer.goto(f"{washer.url}?date={day}")
    expect(washer.locator("ol.my-stops li")).to_have_count(2)
    shot(washer, f"athome-09-my-route-{width}")
    washer.context.close()


def test_where_first_works_without_javascript(
    browser: Browser, live: Hub, served: LiveServer
) -> None:
    fv = far_visit(live)
    page = phone(browser, served.base_url, javascript=False).new_page()
    page.goto(f"/book/{fv.shop.slug}")
    page.get_by_role("link", name=re.compile("Lavado completo")).click()
    _pick_zone(page, "Palermo")
    _open_day(page, fv)
    expect(_time(page, fv, 11, 30)).to_have_count(0)
    _time(page, fv, 12, 30).click()  # type: ignore[attr-defined]
    expect(page.get_by_label("Zona", exact=True)).to_have_value(fv.palermo.id)
    shot(page, "athome-10-form-without-js-390")
    page.context.close()
