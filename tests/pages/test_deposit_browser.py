"""Real Chromium at a phone viewport through the deposit flow: a client picks a service that
takes a 20 % deposit, a time and fills the form, is sent to the provider's hosted checkout
(fake Stripe / fake MercadoPago on loopback), pays there — the provider sends its signed
webhook and the browser back — and lands on the booking page, confirmed and paid."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from booking_pages.catalogue import slot_code
from hub.domain.booking import Booking, BookingStatus
from hub.domain.payments import PaymentStatus
from hub.services.availability import list_bookings
from tests.payments.conftest import DEPOSIT, WEBHOOK_SECRET, World, build_world
from tests.support.browser import phone, shot
from tests.support.payments import Endpoint, FakeMercadoPago, FakeStripe
from tests.support.world import TZ

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def fakes() -> Iterator[tuple[FakeStripe, FakeMercadoPago]]:
    stripe, mp = FakeStripe().start(), FakeMercadoPago().start()
    yield stripe, mp
    stripe.stop()
    mp.stop()


@pytest.fixture(params=["stripe", "mercadopago"])
def world(
    request: pytest.FixtureRequest, sqlite_url: str, fakes: tuple[FakeStripe, FakeMercadoPago]
) -> Iterator[World]:
    """The whole app under uvicorn, and the business's webhook endpoint registered at the
    provider (as its admin does in the provider's dashboard)."""
    for built in build_world(request.param, sqlite_url, fakes):
        fake = built.stripe if built.provider == "stripe" else built.mp
        base = str(built.http.base_url).rstrip("/")
        hook = f"{base}/connectors/payments/{built.provider}/webhook?business={built.business.id}"
        fake.endpoint = Endpoint(hook, WEBHOOK_SECRET)
        try:
            yield built
        finally:
            fake.endpoint = None


def pick_time(page: Page, world: World, when: datetime) -> None:
    page.get_by_role("link", name=re.compile("Lavado")).click()
    today = world.clock().astimezone(ZoneInfo(TZ)).date()
    if when.month != today.month:
        page.get_by_role("link", name="Mes siguiente").click()
    page.locator(f'a.daylink[href*="day={when.date().isoformat()}"]').click()
    page.locator(f'a.time[href*="start={slot_code(when)}"]').click()
    page.wait_for_url(re.compile(r"/form\?"))
    expect(page.get_by_role("heading", name="Tus datos")).to_be_visible()


def test_deposit_paid_at_the_provider_confirms_the_booking(browser: Browser, world: World) -> None:
    base = str(world.http.base_url).rstrip("/")
    fake = world.stripe if world.provider == "stripe" else world.mp
    tz = ZoneInfo(TZ)
    day = (world.clock().astimezone(tz) + timedelta(days=3)).date()
    when = datetime.combine(day, time(10), tz)
    name = f"deposit-{world.provider}"

    page = phone(browser, base).new_page()
    page.goto(f"/book/{world.business.slug}")
    pick_time(page, world, when)
    page.get_by_label("Nombre").fill("Ana Pérez")
    page.get_by_label("Teléfono").fill("+54 9 11 2345-6789")
    shot(page, f"{name}-01-form")
    page.get_by_role("button", name="Reservar turno").click()

    page.wait_for_url(re.compile("^" + re.escape(fake.url) + "/checkout/"))
    expect(page.locator(".amount")).to_contain_text(
        "2000" if world.provider == "stripe" else "2000.0 ARS"
    )
    shot(page, f"{name}-02-checkout")
    pending = _only_booking(world)
    assert pending.status is BookingStatus.PENDING
    page.get_by_role("button", name="Pay").click()

    page.wait_for_url(re.compile("^" + re.escape(base) + "/book/manage/"))
    expect(page.get_by_text("¡Listo! Tu turno está reservado.")).to_be_visible()
    expect(page.locator(".badge")).to_have_text("Confirmado")
    expect(page.locator("p.deposit")).to_have_attribute("data-deposit", "succeeded")
    expect(page.locator("p.deposit")).to_contain_text("Seña pagada")
    expect(page.locator("p.deposit")).to_contain_text("2.000,00")
    expect(page.get_by_role("link", name="Pagar la seña")).to_have_count(0)
    shot(page, f"{name}-03-paid")

    booking = world.booking(pending)
    assert booking.status is BookingStatus.CONFIRMED
    assert booking.start == when
    payment = world.payment(booking)
    assert payment is not None and payment.status is PaymentStatus.SUCCEEDED
    assert payment.amount_minor == DEPOSIT and payment.currency == "ARS"

    # Back on the checkout (the browser's back button): paying is not offered twice.
    page.goto(f"/connectors/payments/pay/{booking.token}")
    page.wait_for_url(re.compile("^" + re.escape(base) + "/book/manage/"))
    expect(page.locator("p.deposit")).to_have_attribute("data-deposit", "succeeded")


def _only_booking(world: World) -> Booking:
    start = world.clock() - timedelta(days=1)
    found = list_bookings(world.hub.uow(), world.business.id, start, start + timedelta(days=30))
    assert len(found) == 1
    return found[0]
