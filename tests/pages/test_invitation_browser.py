"""Real Chromium at a phone viewport (390 px): an invitee opens their own link, sees the
meeting and nothing of the client's, answers "no", and the business's screen shows it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from hub.bootstrap import Hub
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails, InviteeDetails
from tests.pages.shop import Shop
from tests.support.browser import phone, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
OPERATOR = ChangedBy(Actor.OPERATOR, Channel.CONSOLE)


def test_an_invitee_answers_on_their_phone(browser: Browser, hub: Hub, shop: Shop) -> None:
    booking = create_booking(
        hub.uow(),
        NewBooking(
            shop.business.id,
            shop.quick_wash.id,
            shop.at(11),
            customer=CustomerDetails("Juan Pérez", "11 2345-6789", "juan@example.com"),
            invitees=(InviteeDetails("lucia@example.com", "Lucía Gómez"),),
            notes="Portón verde",
        ),
        by=OPERATOR,
        now=hub.now(),
    )
    (invitee,) = booking.invitees
    context = phone(browser, hub.settings.base_url)
    page = context.new_page()
    page.goto(f"/book/invite/{booking.id}/{invitee.token}")
    expect(page.get_by_role("heading", name="¿Vas a ir?")).to_be_visible()
    expect(page.get_by_text("Hola, Lucía Gómez.")).to_be_visible()
    expect(page.get_by_text("Lavado exterior").first).to_be_visible()
    body = page.content()
    for secret in ("Juan", "juan@example.com", "2345", "Portón", booking.token):
        assert secret not in body, secret
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    shot(page, "invite-01-open")
    page.get_by_role("button", name="No voy").click()
    expect(page.get_by_role("status")).to_contain_text("Guardamos tu respuesta")
    expect(page.get_by_text("Respondiste que no vas.")).to_be_visible()
    expect(page.get_by_role("button", name="No voy")).to_have_attribute("aria-pressed", "true")
    shot(page, "invite-02-declined")
    context.close()
    with hub.uow() as uow:
        stored = uow.bookings.get(shop.business.id, booking.id)
    assert stored is not None and stored.status.value == "confirmed"
    assert stored.invitees[0].response.value == "declined"
