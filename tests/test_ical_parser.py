"""Bounded iCalendar parsing: each limit stops the text at the line that breaks it, before
icalendar parses anything, and a text within them parses as it always did — folded lines
(however many pieces) unfolded, line numbers in errors still the physical ones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.domain.errors import ValidationError
from hub.ical_parser import CalendarLimitError, CalendarLimits, parse_calendar

SMALL = CalendarLimits(octets=10_000, properties=12, components=3, depth=3)


def calendar(*lines: str) -> bytes:
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//EN", "BEGIN:VEVENT", "UID:a"]
    tail = ["DTSTART:20300101T100000Z", "END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join([*head, *lines, *tail]).encode()


def refusal(data: bytes, limits: CalendarLimits = SMALL) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse_calendar(data, limits)
    return caught.value


@pytest.mark.parametrize(
    ("lines", "limit", "line"),
    [
        ([f"X-P{i}:v" for i in range(10)], "properties", 15),
        (["BEGIN:VALARM", "END:VALARM"] * 2, "components", 8),
    ],
)
def test_a_limit_stops_at_the_line_that_breaks_it(lines: list[str], limit: str, line: int) -> None:
    error = refusal(calendar(*lines))
    assert isinstance(error, CalendarLimitError)
    assert (error.details["limit"], error.details["line"]) == (limit, line)
    assert f"line {line}" in error.message


def test_octets_are_checked_before_the_text_is_read() -> None:
    error = refusal(calendar("DESCRIPTION:" + "é" * 6_000))
    assert isinstance(error, CalendarLimitError) and error.details["limit"] == "octets"
    # Not even decoded: an invalid byte past the limit is not what it complains about.
    assert isinstance(refusal(calendar("X:" + "x" * 10_000) + b"\xff"), CalendarLimitError)


def test_nesting_past_the_depth_is_malformed_not_over_a_limit() -> None:
    shallow = CalendarLimits(octets=10_000, properties=100, components=100, depth=3)
    error = refusal(calendar("BEGIN:VALARM", "BEGIN:X-A", "END:X-A", "END:VALARM"), shallow)
    assert not isinstance(error, CalendarLimitError)
    assert (error.details["line"], error.details["component"]) == (7, "VALARM")
    assert "nested more than 3 deep" in error.message
    # Thousands deep: refused at the fourth, no recursion anywhere.
    deep = [f"BEGIN:X-{i}" for i in range(5_000)] + [f"END:X-{i}" for i in reversed(range(5_000))]
    assert (
        "nested more than 8 deep"
        in refusal(calendar(*deep), CalendarLimits(10**7, 10**5, 10**4)).message
    )


def test_within_the_limits_a_calendar_parses_as_before() -> None:
    cal = parse_calendar(
        calendar("SUMMARY:Dentista", "BEGIN:VALARM", "ACTION:DISPLAY", "END:VALARM"), SMALL
    )
    [event] = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Dentista"
    assert [c.name for c in cal.walk()] == ["VCALENDAR", "VEVENT", "VALARM"]


@given(
    text=st.text(
        st.characters(
            codec="utf-8",
            exclude_categories=("Cs", "Cc"),
            include_characters="\u2028\u2029\x85\x1c\x0b\x0c",  # str.splitlines breaks there
        ),
        max_size=400,
    ),
    width=st.integers(min_value=1, max_value=80),
)
def test_folded_pieces_unfold_to_the_value_and_errors_keep_physical_lines(
    text: str, width: int
) -> None:
    escaped = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = "DESCRIPTION:" + escaped
    pieces = [value[i : i + width] for i in range(0, len(value), width)]
    folded = "\r\n ".join(pieces)
    limits = CalendarLimits(octets=10**6, properties=100, components=10)
    cal = parse_calendar(calendar(folded), limits)
    [event] = cal.walk("VEVENT")
    assert str(event.get("DESCRIPTION", "")) == text
    # A bad line after the folded one is reported on its own physical line.
    error = refusal(calendar(folded, "not a content line"), limits)
    assert error.details["line"] == 6 + len(pieces)
