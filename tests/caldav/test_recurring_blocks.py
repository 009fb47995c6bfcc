"""A repeating event a staff member puts in a resource calendar blocks every occurrence of
its rule except those the event itself takes out: EXDATE dates and occurrences moved or
cancelled with RECURRENCE-ID (RFC 5545 §3.8.5.1, §3.8.4.4) — as public availability shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.caldav.conftest import DavWorld
from tests.caldav.helpers import http

FMT = "%Y%m%dT%H%M%SZ"


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(FMT)


def free_resources(world: DavWorld, moment: datetime) -> set[str]:
    t = world.tenant
    day = moment.astimezone(t.at(0).tzinfo).date().isoformat()
    url = f"{world.live.base_url}/api/v1/public/businesses/{t.slug}/availability"
    with world.live.client() as api:
        answer = api.get(url, params={"service": t.service.id, "from": day, "to": day})
    assert answer.status_code == 200, answer.text
    return {
        rid
        for s in answer.json()["slots"]
        if datetime.fromisoformat(s["start"]) == moment
        for rid in s["resources"]
    }


def test_exdate_and_moved_or_cancelled_occurrences_leave_their_times_free(
    dav: DavWorld,
) -> None:
    t = dav.tenant
    mine = t.resources[0].id
    first, skipped, moved, cancelled = (t.at(15, days_ahead=4 + 7 * k) for k in range(4))
    moved_to = t.at(17, days_ahead=18)
    hour = timedelta(hours=1)
    body = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//tests//EN",
            "BEGIN:VEVENT",
            "UID:course-1",
            f"DTSTAMP:{utc(first)}",
            f"DTSTART:{utc(first)}",
            f"DTEND:{utc(first + hour)}",
            "RRULE:FREQ=WEEKLY;COUNT=4",
            f"EXDATE:{utc(skipped)}",
            "SUMMARY:Curso de inglés",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:course-1",
            f"DTSTAMP:{utc(first)}",
            f"RECURRENCE-ID:{utc(moved)}",
            f"DTSTART:{utc(moved_to)}",
            f"DTEND:{utc(moved_to + hour)}",
            "SUMMARY:Curso de inglés",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:course-1",
            f"DTSTAMP:{utc(first)}",
            f"RECURRENCE-ID:{utc(cancelled)}",
            f"DTSTART:{utc(cancelled)}",
            f"DTEND:{utc(cancelled + hour)}",
            "STATUS:CANCELLED",
            "SUMMARY:Curso de inglés",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    ).encode()
    for moment in (first, skipped, moved, moved_to, cancelled):
        assert mine in free_resources(dav, moment)
    with http(dav, dav.admin) as h:
        put = h.put(
            f"{dav.calendar_url(dav.admin, mine)}course-1.ics",
            content=body,
            headers={"Content-Type": "text/calendar"},
        )
        assert put.status_code == 201, put.text
        # The client reads back the very event it sent, exceptions and all.
        back = h.get(f"{dav.calendar_url(dav.admin, mine)}course-1.ics")
        assert back.content == body
    assert mine not in free_resources(dav, first)
    assert mine in free_resources(dav, skipped)
    assert mine in free_resources(dav, moved)
    assert mine not in free_resources(dav, moved_to)
    assert mine in free_resources(dav, cancelled)
    assert t.resources[1].id in free_resources(dav, first)
