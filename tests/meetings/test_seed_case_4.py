"""The meeting-room seed's case 4 ("Reserva recurrente (semanal)") in Chromium: the user
creates a booking, ticks "Repetir esta reserva", picks weekly and how many times, and the
console makes one independent booking per week — each with its own Google event, a Meet
link and its own invitation to the invitee — and one of them is cancelled alone ("se pueden
editar/cancelar individualmente"). The every-two-weeks series, its conflicts and "this and
the following" are the console series test's (``tests/pages/test_console_series.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect

from hub.domain.booking import BookingStatus
from tests.meetings.conftest import invite
from tests.meetings.seed_office import WA_LAURA, SeedOffice, record_counts
from tests.pages.shop import PASSWORD
from tests.support.browser import launch, shot

pytestmark = [pytest.mark.browser]


@pytest.fixture
def chromium() -> Iterator[Browser]:
    yield from launch()


def test_case_4_weekly_series_from_the_console(chromium: Browser, seed: SeedOffice) -> None:
    seed.connect_google(seed.laura)
    maria, laura = seed.maria.email, seed.laura.email
    first = seed.at(9, days_ahead=1)
    context = chromium.new_context(
        base_url=seed.live.base_url, viewport={"width": 1280, "height": 900}, locale="es-AR"
    )
    page = context.new_page()
    page.goto("/console/login")
    page.fill("#email", laura)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/console/agenda"))
    # Usuario crea reserva → "Recurrente" → "Semanal" y duración
    page.get_by_role("link", name="Nuevo turno").first.click()
    page.select_option("#service", seed.meeting.id)
    page.select_option("#resource", seed.rooms[1].id)
    page.fill("#date", first.date().isoformat())
    page.fill("#time", "09:00")
    page.fill("#title", "Semanal de ventas")
    page.fill("#invitees", f"María López <{maria}>")
    page.get_by_label("Repetir esta reserva").check()
    page.select_option("#repeat_freq", "weekly")
    page.fill("#repeat_every", "1")
    page.fill("#repeat_count", "4")
    page.get_by_role("button", name="Revisar fechas").click()
    rows = page.locator("table.series-review tbody tr")
    expect(rows).to_have_count(4)
    for n in range(4):
        expect(rows.nth(n)).to_contain_text("libre")
    shot(page, "seed-case-4-review")
    # Sistema crea múltiples reservas: one a week.
    page.get_by_role("button", name="Reservar las que entran").click()
    expect(page.locator("ul.series-booked li")).to_have_count(4)
    page.get_by_role("link", name="Ver la serie").click()
    dates = page.locator("table.series-dates tbody tr")
    expect(dates).to_have_count(4)
    # Each one independent: the third is cancelled alone.
    dates.nth(2).get_by_role("link").first.click()
    expect(page.get_by_role("main")).to_contain_text("Semanal de ventas")
    page.get_by_role("button", name="Cancelar solo esta").click()
    statuses = page.locator("table.series-dates tbody tr")
    expect(statuses.nth(2)).to_have_attribute("data-status", "cancelled")
    for n in (0, 1, 3):
        expect(statuses.nth(n)).to_have_attribute("data-status", "confirmed")
    shot(page, "seed-case-4-series")
    context.close()

    with seed.hub.uow() as uow:
        made = uow.bookings.list_range(
            seed.business.id, first - timedelta(hours=1), first + timedelta(weeks=4)
        )
    assert [b.start for b in made] == [first + timedelta(weeks=n) for n in range(4)]
    assert len({b.series_id for b in made}) == 1 and made[0].series_id is not None
    assert [b.status for b in made] == [BookingStatus.CONFIRMED] * 2 + [
        BookingStatus.CANCELLED,
        BookingStatus.CONFIRMED,
    ]
    assert all(b.title == "Semanal de ventas" for b in made)
    links = [b.meeting_url for b in made]
    assert all(link and link.startswith("https://meet.google.com/") for link in links)
    assert len(seed.google.events(laura)) == 3  # the cancelled one's event is gone
    # María: an invitation per week, then the cancellation of the third.
    to_maria = [invite(m) for m in seed.mails_to(maria)]
    assert [method for method, _ in to_maria] == ["REQUEST"] * 4 + ["CANCEL"]
    assert len({str(event["UID"]) for _, event in to_maria}) == 4
    mails, chats = seed.counts()
    record_counts(
        "case_4",
        {"emails": dict(mails), "whatsapp": dict(chats)},
    )
    assert mails[laura] == 5
    assert seed.whatsapp_to(WA_LAURA) == ["turnero_confirmed"] * 4 + ["turnero_cancelled"]
