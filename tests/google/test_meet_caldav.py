"""A change made by Google reaches CalDAV clients that cache by ETag: when the Meet link of a
video booking arrives (pending first), the booking's version moves, so its CalDAV ETag
changes, a sync-collection from the earlier token lists it, and its text shows the link."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from urllib.parse import unquote

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import select

from hub.app import create_app
from hub.services import accounts
from scheduler.models import DeliveryRow
from tests.google.conftest import World, make_world
from tests.support.google import FakeGoogle
from tests.support.live import LiveServer, loopback_socket

MEET = "https://meet.google.com/abc-defg-hij"
SYNC = """<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token>
<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"""


@pytest.fixture
def served(database_url: str, google: FakeGoogle) -> Iterator[tuple[World, str, str]]:
    sock = loopback_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    world = make_world(database_url, google, base)
    server = LiveServer(sock, create_app(world.hub))
    server.start()
    raw = accounts.create_app_password(
        world.hub.accounts_uow(), world.juan.user.id, world.hub.now()
    )
    yield world, base, raw
    server.stop()
    world.connector.busy.close()
    world.hub.close()


def _sync(h: httpx.Client, url: str, token: str) -> tuple[str, dict[str, str | None]]:
    answer = h.request("REPORT", url, content=SYNC.format(token=token), headers={"Depth": "1"})
    assert answer.status_code == 207, answer.text
    root = ET.fromstring(answer.content)
    listed = {
        unquote(r.findtext("{DAV:}href") or "").rsplit("/", 1)[-1]: r.findtext(".//{DAV:}getetag")
        for r in root.iter("{DAV:}response")
    }
    return root.findtext("{DAV:}sync-token") or "", listed


def _retry_google(world: World) -> None:
    """What the queue does when the postponed Google delivery comes due."""
    with world.hub.database.sessions() as session:
        ids = list(
            session.scalars(
                select(DeliveryRow.id).where(
                    DeliveryRow.consumer == "google", DeliveryRow.status == "pending"
                )
            )
        )
    assert ids, "no google delivery is waiting"
    world.dispatcher.deliver(ids)


def test_the_meet_link_from_google_changes_the_caldav_etag_and_sync_token(
    served: tuple[World, str, str],
) -> None:
    world, base, password = served
    world.connect(world.juan)
    world.google.meet_pending = True
    world.google.meet_ready_after_gets = 4  # more looks than one push makes
    booking = world.book(world.juan, world.at(10), video=True)
    assert world.booking(booking.id).meeting_url is None
    calendar = f"{base}/dav/{world.juan.user.id}/{world.juan.resource.id}/"
    item = f"{calendar}{booking.id}.ics"

    with httpx.Client(auth=(world.juan.email, password), timeout=30) as h:
        before = h.get(item)
        assert before.status_code == 200, before.text
        assert MEET not in before.text
        token, _ = _sync(h, calendar, "")

        _retry_google(world)  # Google fills the room in: the link arrives
        assert world.booking(booking.id).meeting_url == MEET
        assert world.booking(booking.id).version == booking.version + 1

        after = h.get(item)
        assert MEET in after.text
        assert after.headers["ETag"] != before.headers["ETag"]
        new_token, changed = _sync(h, calendar, token)
        assert new_token != token
        assert changed == {f"{booking.id}.ics": after.headers["ETag"]}


def test_google_and_caldav_show_the_same_event(served: tuple[World, str, str]) -> None:
    world, base, password = served
    world.connect(world.juan)
    booking = world.book(world.juan, world.at(11), video=True)
    item = f"{base}/dav/{world.juan.user.id}/{world.juan.resource.id}/{booking.id}.ics"
    with httpx.Client(auth=(world.juan.email, password), timeout=30) as h:
        answer = h.get(item)
    assert answer.status_code == 200, answer.text
    (dav,) = Calendar.from_ical(answer.content).walk("VEVENT")
    (google,) = world.google.events(world.juan.email)

    assert google["summary"] == str(dav["SUMMARY"]) == "Teleconsulta — Ana Pérez"
    assert google["description"] == str(dav["DESCRIPTION"])
    assert MEET in google["description"]  # the link Google gave, as every copy shows it
    assert google["location"] == str(dav["LOCATION"])
    attendees = dav.get("ATTENDEE")
    assert {a["email"] for a in google["attendees"]} == {
        str(a).removeprefix("mailto:") for a in attendees
    }
    assert google["status"] == str(dav["STATUS"]).lower() == "confirmed"
