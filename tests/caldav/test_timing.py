"""A repeating event's timing: cut from the event by one line scan, it keeps what says when
the event happens (and its time zones) and nothing else, and answers "does it happen in this
range" (RFC 4791 §9.9) and "when is its member busy" as the whole event would — the busy part
bounded however often the rule repeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from caldav_server.timing import MAX_OCCURRENCES, busy_spans, happens, rule_occurrences, timing

EVENT = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//tests//EN",
        "X-WR-TIMEZONE:America/Argentina/Buenos_Aires",
        "BEGIN:VTIMEZONE",
        "TZID:Oficina",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:-0300",
        "TZOFFSETTO:-0300",
        "END:STANDARD",
        "END:VTIMEZONE",
        "BEGIN:VEVENT",
        "UID:gym",
        "DTSTART;TZID=Oficina:20300107T090000",
        "DTEND;TZID=Oficina:20300107T100000",
        "RRULE:FREQ=WEEKLY;COUNT=4",
        "EXDATE;TZID=Oficina:20300114T090000",
        "SUMMARY:Gimnasio con un título que se pliega en más de una línea porque es",
        " largo",
        "ATTENDEE;CN=Juan:mailto:juan@example.com",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "TRIGGER:-PT5M",
        "DESCRIPTION:Gym",
        "END:VALARM",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:gym",
        "RECURRENCE-ID;TZID=Oficina:20300121T090000",
        "DTSTART;TZID=Oficina:20300121T180000",
        "DTEND;TZID=Oficina:20300121T190000",
        "SUMMARY:Gimnasio (tarde)",
        "END:VEVENT",
        "BEGIN:VTODO",
        "UID:todo",
        "END:VTODO",
        "END:VCALENDAR",
        "",
    ]
)


def at(day: int, hour: int) -> datetime:
    return datetime(2030, 1, day, hour, tzinfo=UTC)  # Oficina is UTC-3


def test_timing_keeps_when_and_drops_the_rest() -> None:
    cut = timing(EVENT)
    for kept in ("RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE;TZID=Oficina", "TZOFFSETTO:-0300",
                 "RECURRENCE-ID;TZID=Oficina:20300121T090000", "X-WR-TIMEZONE"):  # fmt: skip
        assert kept in cut
    for dropped in ("SUMMARY", "largo", "ATTENDEE", "VALARM", "TRIGGER", "VTODO", "PRODID"):
        assert dropped not in cut
    assert len(Calendar.from_ical(cut).walk("VEVENT")) == 2


def test_happens_when_an_occurrence_overlaps_the_range() -> None:
    cut = timing(EVENT)
    week = timedelta(days=7)
    assert happens(cut, at(7, 0), at(7, 0) + week)  # the first
    assert not happens(cut, at(14, 0), at(14, 0) + week)  # EXDATE: none that week
    assert happens(cut, at(21, 20), at(21, 23))  # the moved one, 18:00 local
    assert not happens(cut, at(21, 11), at(21, 13))  # …not at its old time
    assert not happens(cut, at(7, 13), at(7, 14))  # touching its end is not overlapping
    assert not happens(cut, at(29, 0), at(29, 0) + week)  # COUNT ran out


def test_busy_spans_follow_the_occurrences_and_stay_bounded() -> None:
    cut = timing(EVENT)
    assert list(busy_spans(cut, at(1, 0), at(31, 0))) == [
        (at(7, 12), at(7, 13)),
        (at(21, 21), at(21, 22)),
        (at(28, 12), at(28, 13)),
    ]
    every_second = EVENT.replace("RRULE:FREQ=WEEKLY;COUNT=4", "RRULE:FREQ=SECONDLY").replace(
        "DTEND;TZID=Oficina:20300107T100000", "DURATION:PT1S"
    )
    spans = list(busy_spans(timing(every_second), at(7, 0), at(8, 0)))
    assert len(spans) == MAX_OCCURRENCES + 1
    assert spans[0] == (at(7, 12), at(7, 12) + timedelta(seconds=1))
    assert spans[-1] == (at(7, 12) + timedelta(seconds=MAX_OCCURRENCES), at(8, 0))


def test_rule_occurrences_err_high_and_count_sub_daily_rules_as_too_many() -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    assert rule_occurrences({"FREQ": ["WEEKLY"]}, start, now) == (3650 + 3653) // 7 + 1
    assert rule_occurrences({"FREQ": ["WEEKLY"], "BYDAY": ["MO", "FR"]}, start, now) > 2000
    assert rule_occurrences({"FREQ": ["DAILY"], "COUNT": [10]}, start, now) == 10
    until = {"FREQ": ["DAILY"], "UNTIL": [datetime(2020, 1, 31, tzinfo=UTC)]}
    assert rule_occurrences(until, start, now) == 31
    for often in ("HOURLY", "MINUTELY", "SECONDLY"):
        assert rule_occurrences({"FREQ": [often], "COUNT": [2]}, start, now) > 10**9
