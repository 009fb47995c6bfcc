"""An invitee's answer set in a calendar app (the ATTENDEE's PARTSTAT, RFC 5545 §3.2.12, on a
PUT of the booking's event) is read back onto the booking; other attendees (the client) and
answers that did not change record nothing."""

from __future__ import annotations

from icalendar import Calendar

from hub.domain.booking import InviteeResponse
from tests.caldav.conftest import DavWorld
from tests.caldav.helpers import http, outbox, reread


def test_a_partstat_set_in_a_calendar_app_shows_on_the_booking(dav: DavWorld) -> None:
    booking = dav.book(10)
    with dav.tenant.client() as api:
        edited = api.patch(
            f"/api/v1/bookings/{booking.id}", json={"invitees": ["socia@example.com"]}
        )
        assert edited.status_code == 200, edited.text
    url = f"{dav.calendar_url(dav.admin, dav.tenant.resources[0].id)}{booking.id}.ics"
    with http(dav, dav.admin) as h:
        got = h.get(url)
        cal = Calendar.from_ical(got.content)
        (event,) = cal.walk("VEVENT")
        (attendee,) = [a for a in [event["ATTENDEE"]] if "socia" in str(a)]
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        attendee.params["PARTSTAT"] = "TENTATIVE"
        put = h.put(url, content=cal.to_ical(), headers={"If-Match": got.headers["ETag"]})
        assert put.status_code == 204, put.text
        stored = reread(dav, booking)
        (socia,) = stored.invitees
        assert socia.response is InviteeResponse.TENTATIVE
        answered = [e for e in outbox(dav, booking) if e.type == "booking.attendee_responded"]
        assert [e.payload["response"] for e in answered] == ["tentative"]
        # The same body again changes nothing.
        again = h.get(url)
        put = h.put(url, content=again.content, headers={"If-Match": again.headers["ETag"]})
        assert put.status_code == 204
        assert reread(dav, booking).version == stored.version
