"""Repeating events with moved, cancelled and skipped occurrences (RECURRENCE-ID, EXDATE) in
personal calendars, asked for the way calendar apps ask — time-range searches (RFC 4791 §9.9),
``expand`` (§9.6.5), ``limit-recurrence-set`` (§9.6.6) and free-busy-query (§7.10) — with the
same data in stock Radicale, in the same run, as the reference. Where the answers differ, on
purpose, the test says why."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import caldav
import httpx
import pytest
from icalendar import Calendar

from tests.caldav.conftest import DavWorld
from tests.caldav.reference import StockRadicale, radicale  # noqa: F401 - the fixture

FMT = "%Y%m%dT%H%M%SZ"
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(FMT)


def course(first: datetime) -> str:
    """Weekly, five times from ``first``: the 2nd skipped (EXDATE), the 3rd moved a day and
    two hours later, the 4th cancelled (RECURRENCE-ID overrides)."""
    moved, cancelled = first + 14 * DAY, first + 21 * DAY
    moved_to = moved + DAY + 2 * HOUR
    return "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//tests//EN",
            "BEGIN:VEVENT",
            "UID:course-1",
            f"DTSTAMP:{utc(first)}",
            f"DTSTART:{utc(first)}",
            f"DTEND:{utc(first + HOUR)}",
            "RRULE:FREQ=WEEKLY;COUNT=5",
            f"EXDATE:{utc(first + 7 * DAY)}",
            "SUMMARY:Curso",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:course-1",
            f"DTSTAMP:{utc(first)}",
            f"RECURRENCE-ID:{utc(moved)}",
            f"DTSTART:{utc(moved_to)}",
            f"DTEND:{utc(moved_to + HOUR)}",
            "SUMMARY:Curso movido",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:course-1",
            f"DTSTAMP:{utc(first)}",
            f"RECURRENCE-ID:{utc(cancelled)}",
            f"DTSTART:{utc(cancelled)}",
            f"DTEND:{utc(cancelled + HOUR)}",
            "STATUS:CANCELLED",
            "SUMMARY:Curso cancelado",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )


def single(uid: str, start: datetime, summary: str, extra: str = "") -> str:
    return "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//tests//EN",
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{utc(start)}",
            f"DTSTART:{utc(start)}",
            f"DTEND:{utc(start + HOUR)}",
            f"SUMMARY:{summary}",
            *([extra] if extra else []),
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )


def todo(uid: str, start: datetime) -> str:
    return "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//tests//EN",
            "BEGIN:VTODO",
            f"UID:{uid}",
            f"DTSTAMP:{utc(start)}",
            f"DTSTART:{utc(start)}",
            f"DUE:{utc(start + HOUR)}",
            "SUMMARY:Llamar",
            "END:VTODO",
            "END:VCALENDAR",
            "",
        ]
    )


class Side:
    """One server as a client sees it: the caldav library's connection and raw HTTP."""

    def __init__(self, url: str, username: str, password: str) -> None:
        self.client = caldav.DAVClient(url=url, username=username, password=password)
        self.http = httpx.Client(auth=(username, password), timeout=30)
        self.principal = self.client.principal()
        self.home = str(self.principal.url)

    def close(self) -> None:
        self.http.close()
        self.client.close()

    def report(self, url: str, body: str) -> httpx.Response:
        return self.http.request(
            "REPORT",
            url,
            content=('<?xml version="1.0" encoding="utf-8"?>' + body).encode(),
            headers={"Depth": "1", "Content-Type": "application/xml"},
        )


@pytest.fixture
def sides(dav: DavWorld, radicale: StockRadicale) -> Iterator[tuple[Side, Side]]:  # noqa: F811
    hub = Side(dav.dav_url, dav.juan.user.email, dav.juan.password)
    stock = Side(radicale.url, radicale.username, radicale.password)
    try:
        yield hub, stock
    finally:
        hub.close()
        stock.close()


def load(side: Side, first: datetime) -> caldav.Calendar:
    calendar = side.principal.make_calendar(name="Personal", cal_id="personal")
    calendar.save_event(course(first))
    calendar.save_event(single("dentist", first + 2 * DAY, "Dentista"))
    calendar.save_event(single("free", first + 2 * DAY + 3 * HOUR, "Libre", "TRANSP:TRANSPARENT"))
    calendar.save_event(single("off", first + 2 * DAY + 5 * HOUR, "Anulado", "STATUS:CANCELLED"))
    calendar.save_todo(todo("call", first + 2 * DAY + 7 * HOUR))
    return calendar


def occurrences(found: list[caldav.Event]) -> list[tuple[str, datetime]]:
    out = []
    for event in found:
        for component in event.icalendar_instance.walk("VEVENT"):
            out.append((str(component["SUMMARY"]), component["DTSTART"].dt.astimezone(UTC)))
    return sorted(out)


def test_time_range_searches_and_expand_see_exceptions_as_stock_radicale(
    dav: DavWorld, sides: tuple[Side, Side]
) -> None:
    first = dav.tenant.at(15, days_ahead=4)
    hub, stock = sides
    calendars = [load(hub, first), load(stock, first)]
    ranges = {
        "skipped": (first + 7 * DAY, first + 7 * DAY + HOUR),
        "moved away": (first + 14 * DAY, first + 14 * DAY + HOUR),
        "moved to": (first + 15 * DAY + 2 * HOUR, first + 15 * DAY + 3 * HOUR),
        "last": (first + 28 * DAY, first + 28 * DAY + HOUR),
    }
    for name, (lo, hi) in ranges.items():
        answers = [
            sorted(
                str(e.icalendar_component["UID"]) for e in c.search(event=True, start=lo, end=hi)
            )
            for c in calendars
        ]
        assert answers[0] == answers[1], name
        expected = [] if name in ("skipped", "moved away") else ["course-1"]
        assert answers[0] == expected, name

    lo, hi = first + 10 * DAY, first + 30 * DAY
    expanded = [
        occurrences(c.search(event=True, start=lo, end=hi, expand=True, server_expand=True))
        for c in calendars
    ]
    assert expanded[0] == expanded[1]
    assert expanded[0] == [
        ("Curso", first + 28 * DAY),
        ("Curso cancelado", first + 21 * DAY),
        ("Curso movido", first + 15 * DAY + 2 * HOUR),
    ]


LIMITED = (
    '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    '<D:prop><C:calendar-data><C:limit-recurrence-set start="{lo}" end="{hi}"/>'
    '</C:calendar-data></D:prop><C:filter><C:comp-filter name="VCALENDAR">'
    '<C:comp-filter name="VEVENT"><C:time-range start="{lo}" end="{hi}"/>'
    "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"
)


def _data(answer: httpx.Response) -> list[Calendar]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(answer.content)
    return [
        Calendar.from_ical(e.text or "")
        for e in root.iter("{urn:ietf:params:xml:ns:caldav}calendar-data")
    ]


def test_limit_recurrence_set_leaves_out_overrides_outside_the_range(
    dav: DavWorld, sides: tuple[Side, Side]
) -> None:
    """Stock Radicale ignores ``limit-recurrence-set`` and sends every override; the hub
    sends the master and only the overrides within the range, as RFC 4791 §9.6.6 asks."""
    first = dav.tenant.at(15, days_ahead=4)
    hub, stock = sides
    urls = [str(load(hub, first).url), str(load(stock, first).url)]
    lo, hi = utc(first + 20 * DAY), utc(first + 30 * DAY)
    limited, reference = (
        s.report(u, LIMITED.format(lo=lo, hi=hi)) for s, u in zip(sides, urls, strict=True)
    )
    assert limited.status_code == reference.status_code == 207
    (ours,), (theirs,) = _data(limited), _data(reference)

    def summaries(calendar: Calendar) -> list[str]:
        return sorted(str(c["SUMMARY"]) for c in calendar.walk("VEVENT"))

    assert summaries(theirs) == ["Curso", "Curso cancelado", "Curso movido"]
    assert summaries(ours) == ["Curso", "Curso cancelado"]
    (master,) = [c for c in ours.walk("VEVENT") if c.get("RECURRENCE-ID") is None]
    assert "RRULE" in master and "EXDATE" in master

    bad = hub.report(urls[0], LIMITED.format(lo="yesterday", hi=hi))
    assert bad.status_code == 400
    assert "valid-filter" in bad.text


def busy(calendar: Calendar) -> list[tuple[str, datetime, datetime]]:
    out = []
    for component in calendar.walk("VFREEBUSY"):
        lines = component.get("FREEBUSY") or []
        for line in lines if isinstance(lines, list) else [lines]:
            kind = str(line.params.get("FBTYPE", "BUSY"))
            for lo, hi in line.dts if hasattr(line, "dts") else [line.dt]:
                out.append((kind, lo.astimezone(UTC), hi.astimezone(UTC)))
    return sorted(out)


FREE_BUSY = (
    '<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">'
    '<C:time-range start="{lo}" end="{hi}"/></C:free-busy-query>'
)


def test_free_busy_of_a_calendar_matches_stock_radicale_without_its_free_lines(
    dav: DavWorld, sides: tuple[Side, Side]
) -> None:
    """Stock Radicale lists a cancelled event as ``FBTYPE=FREE``; the hub leaves cancelled
    and transparent events out altogether (they keep nobody busy). The busy time is the
    same."""
    first = dav.tenant.at(15, days_ahead=4)
    hub, stock = sides
    urls = [str(load(hub, first).url), str(load(stock, first).url)]
    lo, hi = utc(first - DAY), utc(first + 40 * DAY)
    answers = [
        s.report(u, FREE_BUSY.format(lo=lo, hi=hi)) for s, u in zip(sides, urls, strict=True)
    ]
    assert [a.status_code for a in answers] == [200, 200]
    assert all(a.headers["content-type"].startswith("text/calendar") for a in answers)
    ours, theirs = (busy(Calendar.from_ical(a.content)) for a in answers)
    assert ours == [p for p in theirs if p[0] != "FREE"]
    assert ours == [
        ("BUSY", first, first + HOUR),
        ("BUSY", first + 2 * DAY, first + 2 * DAY + HOUR),
        ("BUSY", first + 15 * DAY + 2 * HOUR, first + 15 * DAY + 3 * HOUR),
        ("BUSY", first + 28 * DAY, first + 28 * DAY + HOUR),
    ]
    # The caldav library's own free-busy call reads the same answer.
    with caldav.DAVClient(
        url=dav.dav_url, username=dav.juan.user.email, password=dav.juan.password
    ) as client:
        answer = client.calendar(url=urls[0]).freebusy_request(first - DAY, first + 40 * DAY)
        assert busy(answer.icalendar_instance) == ours


def test_free_busy_of_the_home_covers_the_members_calendars_and_bookings(
    dav: DavWorld, sides: tuple[Side, Side]
) -> None:
    """On the home (stock Radicale answers 403 there), the member's time across their
    personal calendars and the agenda of the resource they are linked to — not the agenda
    of a resource they are not linked to."""
    first = dav.tenant.at(15, days_ahead=4)
    booking = dav.book(10, days_ahead=5)
    dav.book(11, resource=1, days_ahead=5)  # another resource's: not Juan's time
    hub, stock = sides
    load(hub, first)
    other = hub.principal.make_calendar(name="Otra", cal_id="otra")
    other.save_event(single("gym", first + 3 * DAY, "Gimnasio"))
    lo, hi = utc(first - DAY), utc(first + 40 * DAY)
    answer = hub.report(hub.home, FREE_BUSY.format(lo=lo, hi=hi))
    assert answer.status_code == 200, answer.text
    assert busy(Calendar.from_ical(answer.content)) == sorted(
        [
            ("BUSY", first, first + HOUR),
            ("BUSY", booking.start, booking.end),
            ("BUSY", first + 2 * DAY, first + 2 * DAY + HOUR),
            ("BUSY", first + 3 * DAY, first + 3 * DAY + HOUR),
            ("BUSY", first + 15 * DAY + 2 * HOUR, first + 15 * DAY + 3 * HOUR),
            ("BUSY", first + 28 * DAY, first + 28 * DAY + HOUR),
        ]
    )
    assert stock.report(stock.home, FREE_BUSY.format(lo=lo, hi=hi)).status_code == 403

    missing = hub.report(hub.home, '<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"/>')
    assert missing.status_code == 400
    backwards = hub.report(hub.home, FREE_BUSY.format(lo=hi, hi=lo))
    assert backwards.status_code == 400


def test_a_to_do_goes_into_an_event_calendar_as_in_stock_radicale(
    dav: DavWorld, sides: tuple[Side, Side]
) -> None:
    """RFC 4791 §5.3.2.1 would refuse it (``supported-calendar-component``), but calendar
    apps put to-dos into event calendars and stock Radicale takes them: so does the hub,
    and each calendar still advertises the set it was made with (all three without one)."""
    moment = dav.tenant.at(16, days_ahead=5)
    advertised = []
    for side in sides:
        events = side.principal.make_calendar(
            name="Eventos", cal_id="eventos", supported_calendar_component_set=["VEVENT"]
        )
        events.save_todo(todo("in-events", moment))
        assert [str(t.icalendar_component["UID"]) for t in events.todos()] == ["in-events"]
        plain = side.principal.make_calendar(name="Todo", cal_id="todo")
        plain.save_journal(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VJOURNAL\r\n"
            "UID:j1\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Nota\r\nEND:VJOURNAL\r\n"
            "END:VCALENDAR\r\n"
        )
        advertised.append(
            (
                sorted(events.get_supported_components()),
                sorted(plain.get_supported_components()),
            )
        )
    assert advertised[0] == advertised[1]
    assert advertised[0] == (["VEVENT"], ["VEVENT", "VJOURNAL", "VTODO"])


def test_a_repeating_event_in_a_resource_agenda_is_found_and_expanded_by_occurrence(
    dav: DavWorld,
) -> None:
    """A repeating block a member put in a resource's agenda: searches find it where an
    occurrence is (not where EXDATE or a move took one away), and ``expand`` gives the
    occurrences with the moved one where it was moved to."""
    first = dav.tenant.at(15, days_ahead=4)
    rid = dav.tenant.resources[0].id
    with caldav.DAVClient(
        url=dav.dav_url, username=dav.juan.user.email, password=dav.juan.password
    ) as client:
        agenda = client.calendar(url=dav.calendar_url(dav.juan, rid))
        agenda.save_event(course(first))

        def uids(lo: datetime, hi: datetime) -> list[str]:
            found = agenda.search(event=True, start=lo, end=hi)
            return sorted(str(e.icalendar_component["UID"]) for e in found)

        assert uids(first + 7 * DAY, first + 7 * DAY + HOUR) == []
        assert uids(first + 14 * DAY, first + 14 * DAY + HOUR) == []
        assert uids(first + 15 * DAY + 2 * HOUR, first + 15 * DAY + 3 * HOUR) == ["course-1"]
        assert uids(first + 28 * DAY, first + 28 * DAY + HOUR) == ["course-1"]
        lo, hi = first + 10 * DAY, first + 30 * DAY
        expanded = agenda.search(event=True, start=lo, end=hi, expand=True, server_expand=True)
        assert ("Curso movido", first + 15 * DAY + 2 * HOUR) in occurrences(expanded)
        assert ("Curso", first + 28 * DAY) in occurrences(expanded)


def test_hostile_ranges_get_an_answer_or_a_clear_refusal(
    dav: DavWorld, sides: tuple[Side, Side]
) -> None:
    first = dav.tenant.at(15, days_ahead=4)
    hub, _ = sides
    url = str(load(hub, first).url)
    daily = hub.principal.make_calendar(name="Diario", cal_id="daily")
    daily.save_event(
        single("every-day", first, "Caminata").replace(
            "SUMMARY:Caminata", "SUMMARY:Caminata\r\nRRULE:FREQ=DAILY"
        )
    )
    for lo, hi in (
        ("00010101T000000Z", "99991231T235959Z"),
        ("19700101T000000Z", "20380119T031408Z"),
        ("99991231T000000Z", "99991231T235959Z"),
    ):
        for target in (url, hub.home, str(daily.url)):
            answer = hub.report(target, FREE_BUSY.format(lo=lo, hi=hi))
            assert answer.status_code in (200, 403), (lo, hi, answer.text)
            limited = hub.report(target, LIMITED.format(lo=lo, hi=hi))
            assert limited.status_code in (207, 403), (lo, hi, limited.text)
    far = hub.report(hub.home, FREE_BUSY.format(lo="00010101T000000Z", hi="99991231T235959Z"))
    assert far.status_code == 403
    assert "number-of-matches-within-limits" in far.text
