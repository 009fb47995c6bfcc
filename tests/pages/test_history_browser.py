"""Real Chromium at a phone viewport: a client with no link opens "Mis turnos" on the
business page, gets a code by WhatsApp (the fake Cloud API), sees their bookings and books
the same service again in one tap."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from hub.bootstrap import Hub
from tests.pages.history_door import Door, booked, serve, whatsapp_code, with_whatsapp
from tests.pages.shop import Shop
from tests.support.browser import launch, phone, shot
from tests.support.clock import Clock
from tests.support.live import LiveServer
from tests.support.smtp import SmtpSink, running_smtp_sink
from tests.support.whatsapp import FakeWhatsAppGraph, approve_shipped

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launch()


@pytest.fixture
def graph() -> Iterator[FakeWhatsAppGraph]:
    fake = FakeWhatsAppGraph("wa-shop-token").start()
    approve_shipped(fake)
    yield fake
    fake.stop()


@pytest.fixture
def door(
    database_file: str, clock: Clock, served: LiveServer, tmp_path: Path, graph: FakeWhatsAppGraph
) -> Iterator[Door]:
    smtp_sink = running_smtp_sink()
    smtp: SmtpSink = next(smtp_sink)
    try:
        yield from serve(database_file, clock, served, tmp_path, graph, smtp)
    finally:
        smtp_sink.close()


@pytest.fixture
def hub(door: Door) -> Hub:
    return door.hub


def test_my_bookings_by_a_whatsapp_code_then_book_again(
    browser: Browser, door: Door, shop: Shop, served: LiveServer, clock: Clock
) -> None:
    with_whatsapp(door, shop)
    past = booked(shop, shop.at(10, days_ahead=1), phone="+54 9 11 2345-6789")
    ahead = booked(shop, shop.at(16, days_ahead=5), phone="+54 9 11 2345-6789")
    someone = booked(shop, shop.at(17, days_ahead=5), phone="+54 9 11 3456-7890", name="Beto")
    clock.offset += timedelta(days=2)

    page = phone(browser, served.base_url).new_page()
    page.goto(f"/book/{shop.slug}")
    page.get_by_role("link", name="Mis turnos").click()
    expect(page.get_by_role("heading", name="Lavadero Demo")).to_be_visible()
    page.get_by_label("Teléfono o email").fill("11 2345-6789")
    shot(page, "history-01-contact")
    page.get_by_role("button", name="Enviarme el código").click()
    expect(page.get_by_text("te mandamos un código")).to_be_visible()
    code = whatsapp_code(door.graph, "5491123456789")
    page.get_by_label("Código").fill(code)
    shot(page, "history-02-code")
    page.get_by_role("button", name="Ver mis turnos").click()

    expect(page.get_by_role("heading", name="Mis reservas en Lavadero Demo")).to_be_visible()
    upcoming = page.locator("ul.history.upcoming li")
    expect(upcoming).to_have_count(1)
    expect(upcoming.first).to_contain_text("Lavado exterior")
    expect(page.locator("ul.history.past li")).to_have_count(1)
    expect(page.locator(f'a[href="/book/manage/{ahead.token}"]')).to_be_visible()
    assert past.token not in page.content() and someone.token not in page.content()
    assert "Beto" not in page.content()
    shot(page, "history-03-list")

    page.locator("ul.history.past li").get_by_role("link", name="Reservar de nuevo").click()
    expect(page.get_by_role("link", name=re.compile("Lavado exterior"))).to_have_attribute(
        "aria-current", "true"
    )
    expect(page.locator("a.time[href*='start=']").first).to_be_visible()
    shot(page, "history-04-again")
