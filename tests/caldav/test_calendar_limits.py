"""A calendar object too large or too complex for the hub is refused before anything parses
it — 403 with the CALDAV:max-resource-size precondition naming the limit (RFC 4791 §5.3.2.1),
or 400 valid-calendar-data for components nested past any calendar's needs — on resource and
personal calendars alike, and nothing is stored. A large but reasonable event (a meeting with
200 attendees, alarms and a long description) is still kept exactly as sent."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from icalendar import Alarm, Calendar, Event, vCalAddress

from tests.caldav.conftest import DavWorld
from tests.caldav.helpers import http, vevent

MAX_SIZE = (
    b'<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop>'
    b"<C:max-resource-size/></D:prop></D:propfind>"
)


def calendar_url(dav: DavWorld, kind: str) -> str:
    if kind == "resource":
        return dav.calendar_url(dav.juan, dav.tenant.resources[0].id)
    url = f"{dav.dav_url}{dav.juan.user.id}/agenda-personal/"
    with http(dav, dav.juan) as h:
        assert h.request("MKCALENDAR", url).status_code == 201
    return url


def reasonable_event(start: datetime) -> bytes:
    event = Event()
    event.add("uid", "asamblea-anual@example.com")
    event.add("dtstamp", start)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(hours=2))
    event.add("summary", "Asamblea anual de socios")
    event.add("location", "Salón principal, Av. Corrientes 1234, CABA")
    paragraph = "Orden del día: balance, elección de autoridades, cuota social y varios. "
    event.add("description", paragraph * 300)  # about 22,000 characters
    organizer = vCalAddress("mailto:secretaria@example.com")
    organizer.params["CN"] = "Secretaría"
    event.add("organizer", organizer)
    for n in range(200):
        attendee = vCalAddress(f"mailto:socio{n:03}@example.com")
        attendee.params.update(
            {"CN": f"Socio {n:03}", "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION"}
        )
        event.add("attendee", attendee)
    for minutes in (15, 60, 24 * 60):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", "Recordatorio de la asamblea")
        alarm.add("trigger", timedelta(minutes=-minutes))
        event.add_component(alarm)
    calendar = Calendar()
    calendar.add("prodid", "-//tests//EN")
    calendar.add("version", "2.0")
    calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body


def hostile_events(start: datetime) -> list[tuple[str, bytes, int, str, str]]:
    """(name, body, status, precondition, what the message says) of each refused object."""
    end = start + timedelta(hours=1)

    def event(uid: str, extra: str) -> bytes:
        return vevent(uid, start, end, "Hostil", extra)

    properties = "\r\n".join(f"X-P{i}:v" for i in range(20_000))
    alarms = "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nDESCRIPTION:x\r\nEND:VALARM"
    huge = "\r\n".join(f"X-PROPERTY-{i}:value {i}" for i in range(50_000))
    nested = "".join(f"BEGIN:X-N{i}\r\n" for i in range(2_000))
    nested += "".join(f"END:X-N{i}\r\n" for i in reversed(range(2_000)))
    return [
        ("properties", event("p", properties), 403, "max-resource-size", "10000 properties"),
        (
            "components",
            event("c", "\r\n".join([alarms] * 1_001)),
            403,
            "max-resource-size",
            "1000 components",
        ),
        ("octets", event("o", huge), 403, "max-resource-size", "bytes"),
        (
            "nesting",
            event("n", nested.rstrip("\r\n")),
            400,
            "valid-calendar-data",
            "nested more than 8 deep",
        ),
    ]


@pytest.mark.parametrize("kind", ["resource", "personal"])
def test_objects_over_the_limits_are_refused_and_reasonable_ones_kept(
    dav: DavWorld, kind: str
) -> None:
    url = calendar_url(dav, kind)
    start = dav.tenant.at(10, days_ahead=3)
    body = reasonable_event(start)
    assert body.count(b"ATTENDEE") == 200 and len(body) > 40_000
    with http(dav, dav.juan) as h:
        asked = h.request("PROPFIND", url, content=MAX_SIZE, headers={"Depth": "0"})
        assert "<C:max-resource-size>1000000</C:max-resource-size>" in asked.text, asked.text
        kept = h.put(f"{url}asamblea.ics", content=body, headers={"Content-Type": "text/calendar"})
        assert kept.status_code == 201, kept.text
        assert h.get(f"{url}asamblea.ics").content == body

        for name, hostile, status, precondition, says in hostile_events(start):
            href = f"{url}hostile-{name.replace(' ', '-')}.ics"
            answer = h.put(href, content=hostile, headers={"Content-Type": "text/calendar"})
            assert answer.status_code == status, (name, answer.status_code, answer.text[:300])
            assert precondition in answer.text, name
            assert says in answer.text, (name, answer.text)
            assert h.get(href).status_code == 404, name


def test_a_personal_event_repeating_more_than_queries_can_walk_is_refused(dav: DavWorld) -> None:
    """Every availability and week REPORT walks a repeating event from its start: a rule
    every minute, or daily since 1850, would cost seconds on each of them."""
    url = calendar_url(dav, "personal")
    start = dav.tenant.at(9, days_ahead=3)
    old = start.replace(year=1850)
    cases = [
        ("every-minute", start, "RRULE:FREQ=MINUTELY", 403),
        ("daily-since-1850", old, "RRULE:FREQ=DAILY", 403),
        (
            "hourly-by-day",
            start,
            "RRULE:FREQ=DAILY;BYHOUR=" + ",".join(map(str, range(24))) + ";BYMINUTE=0,15,30,45",
            403,
        ),
        ("weekly-since-1990", start.replace(year=1990), "RRULE:FREQ=WEEKLY", 201),
        ("daily-for-a-year", start, "RRULE:FREQ=DAILY;COUNT=365", 201),
    ]
    with http(dav, dav.juan) as h:
        for name, first, rule, status in cases:
            body = vevent(name, first, first + timedelta(minutes=30), name, rule)
            answer = h.put(f"{url}{name}.ics", content=body)
            assert answer.status_code == status, (name, answer.text)
            if status == 403:
                assert "supported-recurrence" in answer.text and "at most daily" in answer.text
                assert h.get(f"{url}{name}.ics").status_code == 404
