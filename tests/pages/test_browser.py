"""Real Chromium at a phone viewport: a client books the car wash end to end and cancels
from the manage link, an operator confirms it on the day's timeline, two browsers race for
one slot, and the pages work with JavaScript off."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from booking_pages.catalogue import slot_code
from hub.app import create_app
from hub.bootstrap import Hub
from hub.domain.policies import BookingPolicy
from hub.services.availability import list_bookings
from tests.pages.conftest import make_hub
from tests.pages.shop import PASSWORD, Shop, create_shop
from tests.support.browser import phone, shot
from tests.support.clock import Clock
from tests.support.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def live(database_file: str, clock: Clock, served: LiveServer) -> Iterator[Hub]:
    """The whole product app (API, CalDAV, pages, console) under uvicorn."""
    hub = make_hub(database_file, clock, base_url=served.base_url)
    served.start(create_app(hub))
    yield hub
    hub.close()


@pytest.fixture
def shop(live: Hub) -> Shop:
    return create_shop(live, staff=True, policy=BookingPolicy(requires_confirmation=True))


def pick_time(page: Page, shop: Shop, hour: int, *, service: bool = True) -> None:
    """From the business page: the full wash (unless ``service`` is already picked), the day
    after tomorrow, ``hour``:00."""
    if service:
        page.get_by_role("link", name=re.compile("Lavado completo")).click()
    day = shop.day()
    if day.month != shop.day(0).month:
        page.get_by_role("link", name="Mes siguiente").click()
    shot(page, "01b-calendar")
    page.locator(f'a.daylink[href*="day={day.isoformat()}"]').click()
    expect(page.locator("#time-h")).to_be_focused()
    shot(page, "01c-times")
    page.locator(f'a.time[href*="start={slot_code(shop.at(hour))}"]').click()


def fill_details(page: Page, name: str, phone_number: str) -> None:
    page.get_by_label("Nombre").fill(name)
    page.get_by_label("Teléfono").fill(phone_number)
    page.get_by_label("Dirección donde vamos").fill("Av. Rivadavia 1234, CABA")


def test_book_cancel_and_confirm_on_a_phone(
    browser: Browser, shop: Shop, served: LiveServer
) -> None:
    client = phone(browser, served.base_url)
    page = client.new_page()
    page.goto(f"/book/{shop.slug}")
    expect(page.get_by_role("heading", name="Lavadero Demo")).to_be_visible()
    shot(page, "01-business")
    pick_time(page, shop, 10)
    shot(page, "02-form")
    fill_details(page, "Ana <Pérez>", "11 2345-6789")
    page.get_by_role("button", name="Reservar turno").click()
    expect(page.get_by_text("Recibimos tu pedido")).to_be_visible()
    expect(page.get_by_text("A nombre de Ana <Pérez>")).to_be_visible()
    expect(page.get_by_role("link", name="Agregar a Google Calendar")).to_be_visible()
    expect(page.get_by_role("link", name="Descargar .ics")).to_be_visible()
    shot(page, "03-confirmation")
    manage_url = page.url.split("?")[0]

    operator = phone(browser, served.base_url).new_page()
    operator.goto("/console/agenda")
    assert shop.admin is not None
    operator.get_by_label("Email").fill(shop.admin.email)
    operator.get_by_label("Contraseña").fill(PASSWORD)
    operator.get_by_role("button", name="Ingresar").click()
    operator.goto(f"/console/agenda?date={shop.day().isoformat()}")
    operator.get_by_role("button", name="Ver como lista").click()  # the time grid is first
    card = operator.locator("article.bcard", has_text="Ana <Pérez>")
    expect(card).to_contain_text("Pendiente")
    shot(operator, "04-agenda")
    card.get_by_role("button", name="Confirmar").click()
    expect(operator.get_by_text("Turno confirmado.")).to_be_visible()
    expect(operator.locator("article.bcard", has_text="Ana <Pérez>")).to_contain_text("Confirmado")
    shot(operator, "05-agenda-confirmed")

    page.goto(manage_url)
    expect(page.locator(".badge")).to_have_text("Confirmado")
    page.get_by_text("Cancelar el turno", exact=True).click()
    page.get_by_label("Motivo").fill("Me surgió un viaje")
    page.get_by_role("button", name="Sí, cancelar el turno").click()
    expect(page.get_by_text("Tu turno quedó cancelado.")).to_be_visible()
    expect(page.get_by_text("Motivo: Me surgió un viaje")).to_be_visible()
    shot(page, "06-cancelled")


def test_two_browsers_race_for_one_slot(browser: Browser, shop: Shop, served: LiveServer) -> None:
    juan = shop.washers[0].id
    url = (
        f"/book/{shop.slug}/form?service={shop.full_wash.id}"
        f"&start={slot_code(shop.at(11))}&resource={juan}"
    )
    pages = []
    for name, number in (("Primera", "11 2345-6789"), ("Segundo", "11 3456-7890")):
        page = phone(browser, served.base_url).new_page()
        page.goto(url)
        fill_details(page, name, number)
        pages.append(page)
    for page in pages:  # both submissions in flight at once
        page.evaluate("document.querySelector('form.card[method=post]').requestSubmit()")
    for page in pages:
        page.wait_for_load_state("load")
        page.wait_for_url(re.compile(r"/book/"), wait_until="load")
    outcomes = []
    for index, page in enumerate(pages):
        expect(page.locator("h2").first).to_be_visible()
        taken = page.get_by_text("Ese horario se acaba de ocupar.")
        outcomes.append("taken" if taken.count() else "booked")
        shot(page, f"07-race-{index + 1}-{outcomes[-1]}")
    assert sorted(outcomes) == ["booked", "taken"]
    loser = pages[outcomes.index("taken")]
    alternatives = loser.locator("#taken button.time")
    assert alternatives.count() >= 3
    start = shop.at(0)
    booked = list_bookings(shop.hub.uow(), shop.business.id, start, shop.at(23))
    assert len(booked) == 1
    alternatives.first.click()
    expect(loser.get_by_text("Recibimos tu pedido")).to_be_visible()
    shot(loser, "08-race-loser-rebooked")


def test_booking_works_with_javascript_off(
    browser: Browser, shop: Shop, served: LiveServer
) -> None:
    page = phone(browser, served.base_url, javascript=False).new_page()
    page.goto(f"/book/{shop.slug}")
    page.get_by_role("link", name=re.compile("Lavado completo")).click()
    day = shop.day(3)
    if day.month != shop.day(0).month:
        page.get_by_role("link", name="Mes siguiente").click()
    page.locator(f'a.daylink[href*="day={day.isoformat()}"]').click()
    page.locator(f'a.time[href*="start={slot_code(shop.at(12, days_ahead=3))}"]').click()
    fill_details(page, "Sin JavaScript", "11 4567-8901")
    page.get_by_role("button", name="Reservar turno").click()
    expect(page.get_by_text("Recibimos tu pedido")).to_be_visible()
    shot(page, "09-no-javascript")
