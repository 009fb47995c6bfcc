"""When a stored repeating event happens, without reading the whole event again.

A personal calendar keeps each event as the client sent it. A time-range query (a calendar
app's REPORT, the availability of a member's resources) needs only its times; reading the
whole event for them on every query would cost as much as the event is large. So beside the
event the store keeps its *timing*: the same calendar with only what decides when it happens
(RFC 5545 §3.8.2, §3.8.5, §3.8.4.4 — DTSTART, DTEND, DURATION, RRULE, RDATE, EXDATE,
RECURRENCE-ID…, STATUS and TRANSP, and the VTIMEZONEs those times refer to), cut out by a
line scan. A non-repeating event needs none: its start and end are columns.

What does not belong here: reading what a client sent (``caldav_server.client_objects``),
storing it (``caldav_server.personal_collection``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import recurring_ical_events  # type: ignore[import-untyped]
from icalendar import Calendar

# Of the calendar, what changes how its times read (floating times, RFC 7986 aside).
_CALENDAR = frozenset({"CALSCALE", "X-WR-TIMEZONE"})
# Per event, the properties that say when (and whether) it takes place.
_WHEN = frozenset(
    {
        "UID",
        "DTSTART",
        "DTEND",
        "DURATION",
        "RRULE",
        "RDATE",
        "EXRULE",
        "EXDATE",
        "RECURRENCE-ID",
        "SEQUENCE",
        "STATUS",
        "TRANSP",
    }
)
# An event that repeats more often than this within one query's range keeps its member busy
# from there to the end of the range (a rule every hour, say, is busy anyway).
MAX_OCCURRENCES = 500
# How many occurrences a rule may have from its start to ten years from now: reaching the
# ones a query asks for walks through those before them (a few microseconds each).
MAX_RULE_OCCURRENCES = 50_000
_PERIOD_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 28, "YEARLY": 365}
_EXPANDING = ("BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")


def _kept(path: list[str], name: str) -> bool:
    if path[:1] != ["VCALENDAR"]:
        return False
    if len(path) == 1:
        return name in ("BEGIN", "END") or name in _CALENDAR
    if path[1] == "VTIMEZONE":
        return True
    return path[1:] == ["VEVENT"] and (name in ("BEGIN", "END") or name in _WHEN)


def timing(text: str) -> str:
    """The calendar ``text`` with only its VTIMEZONEs and, of each VEVENT, the properties
    that say when it happens. One pass over the lines; folded lines go with their own."""
    kept: list[str] = []
    path: list[str] = []
    keep = False
    for line in text.split("\n"):  # CRLF or LF: as ``hub.ical_parser`` reads it
        raw = line.removesuffix("\r")
        if raw[:1] in (" ", "\t"):
            if keep:
                kept.append(raw)
            continue
        name = raw.split(":", 1)[0].split(";", 1)[0].strip().upper()
        if name == "BEGIN":
            path.append(raw.partition(":")[2].strip().upper())
        keep = _kept(path, name)
        if keep:
            kept.append(raw)
        if name == "END" and path:
            path.pop()
    kept.append("")
    return "\r\n".join(kept)


def _utc(value: date) -> datetime:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _occurrences(text: str, start: datetime) -> Iterator[Any]:
    """The occurrences of the event whose timing is ``text`` that end after ``start``, in
    order of start."""
    calendar = Calendar.from_ical(text)
    yield from recurring_ical_events.of(calendar).after(start)


def _span(occurrence: Any) -> tuple[datetime, datetime]:
    lo = _utc(occurrence["DTSTART"].dt)
    end = occurrence.get("DTEND")
    return lo, _utc(end.dt) if end is not None else lo


def happens(text: str, start: datetime, end: datetime) -> bool:
    """Whether an occurrence of the event whose timing is ``text`` overlaps ``[start, end)``
    (RFC 4791 §9.9: an event of no length, if it starts within)."""
    for occurrence in _occurrences(text, start):
        lo, hi = _span(occurrence)
        if lo >= end:
            return False
        if hi > start or lo >= start:
            return True
    return False


def busy_spans(text: str, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The occurrences of the event whose timing is ``text`` that keep its member busy
    (timed, opaque, not cancelled) within ``[start, end)``. Past ``MAX_OCCURRENCES`` of
    them, one span from there to ``end``."""
    for count, occurrence in enumerate(_occurrences(text, start), start=1):
        first, last = occurrence["DTSTART"].dt, occurrence.get("DTEND")
        lo, hi = _span(occurrence)
        if lo >= end:
            return
        if count > MAX_OCCURRENCES:
            yield max(lo, start), end
            return
        if (
            not isinstance(first, datetime)
            or (last is not None and not isinstance(last.dt, datetime))
            or str(occurrence.get("TRANSP") or "OPAQUE").upper() == "TRANSPARENT"
            or str(occurrence.get("STATUS") or "").upper() == "CANCELLED"
            or hi <= max(lo, start)
        ):
            continue
        yield lo, hi


def rule_occurrences(rule: Mapping[str, Sequence[object]], start: datetime, now: datetime) -> int:
    """About how many occurrences an RRULE (as icalendar reads it) starting at ``start`` has
    until ten years from ``now``, erring high; any rule more often than daily counts as
    more than any limit."""
    upper = {k.upper(): v for k, v in rule.items()}
    frequency = str((upper.get("FREQ") or [""])[0]).upper()
    if frequency not in _PERIOD_DAYS:
        return sys.maxsize  # SECONDLY, MINUTELY, HOURLY (or none)
    interval = max(1, int(str((upper.get("INTERVAL") or [1])[0])))
    horizon = now + timedelta(days=3650)
    until = upper.get("UNTIL")
    if until:
        horizon = min(horizon, _utc(until[0]))  # type: ignore[arg-type]
    periods = max(0, (horizon - start).days) // (_PERIOD_DAYS[frequency] * interval) + 1
    for part in _EXPANDING:
        periods *= max(1, len(upper.get(part) or ()))
    count = upper.get("COUNT")
    return min(periods, int(str(count[0]))) if count else periods
