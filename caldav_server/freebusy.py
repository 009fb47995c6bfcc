"""Recurrence-aware answers Radicale does not give: ``free-busy-query`` across a member's
calendars (RFC 4791 §7.10) and calendar data limited to a time range's recurrence set
(``limit-recurrence-set``, RFC 4791 §9.6.6).

Occurrences come from ``recurring-ical-events`` (RRULE, RDATE, EXDATE and RECURRENCE-ID
overrides, RFC 5545 §3.8.5, §3.8.4.4), the same reading availability uses
(``caldav_server.timing``).

Free-busy: only VEVENTs count, and of those only the opaque ones (no TRANSP, or OPAQUE) that
are not cancelled; TENTATIVE ones are ``BUSY-TENTATIVE``, the rest ``BUSY``. An all-day or
floating event is read in UTC, as stock Radicale reads it. Busy periods of one type are
merged and clipped to the range.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import recurring_ical_events  # type: ignore[import-untyped]
from icalendar import Calendar, Component, FreeBusy, vPeriod

from caldav_server.refusals import CALDAV, RefusedError
from hub.ical.vcalendar import PRODID

# More occurrences than this in one object within the asked range, and the answer would be
# mostly one event's repetitions: refused (stock Radicale's own default limit).
MAX_OCCURRENCES = 10_000

Period = tuple[datetime, datetime, str]
# Occurrences are looked for within these years only: a rule's dates reach past the ends of
# what Python's dates hold when asked from year 1 or to year 9999.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def _utc(value: date) -> datetime:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _fbtype(component: Component) -> str | None:
    if str(component.get("TRANSP") or "OPAQUE").upper() != "OPAQUE":
        return None
    status = str(component.get("STATUS") or "").upper()
    if status == "CANCELLED":
        return None
    return "BUSY-TENTATIVE" if status == "TENTATIVE" else "BUSY"


def busy_periods(text: str, start: datetime, end: datetime) -> Iterator[Period]:
    """The busy periods (clipped to ``[start, end)``) of the calendar object ``text``."""
    calendar = Calendar.from_ical(text)
    if not any(True for _ in calendar.walk("VEVENT")):
        return
    lo, hi = max(start, EARLIEST), min(end, LATEST)
    if hi <= lo:
        return
    try:
        occurrences = list(
            _capped(recurring_ical_events.of(calendar, components=["VEVENT"]), lo, hi)
        )
    except OverflowError as exc:  # a rule that reaches past year 9999 within the range
        raise RefusedError(400, CALDAV, "valid-filter", "the range reaches too far") from exc
    for occurrence in occurrences:
        fbtype = _fbtype(occurrence)
        if fbtype is None:
            continue
        lo = _utc(occurrence["DTSTART"].dt)
        last = occurrence.get("DTEND")
        hi = _utc(last.dt) if last is not None else lo
        lo, hi = max(lo, start), min(hi, end)
        if hi > lo:
            yield lo, hi, fbtype


def _capped(query: Any, start: datetime, end: datetime) -> Iterator[Any]:
    """The occurrences within ``[start, end)``, read lazily in order of start (``between``
    would list every one of them first, however many)."""
    for count, occurrence in enumerate(query.after(start), start=1):
        if _utc(occurrence["DTSTART"].dt) >= end:
            return
        if count > MAX_OCCURRENCES:
            raise RefusedError(
                403,
                "DAV:",
                "number-of-matches-within-limits",
                f"an event repeats more than {MAX_OCCURRENCES} times within the range",
            )
        yield occurrence


def merge(periods: Iterable[Period]) -> list[Period]:
    """Overlapping or touching periods of the same type as one, in order of start."""
    by_type: dict[str, list[tuple[datetime, datetime]]] = {}
    for lo, hi, fbtype in periods:
        by_type.setdefault(fbtype, []).append((lo, hi))
    merged: list[Period] = []
    for fbtype, spans in by_type.items():
        spans.sort()
        current_lo, current_hi = spans[0]
        for lo, hi in spans[1:]:
            if lo <= current_hi:
                current_hi = max(current_hi, hi)
            else:
                merged.append((current_lo, current_hi, fbtype))
                current_lo, current_hi = lo, hi
        merged.append((current_lo, current_hi, fbtype))
    return sorted(merged)


def vfreebusy(periods: Iterable[Period], start: datetime, end: datetime, now: datetime) -> str:
    """The VCALENDAR holding one VFREEBUSY for ``[start, end)`` (RFC 4791 §7.10)."""
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    busy = FreeBusy()
    busy.add("DTSTAMP", now.astimezone(UTC).replace(microsecond=0))
    busy.add("DTSTART", start)
    busy.add("DTEND", end)
    for lo, hi, fbtype in merge(periods):
        period = vPeriod((lo, hi))
        period.params.pop("VALUE", None)  # the property's default type (RFC 5545 §3.8.2.6)
        busy.add("FREEBUSY", period, parameters={"FBTYPE": fbtype})
    calendar.add_component(busy)
    text: str = calendar.to_ical().decode("utf-8")
    return text


def _overlaps(component: Component, start: datetime, end: datetime) -> bool:
    """Whether an overridden instance is within ``[start, end)``: where it now happens, or
    where the instance it replaces would have (RFC 4791 §9.6.6); a THISANDFUTURE one, if it
    begins before the end."""
    recurrence = component.get("RECURRENCE-ID")
    original = _utc(recurrence.dt)
    if str(recurrence.params.get("RANGE", "")).upper() == "THISANDFUTURE" and original < end:
        return True
    if start <= original < end:
        return True
    begins = component.get("DTSTART")
    if begins is None:
        return False
    lo = _utc(begins.dt)
    finish = component.get("DTEND") or component.get("DUE")
    hi = _utc(finish.dt) if finish is not None else lo
    return lo < end and (hi > start or lo >= start)


def limit_recurrence_set(text: str, start: datetime, end: datetime) -> str:
    """``text`` with only the master components and the overridden instances within
    ``[start, end)``; unchanged when it overrides nothing outside the range."""
    calendar = Calendar.from_ical(text)
    dropped: list[Any] = [
        c
        for c in calendar.subcomponents
        if c.name != "VTIMEZONE"
        and c.get("RECURRENCE-ID") is not None
        and not _overlaps(c, start, end)
    ]
    if not dropped:
        return text
    calendar.subcomponents = [c for c in calendar.subcomponents if c not in dropped]
    limited: str = calendar.to_ical().decode("utf-8")
    return limited


def parse_range(element: Any) -> tuple[datetime, datetime]:
    """The ``start``/``end`` attributes of a time-range-like element (RFC 4791 §9.9), UTC;
    400 ``valid-filter`` when they are missing or malformed or out of order."""
    try:
        lo = datetime.strptime(element.get("start", ""), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        hi = datetime.strptime(element.get("end", ""), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise RefusedError(
            400, CALDAV, "valid-filter", "start and end are UTC date-times (YYYYMMDDTHHMMSSZ)"
        ) from exc
    if hi <= lo:
        raise RefusedError(400, CALDAV, "valid-filter", "the end comes after the start")
    return lo, hi
