"""Real Chromium on the console's customers: the list found by a search typed without
accents and one customer's bookings, at 1280 px and at a phone's 390 px, with nothing wider
than the screen and no Content-Security-Policy violation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from hub.app import create_app
from hub.bootstrap import Hub
from hub.services.booking_status import complete_booking, start_booking
from tests.pages.conftest import make_hub
from tests.pages.shop import SETUP, Shop, create_shop
from tests.pages.test_agenda_browser import DESKTOP, sign_in, watch_csp
from tests.pages.test_console_customers import booked
from tests.support.browser import PHONE, shot
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
def shop(live: Hub, clock: Clock) -> Shop:
    shop = create_shop(live, staff=True, employee=True)
    first = booked(shop, "María José López", "+54 9 11 4000-1111", 0, 1)
    booked(shop, "María José López", "+54 9 11 4000-1111", 1, 6)
    booked(shop, "Ana Pérez", "+54 9 11 4000-2222", 1, 4)
    booked(shop, "Martín Álvarez Ibáñez", "+54 9 11 4000-3333", 0, 5)
    clock.offset += timedelta(days=2)
    start_booking(live.uow(), shop.business.id, first.id, by=SETUP, now=live.now())
    complete_booking(live.uow(), shop.business.id, first.id, by=SETUP, now=live.now())
    return shop


def fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize(("width", "viewport"), [("1280", DESKTOP), ("390", PHONE)])
def test_customers_list_search_and_page(
    browser: Browser, shop: Shop, served: LiveServer, width: str, viewport: dict[str, int]
) -> None:
    assert shop.admin is not None
    context = browser.new_context(base_url=served.base_url, viewport=viewport, locale="es-AR")  # type: ignore[arg-type]
    page = context.new_page()
    violations = watch_csp(page)
    sign_in(page, shop.admin.email)
    page.get_by_role("link", name="Clientes").click()
    expect(page.get_by_role("heading", name="Clientes")).to_be_visible()
    expect(page.locator("table.customers tbody tr")).to_have_count(3)
    assert fits(page)
    shot(page, f"customers-{width}")

    page.get_by_label("Buscar").fill("maria jose")
    page.get_by_role("button", name="Buscar").click()
    expect(page.locator("table.customers tbody tr")).to_have_count(1)
    expect(page.locator("table.customers")).to_contain_text("María José López")
    shot(page, f"customers-search-{width}")

    page.get_by_role("link", name="María José López").click()
    expect(page.get_by_role("heading", name="María José López")).to_be_visible()
    expect(page.locator("table.customer-bookings tbody tr")).to_have_count(2)
    expect(page.locator("table.customer-bookings")).to_contain_text("Finalizado")
    assert fits(page)
    shot(page, f"customer-{width}")
    assert violations == []
    context.close()


@pytest.mark.parametrize(("width", "viewport"), [("1280", DESKTOP), ("390", PHONE)])
def test_service_form_shows_a_price_per_washer(
    browser: Browser, shop: Shop, served: LiveServer, width: str, viewport: dict[str, int]
) -> None:
    assert shop.admin is not None
    context = browser.new_context(base_url=served.base_url, viewport=viewport, locale="es-AR")  # type: ignore[arg-type]
    page = context.new_page()
    violations = watch_csp(page)
    sign_in(page, shop.admin.email)
    page.goto("/console/services")
    card = page.locator(f"#s-{shop.quick_wash.id}")
    card.locator("summary").first.click()
    card.get_by_label("Cómo se cobra").select_option("per_resource")
    prices = card.locator("details.resource-prices")
    prices.locator("summary").click()
    prices.get_by_label("Juan (ARS)").fill("3000")
    card.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("status")).to_be_visible()
    card = page.locator(f"#s-{shop.quick_wash.id}")
    card.locator("summary").first.click()
    expect(card.locator("details.resource-prices").get_by_label("Juan (ARS)")).to_have_value(
        "3000.00"
    )
    assert fits(page)
    shot(page, f"service-resource-prices-{width}")
    assert violations == []
    context.close()
