"""A Google Meet link that Google makes only after the first messages went out (they wait for
it a while, then go without it) is sent as an update: the client, each invitee and the
organizer get the invitation again with the link and a higher SEQUENCE, the organizer's
WhatsApp says it changed, the CRM hears ``booking.updated`` with the link and reads it in
``GET /bookings/{id}``. A link that arrives while the messages wait
goes in them, with no update after (case 3 counts one email each on creation)."""

from __future__ import annotations

from datetime import timedelta

from connectors.google.meet import MEET_WAIT
from tests.meetings.conftest import body_text, invite
from tests.meetings.seed_office import WA_LAURA, SeedOffice

CLIENT = "cliente@externo.test"


def test_a_late_meet_link_is_sent_to_everyone_as_an_update(seed: SeedOffice) -> None:
    seed.connect_google(seed.laura)
    seed.subscribe_crm()
    maria, laura = seed.maria.email, seed.laura.email
    # Google answers "pending" and fills the room in much later than the push asks.
    seed.google.meet_pending = True
    seed.google.meet_ready_after_gets = 1000
    with seed.live.client(seed.api_key) as crm:
        made = crm.post(
            "/api/v1/bookings",
            json={
                "service": seed.meeting.id,
                "resource": seed.rooms[0].id,
                "start": seed.at(16).isoformat(),
                "customer": {"name": "Cliente Externo", "email": CLIENT},
                "invitees": [{"email": maria, "name": "María López"}],
                "title": "Revisión trimestral",
                "organizer": laura,
            },
        )
        assert made.status_code == 201, made.text
        url = f"/api/v1/bookings/{made.json()['id']}"
        everyone = (CLIENT, maria, laura)
        assert [len(seed.mails_to(a)) for a in everyone] == [0, 0, 0]  # waiting for the link

        # The wait is over: the messages go without a link.
        seed.until(seed.live.now() + MEET_WAIT + timedelta(minutes=1))
        seed.retry("email", "whatsapp")
        firsts = {a: seed.mails_to(a) for a in everyone}
        assert all(len(m) == 1 for m in firsts.values()), firsts
        assert "meet.google.com" not in body_text(firsts[CLIENT][0])
        assert seed.whatsapp_to(WA_LAURA) == ["turnero_confirmed"]
        assert crm.get(url).json()["meeting_url"] is None

        # Google fills the room in; the push's retry stores it and everyone is told.
        seed.google.meet_ready_after_gets = 0
        seed.retry("google")
        link = crm.get(url).json()["meeting_url"]
        assert link is not None and link.startswith("https://meet.google.com/")
        for address in everyone:
            mails = seed.mails_to(address)
            assert len(mails) == 2, address
            method, update = invite(mails[-1])
            _, first = invite(mails[0])
            assert method == "REQUEST", address
            assert str(update["UID"]) == str(first["UID"])
            assert int(update["SEQUENCE"]) > int(first["SEQUENCE"]), address
            assert link in body_text(mails[-1]), address
        assert seed.whatsapp_to(WA_LAURA) == ["turnero_confirmed", "turnero_updated"]
    (hook,) = seed.receiver.of_type("booking.updated")
    assert hook.body["data"]["meeting_url"] == link
    # Stored once: another push of the same link tells nobody again.
    seed.retry("google")
    assert [len(seed.mails_to(a)) for a in everyone] == [2, 2, 2]
