"""Real Chromium on the rest of the operator's day and the client's day view, at 390 and
1280 px: the public day view marks taken times "ocupado" (not clickable, no names), the
service records page lists a finished wash, the background page retries a failed
WhatsApp delivery, and the reschedule page explains a closed window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from hub.app import create_app
from hub.bootstrap import Hub
from hub.services.booking_status import complete_booking
from tests.pages.conftest import make_hub
from tests.pages.shop import PASSWORD, SETUP, Shop, create_shop
from tests.pages.test_agenda_browser import confirmed
from tests.pages.test_console_background import fail_whatsapp
from tests.support.browser import shot
from tests.support.clock import Clock
from tests.support.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTHS = [390, 1280]


@pytest.fixture
def live(database_file: str, clock: Clock, served: LiveServer) -> Iterator[Hub]:
    hub = make_hub(database_file, clock, base_url=served.base_url)
    served.start(create_app(hub))
    yield hub
    hub.close()


@pytest.fixture
def shop(live: Hub) -> Shop:
    return create_shop(live, staff=True, employee=True)


def open_page(browser: Browser, served: LiveServer, width: int) -> Page:
    context = browser.new_context(
        base_url=served.base_url,
        viewport={"width": width, "height": 900},
        locale="es-AR",
        is_mobile=width < 600,
        has_touch=width < 600,
    )
    return context.new_page()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_public_day_view_marks_taken_times(
    browser: Browser, shop: Shop, served: LiveServer, width: int
) -> None:
    confirmed(shop, 10, 0, "Ana Secreta")
    confirmed(shop, 10, 1, "Beto Secreto")
    day = shop.day(1)
    page = open_page(browser, served, width)
    page.goto(
        f"/book/{shop.slug}?service={shop.quick_wash.id}&month={day:%Y-%m}&day={day.isoformat()}"
    )
    taken = page.locator(".time.taken", has_text="10:00")
    expect(taken).to_contain_text("ocupado")
    expect(page.get_by_role("link", name="10:00")).to_have_count(0)
    expect(page.get_by_role("link", name="10:30")).to_be_visible()
    expect(page.get_by_text("Secret")).to_have_count(0)
    shot(page, f"public-day-ocupado-{width}")
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_records_and_retrying_a_failed_whatsapp(
    browser: Browser, shop: Shop, served: LiveServer, width: int
) -> None:
    done = confirmed(shop, 10, 0, "Ana Pérez")
    complete_booking(
        shop.hub.uow(), shop.business.id, done.id, by=SETUP, now=shop.hub.now(), notes="Encerado"
    )
    fail_whatsapp(shop.hub, confirmed(shop, 12, 1, "Beto Gómez"))
    assert shop.admin is not None
    page = open_page(browser, served, width)
    page.goto("/console/login")
    page.get_by_label("Email").fill(shop.admin.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.goto("/console/records")
    expect(page.get_by_role("cell", name="Ana Pérez")).to_be_visible()
    expect(page.get_by_role("cell", name="Encerado")).to_be_visible()
    expect(page.get_by_role("link", name="Descargar CSV")).to_be_visible()
    shot(page, f"records-{width}")
    page.goto("/console/background")
    shot(page, f"background-failed-{width}")
    page.get_by_role("button", name="Reintentar").click()
    expect(page.get_by_role("status")).to_contain_text("se vuelve a intentar")
    expect(page.get_by_role("button", name="Reintentar")).to_have_count(0)
    shot(page, f"background-retried-{width}")
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_reschedule_page_explains_a_closed_window(
    browser: Browser, shop: Shop, served: LiveServer, clock: Clock, width: int
) -> None:
    booking = confirmed(shop, 10, 0, "Ana Pérez")
    clock.offset = booking.start - shop.hub.now() - timedelta(hours=1) + clock.offset
    page = open_page(browser, served, width)
    page.goto(f"/book/manage/{booking.token}/reschedule")
    expect(page.get_by_role("alert")).to_contain_text("hasta 2 horas antes")
    expect(page.locator(".time")).to_have_count(0)
    expect(page.get_by_role("link", name="Escribirle al negocio por WhatsApp")).to_be_visible()
    shot(page, f"reschedule-closed-{width}")
    page.context.close()
