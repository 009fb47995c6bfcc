"""Rights across staff and businesses, non-ASCII names, malformed input and ETag
preconditions — over raw WebDAV requests, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import caldav
from icalendar import Calendar

from hub.domain.accounts import Role
from hub.domain.model import Resource
from hub.services import resource_setup
from tests.api.tenants import SETUP, create_tenant
from tests.caldav.conftest import DavWorld, Staff
from tests.caldav.helpers import http, reread, vevent

PROPFIND = b"""<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/>
<d:displayname/></d:prop></d:propfind>"""


def test_an_employee_cannot_read_or_write_a_calendar_that_is_not_theirs(dav: DavWorld) -> None:
    other = dav.tenant.resources[1].id
    dav.book(10, resource=1)
    with http(dav, dav.juan) as h:
        url = dav.calendar_url(dav.juan, other)
        assert (
            h.request("PROPFIND", url, content=PROPFIND, headers={"Depth": "1"}).status_code == 403
        )
        start = dav.tenant.at(15)
        put = h.put(f"{url}x.ics", content=vevent("x", start, start + timedelta(hours=1), "X"))
        assert put.status_code == 403
        # Nor through someone else's home.
        admin_url = dav.calendar_url(dav.admin, other)
        assert h.request("PROPFIND", admin_url, headers={"Depth": "0"}).status_code == 403
        mine = h.request(
            "PROPFIND",
            dav.calendar_url(dav.juan, dav.tenant.resources[0].id),
            headers={"Depth": "0"},
        )
        assert mine.status_code == 207
    with http(dav, Staff(dav.juan.user, "wrong-password")) as h:
        assert h.request("PROPFIND", dav.dav_url, headers={"Depth": "0"}).status_code == 401


def test_another_business_sees_nothing_of_this_one(dav: DavWorld) -> None:
    booking = dav.book(10)
    rival = create_tenant(dav.live, timezone="UTC")
    from hub.services import accounts

    user = accounts.create_user(
        dav.live.hub.accounts_uow(),
        business_id=rival.business.id,
        email=f"boss@{rival.slug}.test",
        role=Role.BUSINESS_ADMIN,
        now=dav.live.now(),
    )
    boss = Staff(
        user, accounts.create_app_password(dav.live.hub.accounts_uow(), user.id, dav.live.now())
    )
    resource = dav.tenant.resources[0].id
    with http(dav, boss) as h:
        for url in (
            dav.calendar_url(boss, resource),
            f"{dav.calendar_url(boss, resource)}{booking.id}.ics",
            dav.calendar_url(dav.admin, resource),
            f"{dav.calendar_url(dav.admin, resource)}{booking.id}.ics",
        ):
            assert h.get(url).status_code in (403, 404), url
            assert h.delete(url).status_code in (403, 404), url
        home = h.request("PROPFIND", f"{dav.dav_url}{user.id}/", headers={"Depth": "1"})
        assert home.status_code == 207
        assert resource not in home.text
        assert rival.resources[0].id in home.text
    assert reread(dav, booking).status.value == "confirmed"


def test_non_ascii_names_round_trip(dav: DavWorld) -> None:
    t = dav.tenant
    room = resource_setup.save_resource(
        dav.live.hub.uow(), Resource(t.business.id, "Sala Ñandú"), by=SETUP, now=dav.live.now()
    )
    booking = dav.book(10)  # for "José Pérez"
    with caldav.DAVClient(
        url=dav.dav_url, username=dav.admin.user.email, password=dav.admin.password
    ) as client:
        names = {c.get_display_name() for c in client.principal().calendars()}
        assert "Sala Ñandú" in names
    href = "Reunión en Sala Ñandú.ics"
    start = t.at(15)
    body = vevent("ñandú-1", start, start + timedelta(hours=1), "Limpieza — José Pérez")
    url = dav.calendar_url(dav.admin, room.id) + quote(href)
    with http(dav, dav.admin) as h:
        assert (
            h.put(url, content=body, headers={"Content-Type": "text/calendar"}).status_code == 201
        )
        got = h.get(url)
        assert got.status_code == 200
        assert got.content == body
        listing = h.request(
            "PROPFIND", dav.calendar_url(dav.admin, room.id), headers={"Depth": "1"}
        )
        assert quote(href) in listing.text or href in listing.text
        item = h.get(f"{dav.calendar_url(dav.admin, t.resources[0].id)}{booking.id}.ics")
        assert "José Pérez" in item.text


def test_malformed_icalendar_gets_400_with_the_line_and_writes_nothing(dav: DavWorld) -> None:
    url = f"{dav.calendar_url(dav.admin, dav.tenant.resources[0].id)}broken.ics"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "this is not ical"]
    body = "\r\n".join([*lines, "END:VEVENT", "END:VCALENDAR", ""]).encode()
    with http(dav, dav.admin) as h:
        answer = h.put(url, content=body, headers={"Content-Type": "text/calendar"})
        assert answer.status_code == 400
        assert "valid-calendar-data" in answer.text
        assert "line 4" in answer.text
        assert h.get(url).status_code == 404


def test_etags_follow_the_booking_version_and_if_match_is_honoured(dav: DavWorld) -> None:
    booking = dav.book(10)
    url = f"{dav.calendar_url(dav.admin, dav.tenant.resources[0].id)}{booking.id}.ics"
    with http(dav, dav.admin) as h:
        first = h.get(url)
        etag = first.headers["ETag"]
        assert h.get(url).headers["ETag"] == etag
        with dav.tenant.client() as api:
            assert (
                api.patch(f"/api/v1/bookings/{booking.id}", json={"notes": "timbre 2"}).status_code
                == 200
            )
        second = h.get(url)
        assert second.headers["ETag"] != etag
        stale = h.put(url, content=first.content, headers={"If-Match": etag})
        assert stale.status_code == 412
        busy = h.put(f"{url}", content=second.content, headers={"If-None-Match": "*"})
        assert busy.status_code == 412
        # A PUT the hub re-serialises answers without an ETag (RFC 4791 §5.3.4).
        cal = Calendar.from_ical(second.content)
        (event,) = cal.walk("VEVENT")
        event["DESCRIPTION"] = str(event["DESCRIPTION"]).replace("timbre 2", "timbre 3")
        ok = h.put(url, content=cal.to_ical(), headers={"If-Match": second.headers["ETag"]})
        assert ok.status_code == 204, ok.text
        assert "ETag" not in ok.headers
    assert reread(dav, booking).notes == "timbre 3"
