"""A recurring series appears in calendar apps as one plain event per date (its own UID, no
RRULE), so a date cancelled or moved from the console or the API changes that event only;
a cancelled date leaves the calendar or shows as cancelled, as a single booking does."""

from __future__ import annotations

import icalendar

from tests.caldav.conftest import DavWorld
from tests.caldav.test_caldav_client import calendar_of, client


def test_each_date_is_its_own_event_and_cancelling_following_changes_those_only(
    dav: DavWorld,
) -> None:
    t = dav.tenant
    body = {
        **t.booking_body(10, resource=t.resources[0].id),
        "repeat": {"frequency": "weekly", "count": 4},
    }
    with t.client() as api:
        made = api.post("/api/v1/series", json=body)
        assert made.status_code == 201, made.text
        ids = [b["id"] for b in made.json()["bookings"]]
        cancelled = api.post(
            f"/api/v1/series/{made.json()['id']}/cancel",
            json={"booking": ids[2], "scope": "following"},
        )
        assert cancelled.status_code == 200
    start = t.at(0)
    with client(dav) as admin:
        events = calendar_of(admin, t.resources[0].id).search(
            start=start, end=t.at(0, days_ahead=31), event=True
        )
        found = [icalendar.Calendar.from_ical(e.data) for e in events]
    vevents = [c for cal in found for c in cal.walk("VEVENT")]
    live = [v for v in vevents if str(v.get("STATUS", "CONFIRMED")).upper() != "CANCELLED"]
    assert all("RRULE" not in v and "RECURRENCE-ID" not in v for v in vevents)
    assert len({str(v["UID"]) for v in vevents}) == len(vevents)
    assert sorted(v.decoded("DTSTART") for v in live) == [
        t.at(10, days_ahead=3 + 7 * n) for n in range(2)
    ]
    assert {str(v.get("X-TURNERO-BOOKING-ID")) for v in live} == set(ids[:2])
