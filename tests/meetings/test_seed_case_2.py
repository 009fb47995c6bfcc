"""The meeting-room seed's case 2 ("Reunión con cliente externo"), from the console with the
fake Google (Calendar and Meet) and the fake WhatsApp Cloud API together: the sales executive
books a room with Google Meet for a prospect's email, edits it, is reminded 15 minutes
before, and cancels it. The prospect gets the Meet link by email; the executive gets the
confirmation, the change and the cancellation by email and WhatsApp ("Email a ejecutivo con
confirmación", "WhatsApp al organizador").
"""

from __future__ import annotations

from datetime import timedelta

from tests.meetings.conftest import body_text, invite, subject
from tests.meetings.seed_office import WA_LAURA, SeedOffice, record_counts
from tests.pages.helpers import csrf_of

PROSPECT = "prospecto@cliente.test"


def test_case_2_external_client_with_google_meet_and_whatsapp(seed: SeedOffice) -> None:
    seed.connect_google(seed.laura)
    laura = seed.laura.email
    start = seed.at(15)
    with seed.console(seed.laura) as browser:
        form = browser.get("/console/bookings/new")
        assert 'id="meet" name="meet" type="checkbox" value="1" checked' in form.text
        made = browser.post(
            "/console/bookings/new",
            data={
                "csrf_token": csrf_of(form.text),
                "service": seed.meeting.id,
                "resource": seed.rooms[1].id,  # "Seleccionar sala (con Google Meet)"
                "date": start.date().isoformat(),
                "time": "15:00",
                "title": "Llamada con Prospecto SA",
                "name": "Prospecto SA",
                "email": PROSPECT,  # "Agregar email de cliente (externo)"
                "meet": "1",
            },
        )
        assert made.status_code == 303, made.text
        booking_id = made.headers["location"].rsplit("#b-", 1)[1]
        booking = seed.booking(booking_id)
        link = booking.meeting_url
        assert link is not None and link.startswith("https://meet.google.com/")
        (event,) = seed.google.events(laura)
        assert event["summary"] == "Llamada con Prospecto SA"
        assert event["conferenceData"]["entryPoints"][0]["uri"] == link

        # "Email al cliente con Meet link" — "Cliente accede al Meet desde email".
        (to_client,) = seed.mails_to(PROSPECT)
        assert link in body_text(to_client)
        method, vevent = invite(to_client)
        assert method == "REQUEST" and str(vevent["SUMMARY"]) == "Llamada con Prospecto SA"
        # "Email a ejecutivo con confirmación", and the organizer's WhatsApp.
        (to_laura,) = seed.mails_to(laura)
        assert invite(to_laura)[0] == "REQUEST" and link in body_text(to_laura)
        assert seed.whatsapp_to(WA_LAURA) == ["turnero_confirmed"]
        mails, chats = seed.counts()
        at_creation = {"emails": sum(mails.values()), "whatsapp": sum(chats.values())}

        # Edited: the notes change; everyone involved hears it, the executive on WhatsApp too.
        page = browser.get(f"/console/bookings/{booking_id}")
        assert "Llamada con Prospecto SA" in page.text
        edited = browser.post(
            f"/console/bookings/{booking_id}/edit",
            data={
                "csrf_token": csrf_of(page.text),
                "version": str(seed.booking(booking_id).version),
                "next": f"/console/bookings/{booking_id}",
                "title": "Llamada con Prospecto SA",
                "notes": "Llevar la propuesta",
                "invitees": "",
            },
        )
        assert edited.status_code == 303, edited.text
        assert invite(seed.mails_to(PROSPECT)[-1])[0] == "REQUEST"
        assert "Llevar la propuesta" in body_text(seed.mails_to(PROSPECT)[-1])
        assert len(seed.mails_to(laura)) == 2
        assert seed.whatsapp_to(WA_LAURA)[-1] == "turnero_updated"

        # "Recordatorio 15 min antes": the prospect by email, the executive by both.
        seed.until(start - timedelta(minutes=14))
        seed.fire_reminders()
        assert subject(seed.mails_to(PROSPECT)[-1]).startswith("Recordatorio: Llamada con")
        assert link in body_text(seed.mails_to(PROSPECT)[-1])
        assert seed.whatsapp_to(WA_LAURA)[-1] == "turnero_reminder"

    # Cancelled (signed in again, two days on): a CANCEL to both, the executive's WhatsApp,
    # the Google event removed.
    with seed.console(seed.laura) as browser:
        page = browser.get(f"/console/bookings/{booking_id}")
        cancelled = browser.post(
            f"/console/bookings/{booking_id}/cancel",
            data={
                "csrf_token": csrf_of(page.text),
                "version": str(seed.booking(booking_id).version),
                "reason": "El prospecto no puede",
            },
        )
        assert cancelled.status_code == 303, cancelled.text
    for address in (PROSPECT, laura):
        assert invite(seed.mails_to(address)[-1])[0] == "CANCEL", address
    assert seed.whatsapp_to(WA_LAURA)[-1] == "turnero_cancelled"
    assert seed.google.events(laura) == []
    mails, chats = seed.counts()
    record_counts(
        "case_2",
        {
            "at_creation": at_creation,
            "emails": {PROSPECT: mails[PROSPECT], laura: mails[laura]},
            "whatsapp": {WA_LAURA: seed.whatsapp_to(WA_LAURA)},
        },
    )
    # On creation: one email each to the prospect and the executive, one WhatsApp.
    assert at_creation == {"emails": 2, "whatsapp": 1}
    assert mails[PROSPECT] == 4 and mails[laura] == 4  # create, edit, reminder, cancel
    assert chats == {WA_LAURA: 4}
