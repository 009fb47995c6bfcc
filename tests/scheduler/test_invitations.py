"""An invitee's whole path, end to end on the served app with a real worker and SMTP server
(SQLite + SqliteHuey, PostgreSQL + RedisHuey): a CRM books with an invitee over the REST API;
the invitee's email greets them by name, carries their own link and their own invite, and
nothing of the client's (phone, name, email, the client's private link); their link shows
the meeting and takes a "no" that the business sees, while the booking stays confirmed."""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import EmailMessage

import httpx

from hub.app import create_app
from hub.services import accounts
from scheduler.worker import EmbeddedConsumer
from tests.pages.helpers import csrf_of, text_of
from tests.scheduler.conftest import World, in_minutes, utcnow, wait_until
from tests.support.live import LiveServer, loopback_socket
from tests.support.smtp import SmtpSink

CLIENT_PHONE_FORMS = ("+5491123456789", "11 2345-6789", "2345-6789", "23456789")


def _everything(message: EmailMessage) -> str:
    """Every header and every decoded part of a message, as one text."""
    parts = [str(message)]
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(payload.decode("utf-8", "replace"))
    return "\n".join(parts)


def test_an_invitee_gets_their_own_mail_and_link_and_can_only_answer(
    world_factory: Callable[..., World],
    embedded: Callable[[World], EmbeddedConsumer],
    mail: SmtpSink,
) -> None:
    sock = loopback_socket()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    world = world_factory(env={"TURNERO_BASE_URL": base_url})
    served = LiveServer(sock, create_app(world.hub))
    served.start()
    try:
        _, api_key = accounts.create_api_key(world.uow(), world.business.id, "CRM", utcnow())
        embedded(world)
        with httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=30
        ) as crm:
            created = crm.post(
                "/api/v1/bookings",
                json={
                    "service": world.wash.id,
                    "start": in_minutes(60 * 48).replace(second=0, microsecond=0).isoformat(),
                    "force": True,
                    "customer": {
                        "name": "Juan Pérez",
                        "phone": "+54 9 11 2345-6789",
                        "email": "juan@example.com",
                    },
                    "invitees": [{"email": "lucia@example.com", "name": "Lucía Gómez"}],
                },
            )
            assert created.status_code == 201, created.text
            booking = created.json()
            client_token = booking["token"]
            assert booking["invitations"][0]["response"] == "needs_action"

            wait_until(lambda: mail.count() == 2, what="the client's and the invitee's mail")
            (theirs,) = [m for m in mail.messages if m.to == ("lucia@example.com",)]
            (clients,) = [m for m in mail.messages if m.to == ("juan@example.com",)]
            everything = _everything(theirs.message)
            plain = theirs.message.get_body(preferencelist=("plain",))
            assert plain is not None
            text = str(plain.get_content())
            assert text.startswith("Hola Lucía Gómez,")
            for secret in (client_token, "Juan", "juan@example.com", *CLIENT_PHONE_FORMS):
                assert secret not in everything, secret
            assert client_token in _everything(clients.message)  # the client's own link
            links = re.findall(rf"{re.escape(base_url)}/book/invite/[\w-]+/[\w-]+", text)
            assert links and len(set(links)) == 1
            link = links[0]
            assert f"/book/invite/{booking['id']}/" in link
            calendar = theirs.calendar()
            assert calendar is not None
            (event,) = calendar.walk("VEVENT")
            attendees = event.get("ATTENDEE")
            assert not isinstance(attendees, list), "only the invitee is an attendee"
            assert str(attendees) == "mailto:lucia@example.com"
            assert attendees.params["RSVP"] == "TRUE"
            assert attendees.params["PARTSTAT"] == "NEEDS-ACTION"
            assert attendees.params["CN"] == "Lucía Gómez"

            with httpx.Client(base_url=base_url, timeout=30) as browser:
                page = browser.get(link)
                assert page.status_code == 200
                seen = text_of(page.text)
                assert "Lavado completo" in seen and "Lavadero XYZ" in seen
                assert "¿Vas a ir?" in seen and "No voy" in seen and "Sí, voy" in seen
                for secret in ("Juan", "juan@example.com", client_token, *CLIENT_PHONE_FORMS):
                    assert secret not in page.text, secret
                assert "cancel" not in page.text and "reschedule" not in page.text
                answer = browser.post(
                    link, data={"csrf_token": csrf_of(page.text), "response": "declined"}
                )
                assert answer.status_code == 303
                after = browser.get(answer.headers["location"], follow_redirects=True)
                assert "Respondiste que no vas." in text_of(after.text)
                assert browser.post(f"{link}/cancel", data={}).status_code in (404, 405)

            read = crm.get(f"/api/v1/bookings/{booking['id']}").json()
            assert read["status"] == "confirmed"
            assert read["cancelled_by"] is None
            (invitation,) = read["invitations"]
            assert invitation["email"] == "lucia@example.com"
            assert invitation["response"] == "declined"
            assert invitation["responded_at"] is not None
            feed = crm.get(f"/api/v1/bookings/{booking['id']}").headers["etag"]
            assert feed != created.headers["etag"]  # the answer is a new version
            wrong = link.rsplit("/", 1)[0] + "/" + client_token
            assert httpx.get(wrong, timeout=30).status_code == 404
    finally:
        served.stop()
