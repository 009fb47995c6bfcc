"""The meeting-room seed's case 1 ("Reunión simple entre internos") in Chromium, as the seed
walks it: "Login con Google → Nuevo turno → sala → hora → buscar y agregar invitados (María,
Juan) → crear Google Meet → crear reserva", with the fake Google for the login and the Meet.
María and Juan each get their own invitation (iMIP REQUEST, them as ATTENDEE, the Meet
link); the organizer gets the confirmation by email and WhatsApp; 15 minutes before, the
reminder goes to all of them. The messages are counted against the seed's "2 emails + 1
WhatsApp".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect

from tests.meetings.conftest import attendees, body_text, invite, subject
from tests.meetings.seed_office import WA_LAURA, SeedOffice, record_counts
from tests.support.browser import launch, shot
from tests.support.google import FakeGoogle

pytestmark = [pytest.mark.browser]


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    """Google on another loopback address than the hub (another site for Chromium), showing
    its sign-in page, as the real one does."""
    fake = FakeGoogle(host="127.0.0.2").start()
    fake.consent = "form"
    yield fake
    fake.stop()


@pytest.fixture
def chromium() -> Iterator[Browser]:
    yield from launch()


def test_case_1_internal_meeting_in_the_browser(chromium: Browser, seed: SeedOffice) -> None:
    seed.connect_google(seed.laura)  # her calendar has the rooms: the meetings get Meet
    maria, juan, laura = seed.maria.email, seed.juan.email, seed.laura.email
    start = seed.at(10)
    context = chromium.new_context(
        base_url=seed.live.base_url, viewport={"width": 1280, "height": 900}, locale="es-AR"
    )
    page = context.new_page()
    # Login con Google
    page.goto("/console/login")
    page.get_by_role("link", name="Entrar con Google").click()
    expect(page.get_by_role("heading", name="Sign in with Google")).to_be_visible()
    page.get_by_label("Email").fill(laura)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/console/agenda"))
    # Nuevo turno → sala → hora
    page.get_by_role("link", name="Nuevo turno").first.click()
    expect(page.get_by_role("heading", name="Nuevo turno")).to_be_visible()
    page.select_option("#service", seed.meeting.id)
    page.select_option("#resource", seed.rooms[0].id)
    page.fill("#date", start.date().isoformat())
    page.fill("#time", "10:00")
    page.fill("#title", "Reunión de equipo")
    # Buscar y agregar invitados (María, Juan): no accent typed, found anyway.
    for needle, name in (("maria", "María López"), ("juan", "Juan Pérez")):
        page.fill("#invitee_q", needle)
        page.get_by_role("button", name="Buscar", exact=True).click()
        page.get_by_role("button", name=f"Agregar {name}").click()
    expect(page.locator("#invitees")).to_have_value(f"María López <{maria}>\nJuan Pérez <{juan}>")
    expect(page.locator("#title")).to_have_value("Reunión de equipo")  # kept across searches
    # Crear Google Meet (the service asks for it: ticked already) → crear reserva
    expect(page.get_by_label("Crear Google Meet")).to_be_checked()
    shot(page, "seed-case-1-form")
    page.get_by_role("button", name="Crear turno").click()
    expect(page).to_have_url(re.compile(r"/console/agenda\?date="))
    # The agenda shows the meeting by its title.
    expect(
        page.get_by_role("button", name=re.compile(r"^10:00.11:00 Reunión de equipo"))
    ).to_be_visible()
    shot(page, "seed-case-1-agenda")
    context.close()

    ((booking_id, link),) = [
        (b.id, b.meeting_url) for b in _bookings(seed) if b.title == "Reunión de equipo"
    ]
    assert link is not None and link.startswith("https://meet.google.com/")
    booking = seed.booking(booking_id)
    assert booking.organizer_id == seed.laura.id
    # The invites reach María and Juan: each their own REQUEST, with the Meet link.
    for address in (maria, juan):
        (mail,) = seed.mails_to(address)
        method, event = invite(mail)
        assert method == "REQUEST"
        assert attendees(event) == [address]
        assert str(event["ORGANIZER"]) == f"mailto:{laura}"
        assert str(event["SUMMARY"]) == "Reunión de equipo"
        assert link in body_text(mail) and link in str(event["DESCRIPTION"])
        assert "Reunión de equipo" in subject(mail)
    (to_laura,) = seed.mails_to(laura)
    assert link in body_text(to_laura)
    assert seed.whatsapp_to(WA_LAURA) == ["turnero_confirmed"]
    mails, chats = seed.counts()
    at_creation = {"emails": dict(mails), "whatsapp": dict(chats)}

    # Recordatorio 15 min antes: WhatsApp to the organizer, email to everyone.
    seed.until(booking.start - timedelta(minutes=14))
    seed.fire_reminders()
    mails, chats = seed.counts()
    record_counts(
        "case_1",
        {
            "at_creation": at_creation,
            "with_reminder": {"emails": dict(mails), "whatsapp": dict(chats)},
        },
    )
    assert at_creation == {"emails": {maria: 1, juan: 1, laura: 1}, "whatsapp": {WA_LAURA: 1}}
    assert dict(mails) == {maria: 2, juan: 2, laura: 2}
    assert seed.whatsapp_to(WA_LAURA) == ["turnero_confirmed", "turnero_reminder"]


def _bookings(seed: SeedOffice) -> list:  # type: ignore[type-arg]
    with seed.hub.uow() as uow:
        return uow.bookings.list_range(
            seed.business.id,
            seed.live.now(),
            seed.live.now() + timedelta(days=7),
        )
