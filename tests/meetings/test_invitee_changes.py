"""Invitees added or removed after the booking was made, and edits that change what the people
on a meeting see: who is added gets an invitation (REQUEST), who is removed a CANCEL, and a
change of notes, place or room an update to everyone, SEQUENCE raised and the UID kept. Each
invitee's message is their own: their name, their link, never the client's phone or link.
The iMIP structure is read back with ``icalendar``."""

from __future__ import annotations

import httpx

from hub.domain.accounts import Role
from hub.services import accounts
from tests.meetings.conftest import WA_EXECUTIVE, Office, attendees, body_text, invite, subject
from tests.pages.helpers import csrf_of
from tests.pages.shop import PASSWORD
from tests.pages.test_console import sign_in

CLIENT_EMAIL = "cliente@crm.test"
CLIENT_PHONE = "+5491123456789"
MARIA, JUAN = "maria@socios.test", "juan@socios.test"


def create(office: Office, client: httpx.Client) -> dict[str, object]:
    body = office.tenant.booking_body(
        10,
        days_ahead=2,
        resource=office.tenant.resources[0].id,
        customer={"name": "Cliente CRM", "phone": CLIENT_PHONE, "email": CLIENT_EMAIL},
        invitees=[{"email": MARIA, "name": "María López"}],
        organizer=office.executive.email,
    )
    created = client.post("/api/v1/bookings", json=body)
    assert created.status_code == 201, created.text
    return dict(created.json())


def test_api_patch_invites_the_added_cancels_the_removed_and_updates_everyone(
    office: Office,
) -> None:
    executive = office.executive.email
    with office.tenant.client() as client:
        booking = create(office, client)
        url = f"/api/v1/bookings/{booking['id']}"
        _, first = invite(office.mails_to(MARIA)[0])
        assert len(office.mails_to(CLIENT_EMAIL)) == 1 and len(office.mails_to(executive)) == 1

        # Juan is added: he alone is invited; María and the client hear nothing.
        added = client.patch(
            url, json={"invitees": [{"email": MARIA, "name": "María López"}, JUAN]}
        )
        assert added.status_code == 200, added.text
        (to_juan,) = office.mails_to(JUAN)
        method, event = invite(to_juan)
        assert method == "REQUEST"
        assert attendees(event) == [JUAN]
        assert str(event["UID"]) == str(first["UID"])
        assert str(event["ORGANIZER"]) == f"mailto:{executive}"
        text = body_text(to_juan)
        juan = next(i for i in added.json()["invitations"] if i["email"] == JUAN)
        assert "/book/invite/" in text
        assert CLIENT_PHONE not in to_juan.as_string() and "Cliente CRM" not in text
        assert str(booking["token"]) not in to_juan.as_string()
        assert juan["response"] == "needs_action"
        assert len(office.mails_to(MARIA)) == 1 and len(office.mails_to(CLIENT_EMAIL)) == 1
        assert len(office.mails_to(executive)) == 2  # the organizer hears of every change

        # María is removed: she gets a CANCEL of the same event, SEQUENCE not lower.
        client.patch(url, json={"invitees": [JUAN]})
        removed = office.mails_to(MARIA)[-1]
        method, cancelled = invite(removed)
        assert method == "CANCEL" and str(cancelled["UID"]) == str(first["UID"])
        assert int(cancelled["SEQUENCE"]) > int(first["SEQUENCE"])
        assert attendees(cancelled) == [MARIA]
        assert "Ya no" in subject(removed)
        assert len(office.mails_to(JUAN)) == 1

        # The notes change: everyone still on it gets the update, SEQUENCE raised again.
        before = int(invite(office.mails_to(JUAN)[-1])[1]["SEQUENCE"])
        client.patch(url, json={"notes": "Traer la propuesta impresa"})
        for address in (CLIENT_EMAIL, JUAN, executive):
            method, updated = invite(office.mails_to(address)[-1])
            assert method == "REQUEST", address
            assert int(updated["SEQUENCE"]) > before
            assert str(updated["UID"]) == str(first["UID"])
        assert "Traer la propuesta" in body_text(office.mails_to(CLIENT_EMAIL)[-1])
        assert "Traer la propuesta" not in office.mails_to(JUAN)[-1].as_string()
        assert len(office.mails_to(MARIA)) == 2  # no longer on it

        # A change of room is an update too.
        moved = client.patch(url, json={"resource_id": office.tenant.resources[1].id})
        assert moved.status_code == 200, moved.text
        method, room = invite(office.mails_to(JUAN)[-1])
        assert method == "REQUEST" and int(room["SEQUENCE"]) > int(updated["SEQUENCE"])

        # Sent back unchanged: nobody is told anything.
        counts = [len(office.mails_to(a)) for a in (CLIENT_EMAIL, JUAN, MARIA, executive)]
        same = client.patch(url, json={"notes": "Traer la propuesta impresa", "invitees": [JUAN]})
        assert same.status_code == 200
        assert [len(office.mails_to(a)) for a in (CLIENT_EMAIL, JUAN, MARIA, executive)] == counts
    # The seed's edit: "WhatsApp al organizador"; the client's WhatsApp only had the booking.
    assert office.whatsapp_to(WA_EXECUTIVE) == [
        "turnero_confirmed",
        "turnero_updated",
        "turnero_updated",
        "turnero_updated",
        "turnero_updated",
    ]
    assert office.whatsapp_to("5491123456789") == ["turnero_confirmed"]


def test_the_console_booking_page_edits_notes_and_invitees(office: Office) -> None:
    with office.tenant.client() as api:
        booking = create(office, api)
    page_url = f"/console/bookings/{booking['id']}"
    with httpx.Client(base_url=office.live.base_url) as browser:
        sign_in(browser, office.executive.email)
        page = browser.get(page_url)
        assert page.status_code == 200 and "María López &lt;maria@socios.test&gt;" in page.text
        assert "Laura Ejecutiva" in page.text  # the organizer
        form = {
            "csrf_token": csrf_of(page.text),
            "version": str(booking["version"]),
            "next": page_url,
            "notes": "",
            "invitees": f"María López <{MARIA}>\nJuan <{JUAN}>",
        }
        saved = browser.post(f"{page_url}/edit", data=form)
        assert saved.status_code == 303
        assert invite(office.mails_to(JUAN)[-1])[0] == "REQUEST"
        bad = browser.post(
            f"{page_url}/edit",
            data={**form, "version": str(int(str(booking["version"])) + 1), "invitees": "x"},
        )
        assert bad.status_code == 422
        assert len(office.mails_to(JUAN)) == 1
    with office.tenant.client() as api:
        read = api.get(f"/api/v1/bookings/{booking['id']}").json()
    assert read["invitees"] == [MARIA, JUAN]


def test_staff_who_do_not_see_the_booking_cannot_edit_it(office: Office) -> None:
    with office.tenant.client() as api:
        booking = create(office, api)
    hub = office.live.hub
    outsider = accounts.create_user(
        hub.accounts_uow(),
        business_id=office.tenant.business.id,
        email=f"otra@{office.tenant.business.slug}.test",
        role=Role.EMPLOYEE,
        now=hub.now(),
        password=PASSWORD,
        name="Otra sala",
        resource_ids=[office.tenant.resources[1].id],
    )
    page_url = f"/console/bookings/{booking['id']}"
    with httpx.Client(base_url=office.live.base_url) as browser:
        sign_in(browser, outsider.email)
        csrf = csrf_of(browser.get("/console/account").text)
        refused = browser.post(
            f"{page_url}/edit", data={"csrf_token": csrf, "notes": "x", "invitees": JUAN}
        )
        assert refused.status_code == 404
    assert office.mails_to(JUAN) == []
    with office.tenant.client() as api:
        assert api.get(f"/api/v1/bookings/{booking['id']}").json()["notes"] == ""
