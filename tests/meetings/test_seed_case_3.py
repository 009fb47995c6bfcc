"""The meeting-room seed's case 3 ("Integración con CRM"), through the REST API with a CRM's
webhook receiver: the CRM finds María with "maria" (no accent typed), books a titled meeting
on behalf of the executive, reads it back with its Google Meet link, renames it, adds Juan
later (he alone is invited), and cancels it ("Sistema notifica por email"). Every change
reaches the CRM as a signed webhook it verifies ("Webhook notifica a CRM").
"""

from __future__ import annotations

from tests.meetings.conftest import attendees, invite, subject
from tests.meetings.seed_office import WA_LAURA, SeedOffice, record_counts

CLIENT = "compras@cliente.test"


def test_case_3_crm_over_the_api_with_webhooks(seed: SeedOffice) -> None:
    seed.connect_google(seed.laura)
    seed.subscribe_crm()
    maria, juan, laura = seed.maria.email, seed.juan.email, seed.laura.email
    with seed.live.client(seed.api_key) as crm:
        # → API GET /bookings/search-users?q=maria: accents and case do not matter.
        for needle, who in (("maria", maria), ("LOPEZ", maria), ("perez", juan)):
            found = crm.get("/api/v1/bookings/search-users", params={"q": needle})
            assert found.status_code == 200, found.text
            assert who in [p["email"] for p in found.json()["items"]], needle

        # → API POST /bookings (crear), on behalf of the executive, with María invited.
        made = crm.post(
            "/api/v1/bookings",
            json={
                "service": seed.meeting.id,
                "resource": seed.rooms[0].id,
                "start": seed.at(11).isoformat(),
                "customer": {"name": "Compras Cliente SA", "email": CLIENT},
                "invitees": [{"email": maria, "name": "María López"}],
                "title": "Demo del producto",
                "organizer": laura,
            },
        )
        assert made.status_code == 201, made.text
        url = f"/api/v1/bookings/{made.json()['id']}"

        # → API GET /bookings/{id}: the title and the Meet link Google made.
        read = crm.get(url).json()
        assert read["title"] == "Demo del producto"
        assert read["meeting_url"] and read["meeting_url"].startswith("https://meet.google.com/")
        (event,) = seed.google.events(laura)
        assert event["summary"] == "Demo del producto"
        at_creation = {a: len(seed.mails_to(a)) for a in (CLIENT, maria, juan, laura)}
        assert at_creation == {CLIENT: 1, maria: 1, juan: 0, laura: 1}
        method, first = invite(seed.mails_to(maria)[0])
        assert method == "REQUEST" and str(first["SUMMARY"]) == "Demo del producto"
        assert read["meeting_url"] in str(first["DESCRIPTION"])

        # Renamed: everyone on it gets the update with the new SUMMARY, SEQUENCE raised.
        renamed = crm.patch(url, json={"title": "Demo final"})
        assert renamed.status_code == 200 and renamed.json()["title"] == "Demo final"
        for address in (CLIENT, maria, laura):
            method, update = invite(seed.mails_to(address)[-1])
            assert method == "REQUEST", address
            assert str(update["SUMMARY"]) == "Demo final"
            assert int(update["SEQUENCE"]) > int(first["SEQUENCE"])
        assert "Demo final" in subject(seed.mails_to(maria)[-1])
        assert seed.google.events(laura)[0]["summary"] == "Demo final"

        # Juan added later: the REQUEST goes to him alone.
        before = {a: len(seed.mails_to(a)) for a in (CLIENT, maria, laura)}
        added = crm.patch(url, json={"invitees": [{"email": maria, "name": "María López"}, juan]})
        assert added.status_code == 200, added.text
        (to_juan,) = seed.mails_to(juan)
        method, his = invite(to_juan)
        assert method == "REQUEST" and attendees(his) == [juan]
        assert str(his["SUMMARY"]) == "Demo final"
        assert {a: len(seed.mails_to(a)) for a in (CLIENT, maria)} == {
            CLIENT: before[CLIENT],
            maria: before[maria],
        }

        # → API DELETE /bookings/{id}: "Sistema notifica por email", everyone a CANCEL.
        gone = crm.delete(url, params={"reason": "El cliente pidió otra fecha"})
        assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
        for address in (CLIENT, maria, juan, laura):
            method, cancelled = invite(seed.mails_to(address)[-1])
            assert method == "CANCEL", address
            assert int(cancelled["SEQUENCE"]) > int(first["SEQUENCE"])
        assert seed.google.events(laura) == []

    # "Webhook notifica a CRM": every change arrived, signed with the CRM's secret.
    assert seed.receiver.refused == []
    kinds = [r.body["type"] for r in seed.receiver.received]
    assert kinds[0] == "booking.created" and kinds[-1] == "booking.cancelled"
    updates = [r.body["data"] for r in seed.receiver.of_type("booking.updated")]
    assert [u["title"] for u in updates] == ["Demo final", "Demo final"]
    assert [u["invitees"] for u in updates] == [[maria], [maria, juan]]
    # Each update says what changed, so the CRM needs no diff to tell a rename from an invitee.
    assert [u["changed"] for u in updates] == [["title"], ["invitees"]]
    mails, chats = seed.counts()
    record_counts(
        "case_3",
        {
            "emails": {k: mails[k] for k in (CLIENT, maria, juan, laura)},
            "emails_total": sum(mails.values()),
            "whatsapp": {WA_LAURA: chats[WA_LAURA]},
            "webhooks": kinds,
        },
    )
    assert mails[juan] == 2  # his invitation, the cancellation
    assert chats[WA_LAURA] == len(seed.whatsapp_to(WA_LAURA))
