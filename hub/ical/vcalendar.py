"""Whole VCALENDAR objects: events with every VTIMEZONE they refer to (CalDAV bodies, feeds,
booking.ics downloads, the calendar of an iMIP invite), assembled from serialised parts."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from icalendar import Calendar, Component, Event

from hub.ical.content_lines import to_ical
from hub.ical.timezones import zones_ical

PRODID = "-//Turnero//Turnero appointments hub//EN"

_END_CALENDAR = b"END:VCALENDAR\r\n"


@functools.lru_cache(maxsize=512)
def _calendar_head(tzname: str, method: str | None, name: str | None) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method.upper())
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", tzname)
    head: bytes = cal.to_ical()
    assert head.endswith(_END_CALENDAR)
    return head[: -len(_END_CALENDAR)]


def _event_span(events: Sequence[Component]) -> tuple[date, date] | None:
    moments: list[date] = []
    for event in events:
        for name in ("DTSTART", "DTEND"):
            prop = event.get(name)
            if prop is not None:
                moments.append(prop.dt)
    if not moments:
        return None
    days = [m.date() if isinstance(m, datetime) else m for m in moments]
    return min(days), max(days)


def calendar_for(
    events: Iterable[Component],
    tzname: str,
    method: str | None = None,
    name: str | None = None,
) -> bytes:
    """A complete VCALENDAR holding ``events`` and every VTIMEZONE they refer to.

    Assembled from serialised parts: the calendar's own properties, each VTIMEZONE (whose
    text is cached per zone and year span, being the same in every calendar), then the
    events. Content lines stand alone (RFC 5545 §3.1), so the parts concatenate."""
    items = list(events)
    parts = [_calendar_head(tzname, method, name)]
    span = _event_span(items)
    if span is not None:
        probe = Calendar()
        probe.subcomponents = items
        parts += zones_ical(probe.get_missing_tzids() | {tzname}, span)
        parts += [to_ical(component) for component in items]
    parts.append(_END_CALENDAR)
    return b"".join(parts)


def wrap_event(vevent: bytes, tzname: str, span: tuple[date, date], method: str) -> bytes:
    """A VCALENDAR (with ``method``) around one VEVENT serialised by ``booking_vevent``,
    whose times are in ``tzname`` and fall within ``span``: the invite of an email, built
    without parsing the event again."""
    zones = zones_ical({tzname}, span)
    return b"".join([_calendar_head(tzname, method, None), *zones, vevent, _END_CALENDAR])


def booking_ics(event: Event, tzname: str, *, name: str | None = None) -> bytes:
    """A booking.ics download: one event, no iTIP method (RFC 5545 publish semantics)."""
    return calendar_for([event], tzname, name=name)
