"""A meeting's title (the seed's "título"): set and changed over the REST API and on the
console's booking page, shown by ``GET /bookings/{id}``, and the SUMMARY of every calendar
copy (the invite, the client's booking.ics); a change is an update to the client, the
invitees and the organizer with SEQUENCE raised. Emptied, the copies say "service — client"
again. A title of more than 200 characters is refused and changes nothing."""

from __future__ import annotations

import httpx
from icalendar import Calendar

from tests.meetings.conftest import WA_EXECUTIVE, Office, invite, subject
from tests.meetings.test_invitee_changes import CLIENT_EMAIL, MARIA, create
from tests.pages.helpers import csrf_of
from tests.pages.test_console import sign_in


def _summary(live_base: str, token: str) -> str:
    answer = httpx.get(f"{live_base}/book/manage/{token}/booking.ics", timeout=30)
    assert answer.status_code == 200, answer.text
    (event,) = Calendar.from_ical(answer.content).walk("VEVENT")
    return str(event["SUMMARY"])


def test_the_title_over_the_api_is_every_copys_summary_and_its_change_an_update(
    office: Office,
) -> None:
    executive = office.executive.email
    base = office.live.base_url
    with office.tenant.client() as api:
        booking = create(office, api)
        url = f"/api/v1/bookings/{booking['id']}"
        token = str(booking["token"])
        assert booking["title"] == ""
        untitled = _summary(base, token)
        assert untitled.startswith("Lavado completo — ")  # as before titles existed
        seq = int(invite(office.mails_to(MARIA)[0])[1]["SEQUENCE"])

        renamed = api.patch(url, json={"title": "  Revisión\nde la propuesta  "})
        assert renamed.status_code == 200, renamed.text
        assert api.get(url).json()["title"] == "Revisión de la propuesta"  # one line
        assert _summary(base, token) == "Revisión de la propuesta"
        for address in (CLIENT_EMAIL, MARIA, executive):
            method, event = invite(office.mails_to(address)[-1])
            assert method == "REQUEST", address
            assert str(event["SUMMARY"]) == "Revisión de la propuesta"
            assert int(event["SEQUENCE"]) > seq
            assert "Revisión de la propuesta" in subject(office.mails_to(address)[-1])
        assert office.whatsapp_to(WA_EXECUTIVE)[-1] == "turnero_updated"

        counts = [len(office.mails_to(a)) for a in (CLIENT_EMAIL, MARIA, executive)]
        too_long = api.patch(url, json={"title": "x" * 201})
        assert too_long.status_code == 422
        assert api.get(url).json()["title"] == "Revisión de la propuesta"
        same = api.patch(url, json={"title": "Revisión de la propuesta"})
        assert same.status_code == 200
        assert [len(office.mails_to(a)) for a in (CLIENT_EMAIL, MARIA, executive)] == counts

        cleared = api.patch(url, json={"title": ""})
        assert cleared.status_code == 200 and cleared.json()["title"] == ""
        assert _summary(base, token) == untitled


def test_the_console_booking_page_edits_the_title(office: Office) -> None:
    with office.tenant.client() as api:
        booking = create(office, api)
    page_url = f"/console/bookings/{booking['id']}"
    with httpx.Client(base_url=office.live.base_url) as browser:
        sign_in(browser, office.executive.email)
        page = browser.get(page_url)
        assert 'id="edit-title" name="title" value=""' in page.text
        saved = browser.post(
            f"{page_url}/edit",
            data={
                "csrf_token": csrf_of(page.text),
                "version": str(booking["version"]),
                "next": page_url,
                "title": "Cierre del trimestre",
                "notes": "",
                "invitees": f"María López <{MARIA}>",
            },
        )
        assert saved.status_code == 303
        assert "Cierre del trimestre" in browser.get(page_url).text
    method, event = invite(office.mails_to(MARIA)[-1])
    assert method == "REQUEST" and str(event["SUMMARY"]) == "Cierre del trimestre"
    assert len(office.mails_to(MARIA)) == 2  # the invitation, then the update
