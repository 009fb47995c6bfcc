"""Every entry point that creates or moves a booking refuses a time that a staff member's
personal busy time covers — Google busy time (pulled from Google) and a personal CalDAV
calendar alike: REST (create, public create, reschedule), the public page, the manage page's
reschedule, the console, CalDAV PUT and MOVE, a move made in Google, and a recurring series.

They all go through the one bound service layer (``hub.core``), so none can forget a busy
source. (``turnero import-ics`` imports an agenda as blocks, not bookings: no entry here.)

One hub per test, served for real, with the Google connector installed against the fake
Google (``tests.support.google``) and the staff member's busy time in place before the attempt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import caldav
import httpx
import pytest
from icalendar import Calendar

from booking_pages.catalogue import slot_code
from hub.app import create_app
from hub.domain.booking import Actor, Booking, BookingStatus, ChangedBy, Channel
from hub.services import accounts
from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails
from hub.services.recurrence import Weekly
from tests.google.conftest import (  # noqa: F401  (the fake Google fixture)
    SETUP,
    Staff,
    World,
    google,
    make_world,
    utc,
)
from tests.pages.helpers import book as book_on_page
from tests.pages.helpers import csrf_of
from tests.support.google import FakeGoogle
from tests.support.live import LiveServer, loopback_socket

PASSWORD = "correct horse battery"
CLIENT = ChangedBy(Actor.CLIENT, Channel.PAGE)


@dataclass
class Door:
    world: World
    base_url: str
    api_key: str
    juan_app_password: str
    owner_app_password: str

    @property
    def juan(self) -> Staff:
        return self.world.juan

    @property
    def busy(self) -> datetime:
        """The start of the staff member's busy hour (10:00 three days ahead)."""
        return self.world.at(10)

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30, **kwargs)  # type: ignore[arg-type]

    def book(self, staff: Staff, start: datetime) -> Booking:
        """A booking made beforehand (as the business), to be moved by the entry point."""
        return self.world.book(staff, start)

    def juans_bookings_in_busy_hour(self) -> list[Booking]:
        with self.world.uow() as uow:
            found = uow.bookings.list_range(
                self.world.business.id,
                self.busy,
                self.busy + timedelta(hours=1),
                [self.juan.resource.id],
                (BookingStatus.PENDING, BookingStatus.CONFIRMED),
            )
        return list(found)

    def dav_item(self, who: str, staff: Staff, booking: Booking) -> str:
        user = self.world.admin if who == "owner" else staff.user
        return f"{self.base_url}/dav/{user.id}/{staff.resource.id}/{booking.id}.ics"


def _google_busy(door: Door) -> None:
    start = utc(door.busy)
    door.world.google.add_event(
        door.juan.email,
        summary="Dentista",
        start={"dateTime": start.isoformat()},
        end={"dateTime": (start + timedelta(hours=1)).isoformat()},
    )
    door.world.connector.pull.sync(door.juan.connection_id)


def _caldav_busy(door: Door) -> None:
    with caldav.DAVClient(
        url=f"{door.base_url}/dav/", username=door.juan.email, password=door.juan_app_password
    ) as client:
        mine = client.principal().make_calendar(name="Personal de Juan")
        mine.save_event(dtstart=door.busy, dtend=door.busy + timedelta(hours=1), summary="Médico")


BUSY: dict[str, Callable[[Door], None]] = {"google": _google_busy, "caldav": _caldav_busy}


@pytest.fixture(params=sorted(BUSY))
def door(request: pytest.FixtureRequest, database_url: str, google: FakeGoogle) -> Iterator[Door]:  # noqa: F811
    sock = loopback_socket()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    world = make_world(database_url, google, base_url)
    served = LiveServer(sock, create_app(world.hub))
    served.start()
    try:
        hub = world.hub
        _, api_key = accounts.create_api_key(
            hub.accounts_uow(), world.business.id, "CRM", hub.now()
        )
        juan_raw = accounts.create_app_password(hub.accounts_uow(), world.juan.user.id, hub.now())
        owner_raw = accounts.create_app_password(hub.accounts_uow(), world.admin.id, hub.now())
        made = Door(world, base_url, api_key, juan_raw, owner_raw)
        world.connect(world.juan)  # moves made in Google come back through the pull
        BUSY[request.param](made)
        yield made
    finally:
        served.stop()
        world.connector.busy.close()
        world.hub.close()


# Each entry point tries to put a booking of Juan's at his busy hour; it answers whether the
# attempt was refused as a person would see it (a status, a report, a conflict).


def rest_create(door: Door) -> bool:
    body = {
        "service": door.world.service.id,
        "start": door.busy.isoformat(),
        "resource": door.juan.resource.id,
        "customer": {"name": "Ana Pérez", "phone": "+54 9 11 2345-6789"},
    }
    headers = {"Authorization": f"Bearer {door.api_key}"}
    with door.client() as http:
        answer = http.post("/api/v1/bookings", json=body, headers=headers)
    return answer.status_code == 409 and answer.json()["error"]["code"] == "slot_taken"


def rest_public_create(door: Door) -> bool:
    body = {
        "service": door.world.service.id,
        "start": door.busy.isoformat(),
        "resource": door.juan.resource.id,
        "customer": {"name": "Ana Pérez", "phone": "+54 9 11 2345-6789"},
    }
    slug = door.world.business.slug
    with door.client() as http:
        answer = http.post(f"/api/v1/public/businesses/{slug}/bookings", json=body)
    return answer.status_code == 409


def rest_reschedule(door: Door) -> bool:
    booking = door.book(door.juan, door.world.at(12))
    headers = {"Authorization": f"Bearer {door.api_key}"}
    with door.client() as http:
        answer = http.patch(
            f"/api/v1/bookings/{booking.id}",
            json={"start": door.busy.isoformat()},
            headers=headers,
        )
    return answer.status_code == 409


def public_page(door: Door) -> bool:
    with door.client() as http:
        answer = book_on_page(
            http,
            door.world.business.slug,
            door.world.service.id,
            door.busy,
            resource_id=door.juan.resource.id,
            phone="+54 9 11 2345-6789",
        )
    return answer.status_code == 409


def manage_reschedule(door: Door) -> bool:
    booking = door.world.book(door.juan, door.world.at(12), by=CLIENT)
    page = f"/book/manage/{booking.token}/reschedule"
    with door.client() as http:
        form = http.get(page)
        assert form.status_code == 200, form.text
        # The page does not offer the busy hour; a hand-made form posts it all the same.
        assert slot_code(door.busy) not in form.text
        answer = http.post(
            page, data={"csrf_token": csrf_of(form.text), "start": slot_code(door.busy)}
        )
    return answer.status_code == 409


def console(door: Door) -> bool:
    local = door.busy
    with door.client() as http:
        login = http.get("/console/login")
        signed = http.post(
            "/console/login",
            data={
                "csrf_token": csrf_of(login.text),
                "email": "owner@example.com",
                "password": PASSWORD,
                "next": "/console/agenda",
            },
        )
        assert signed.status_code == 303, signed.text
        form = http.get("/console/bookings/new")
        answer = http.post(
            "/console/bookings/new",
            data={
                "csrf_token": csrf_of(form.text),
                "service": door.world.service.id,
                "resource": door.juan.resource.id,
                "date": local.date().isoformat(),
                "time": local.strftime("%H:%M"),
                "name": "Walk-in",
                "phone": "+54 9 11 4444-5555",
                "force": "1",  # outside the offered times is the staff's call; busy time is not
            },
        )
    return answer.status_code == 409


def caldav_put(door: Door) -> bool:
    booking = door.book(door.juan, door.world.at(12))
    url = door.dav_item("juan", door.juan, booking)
    with httpx.Client(auth=(door.juan.email, door.juan_app_password), timeout=30) as http:
        current = http.get(url)
        assert current.status_code == 200, current.text
        cal = Calendar.from_ical(current.content)
        (event,) = cal.walk("VEVENT")
        event["DTSTART"].dt = door.busy
        event["DTEND"].dt = door.busy + booking.duration
        answer = http.put(url, content=cal.to_ical(), headers={"If-Match": current.headers["ETag"]})
    return answer.status_code in {403, 409}


def caldav_move(door: Door) -> bool:
    maria = door.world.maria
    booking = door.book(maria, door.busy)  # María is free then; Juan is not
    source = door.dav_item("owner", maria, booking)
    target = door.dav_item("owner", door.juan, booking)
    with httpx.Client(auth=("owner@example.com", door.owner_app_password), timeout=30) as http:
        answer = http.request("MOVE", source, headers={"Destination": target, "Overwrite": "F"})
    return answer.status_code in {403, 409}


def google_pull(door: Door) -> bool:
    booking = door.book(door.juan, door.world.at(12))
    event_id = door.world.booking(booking.id).google_event_id
    assert event_id is not None
    start = utc(door.busy)
    door.world.google.edit_event(
        door.juan.email,
        event_id,
        start={"dateTime": start.isoformat()},
        end={"dateTime": (start + booking.duration).isoformat()},
    )
    report = door.world.connector.pull.sync(door.juan.connection_id)
    return report.reverted == 1 and report.rescheduled == 0


def recurring_series(door: Door) -> bool:
    first = NewBooking(
        business_id=door.world.business.id,
        service_id=door.world.service.id,
        start=door.busy,
        resource_id=door.juan.resource.id,
        customer=CustomerDetails(name="Ana Pérez", phone="+5491123456789"),
    )
    result = door.world.hub.core.create_series(
        first, Weekly(every_weeks=1, count=2), by=SETUP, all_or_nothing=False
    )
    return [c.start for c in result.conflicts] == [door.busy] and len(result.booked) == 1


ENTRY_POINTS: dict[str, Callable[[Door], bool]] = {
    "rest-create": rest_create,
    "rest-public-create": rest_public_create,
    "rest-reschedule": rest_reschedule,
    "public-page": public_page,
    "manage-reschedule": manage_reschedule,
    "console": console,
    "caldav-put": caldav_put,
    "caldav-move": caldav_move,
    "google-pull": google_pull,
    "recurring-series": recurring_series,
}


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_no_entry_point_books_over_a_staff_members_busy_time(door: Door, entry: str) -> None:
    assert door.juans_bookings_in_busy_hour() == []
    assert ENTRY_POINTS[entry](door), f"{entry} did not refuse the busy hour"
    assert door.juans_bookings_in_busy_hour() == []
