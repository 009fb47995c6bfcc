"""Real Chromium on the console's calendar agenda: the day as a time grid with one column per
washer and free gaps shown as "LIBRE"; an operator drags a booking to the other washer and
another hour, a drop on a taken time is refused in place, a free gap opens a new booking,
and "Finalizar" finishes a confirmed booking in one tap. At 1280 px and at a phone's 390 px,
under the console's Content-Security-Policy (any violation fails the test)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from booking_pages.catalogue import CLIENT
from hub.app import create_app
from hub.bootstrap import Hub
from hub.domain.booking import Booking, BookingStatus
from hub.services.availability import get_booking
from hub.services.booking_create import NewBooking, create_booking
from hub.services.booking_status import confirm_booking
from hub.services.customers import CustomerDetails
from tests.pages.conftest import make_hub
from tests.pages.shop import PASSWORD, SETUP, Shop, create_shop
from tests.support.browser import phone, shot
from tests.support.clock import Clock
from tests.support.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def live(database_file: str, clock: Clock, served: LiveServer) -> Iterator[Hub]:
    hub = make_hub(database_file, clock, base_url=served.base_url)
    served.start(create_app(hub))
    yield hub
    hub.close()


@pytest.fixture
def shop(live: Hub) -> Shop:
    return create_shop(live, staff=True, employee=True)


def confirmed(shop: Shop, hour: int, washer: int, name: str) -> Booking:
    booking = create_booking(
        shop.hub.uow(),
        NewBooking(
            shop.business.id,
            shop.quick_wash.id,
            shop.at(hour, days_ahead=1),
            customer=CustomerDetails(name, f"+54 9 11 2345-67{hour:02d}"),
            resource_id=shop.washers[washer].id,
        ),
        by=CLIENT,
        now=shop.hub.now(),
    )
    if booking.status is BookingStatus.PENDING:
        booking = confirm_booking(
            shop.hub.uow(), shop.business.id, booking.id, by=SETUP, now=shop.hub.now()
        )
    return booking


def sign_in(page: Page, email: str) -> None:
    page.goto("/console/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()


def watch_csp(page: Page) -> list[str]:
    """Console messages that report a Content-Security-Policy violation."""
    violations: list[str] = []

    def listen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)

    page.on("console", listen)
    return violations


def drag(page: Page, event_text: str, column: str, hour: int, opens: int = 9) -> None:
    """Drag the event showing ``event_text`` to the ``column`` resource at ``hour``:00 (the
    grid starts at ``opens`` with 44-pixel half hours)."""
    event = page.locator(".ec-event.bk", has_text=event_text)
    box = event.bounding_box()
    header = page.locator(".ec-col-head", has_text=column).first.bounding_box()
    grid = page.locator(".ec-body .ec-day").first.bounding_box()
    assert box and header and grid
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 4)
    page.mouse.down()
    target_y = grid["y"] + (hour - opens) * 2 * 44 + 4
    page.mouse.move(header["x"] + header["width"] / 2, target_y, steps=12)
    page.mouse.up()


def test_drag_to_another_washer_refusal_in_place_and_finalizar(
    browser: Browser, shop: Shop, served: LiveServer, clock: Clock
) -> None:
    ana = confirmed(shop, 10, 0, "Ana Pérez")
    confirmed(shop, 14, 1, "Beto Gómez")
    assert shop.admin is not None
    context = browser.new_context(base_url=served.base_url, viewport=DESKTOP, locale="es-AR")
    page = context.new_page()
    violations = watch_csp(page)
    sign_in(page, shop.admin.email)
    day = shop.day(1).isoformat()
    page.goto(f"/console/agenda?date={day}")
    expect(page.locator(".ec-col-head", has_text="Juan")).to_be_visible()
    expect(page.locator(".ec-col-head", has_text="María")).to_be_visible()
    expect(page.locator(".ec-event.bk", has_text="Ana Pérez")).to_be_visible()
    expect(page.locator(".ec-bg-event.free").first).to_contain_text("LIBRE")
    expect(page.locator("#agenda-list")).to_be_hidden()
    shot(page, "agenda-day-1280")
    page.get_by_role("button", name="Semana").click()
    expect(page.locator(".ec-event.bk", has_text="Ana Pérez")).to_be_visible()
    expect(page).to_have_url(re.compile(r"view=week"))
    shot(page, "agenda-week-1280")
    page.get_by_role("button", name="Mes").click()
    expect(page.locator(".ec-event", has_text="Ana Pérez")).to_be_visible()
    shot(page, "agenda-month-1280")
    page.locator(f'.ec-day time[datetime="{day}"]').first.click()
    expect(page.get_by_role("button", name="Día")).to_have_class(re.compile("ec-active"))
    page.goto(f"/console/agenda?date={day}")

    drag(page, "Ana Pérez", "María", 11)
    expect(page.get_by_text("Turno movido.")).to_be_visible()
    page.wait_for_load_state("networkidle")
    moved = get_booking(shop.hub.uow(), shop.business.id, ana.id)
    assert moved.resource_id == shop.washers[1].id
    assert moved.start == shop.at(11, days_ahead=1)
    expect(page.locator(".ec-event.bk", has_text="Ana Pérez")).to_be_visible()
    shot(page, "agenda-moved-1280")

    drag(page, "Ana Pérez", "María", 14)
    expect(page.get_by_role("alert")).to_contain_text("ese horario ya está ocupado")
    kept = get_booking(shop.hub.uow(), shop.business.id, ana.id)
    assert (kept.resource_id, kept.start) == (shop.washers[1].id, shop.at(11, days_ahead=1))
    shot(page, "agenda-refused-1280")

    page.locator(".ec-bg-event.free", has_text="LIBRE").first.wait_for()
    page.locator(".ec-body .ec-day").first.click(position={"x": 20, "y": (15 - 9) * 2 * 44 + 10})
    expect(page).to_have_url(re.compile(r"/console/bookings/new\?resource=.*&at=.*T15%3A00"))
    expect(page.locator("#time")).to_have_value("15:00")
    page.go_back()

    clock.offset = shop.at(11, 5, days_ahead=1) - shop.hub.now() + clock.offset
    sign_in(page, shop.admin.email)  # a day later: the session has expired
    page.goto(f"/console/agenda?date={day}")
    page.locator(".ec-event.bk", has_text="Ana Pérez").click()
    expect(page.get_by_role("button", name="Finalizar")).to_be_visible()
    page.get_by_role("button", name="Finalizar").click()
    expect(page.get_by_text("Turno finalizado.")).to_be_visible()
    done = get_booking(shop.hub.uow(), shop.business.id, ana.id)
    assert done.status is BookingStatus.COMPLETED
    assert violations == []
    context.close()


def test_phone_day_grid_and_employee_sees_only_their_washer(
    browser: Browser, shop: Shop, served: LiveServer
) -> None:
    confirmed(shop, 10, 0, "Ana Pérez")
    confirmed(shop, 12, 1, "Beto Gómez")
    assert shop.employee is not None
    context = phone(browser, served.base_url)
    page = context.new_page()
    violations = watch_csp(page)
    sign_in(page, shop.employee.email)
    page.goto(f"/console/agenda?date={shop.day(1).isoformat()}")
    expect(page.locator(".ec-event.bk", has_text="Ana Pérez")).to_be_visible()
    expect(page.locator(".ec-event.bk", has_text="Beto Gómez")).to_have_count(0)
    expect(page.locator(".ec-col-head", has_text="María")).to_have_count(0)
    shot(page, "agenda-day-390")
    page.get_by_role("button", name="Semana").click()
    expect(page.locator(".ec-event.bk", has_text="Ana Pérez")).to_be_visible()
    shot(page, "agenda-week-390")
    expect(page.get_by_role("button", name="Anterior")).to_be_visible()
    assert violations == []
    context.close()


def test_without_javascript_the_list_view_remains(
    browser: Browser, shop: Shop, served: LiveServer
) -> None:
    confirmed(shop, 10, 0, "Ana Pérez")
    assert shop.admin is not None
    context = phone(browser, served.base_url, javascript=False)
    page = context.new_page()
    sign_in(page, shop.admin.email)
    page.goto(f"/console/agenda?date={shop.day(1).isoformat()}")
    expect(page.locator("article.bcard", has_text="Ana Pérez")).to_be_visible()
    expect(page.locator("#agenda-calendar")).to_be_hidden()
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_console_menu_fits_and_groups_the_admin_screens(
    browser: Browser, shop: Shop, served: LiveServer, width: int
) -> None:
    finished = confirmed(shop, 10, 0, "Ana Pérez")
    assert shop.admin is not None
    context = browser.new_context(
        base_url=served.base_url, viewport={"width": width, "height": 900}, locale="es-AR"
    )
    page = context.new_page()
    sign_in(page, shop.admin.email)
    page.goto("/console/records")
    nav = page.get_by_role("navigation", name="Menú")
    overflow = nav.evaluate("n => n.scrollWidth - n.clientWidth")
    assert overflow <= 0
    for name in ("Agenda", "Nuevo turno", "Bloqueos", "Registros", "Resumen", "Mensajes"):
        link = nav.get_by_role("link", name=name, exact=True)
        expect(link).to_be_in_viewport()
    expect(nav.get_by_role("link", name="Webhooks")).to_be_hidden()
    nav.get_by_text("Configuración").click()
    expect(nav.get_by_role("link", name="Claves de API")).to_be_in_viewport()
    expect(nav.get_by_role("link", name="Webhooks")).to_be_in_viewport()
    shot(page, f"console-menu-{width}")
    nav.get_by_role("link", name="Webhooks").click()
    expect(page).to_have_url(f"{served.base_url}/console/webhooks")
    page.goto(f"/console/bookings/{finished.id}")
    expect(page.get_by_role("heading", name="Historial")).to_be_visible()
    shot(page, f"booking-history-{width}")
    context.close()
