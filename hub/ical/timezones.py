"""VTIMEZONE definitions (RFC 5545 §3.6.5), built from zoneinfo and cached per zone and year
span, so every component of the hub writes the same definition for a zone."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo

from icalendar import Timezone

from hub.domain.errors import ValidationError
from hub.ical.content_lines import to_ical


@functools.lru_cache(maxsize=256)
def shared_vtimezone(tzname: str, first_year: int, last_year: int) -> Timezone:
    # Shared and never mutated: calendar_for only serialises it (building one takes ms).
    return Timezone.from_tzid(
        tzname, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )


def _zone(tzname: str, start: date, end: date) -> Timezone:
    try:
        ZoneInfo(tzname)
    except (ValueError, KeyError) as exc:
        raise ValidationError(f"unknown timezone {tzname!r}", field="timezone") from exc
    first, last = sorted((start.year, end.year))
    return shared_vtimezone(tzname, first, last)


def vtimezone(tzname: str, start: date, end: date) -> Timezone:
    """The VTIMEZONE of ``tzname`` covering the whole years from ``start`` to ``end``.

    Built from zoneinfo (icalendar's ``Timezone.from_tzid``) and cached per year span, so
    every component of the hub writes the same definition for a zone. The caller gets its
    own copy.
    """
    zone = Timezone.from_ical(_zone(tzname, start, end).to_ical())
    assert isinstance(zone, Timezone)
    return zone


@functools.lru_cache(maxsize=256)
def _zone_ical(tzname: str, first_year: int, last_year: int) -> bytes:
    return to_ical(shared_vtimezone(tzname, first_year, last_year))


def zones_ical(tzids: Iterable[str], span: tuple[date, date]) -> list[bytes]:
    first, last = sorted((span[0].year, span[1].year))
    found = []
    for tzid in sorted(set(tzids) - {"UTC"}):
        try:
            ZoneInfo(tzid)
        except (ValueError, KeyError):
            continue  # a foreign TZID we cannot expand stays as it came
        found.append(_zone_ical(tzid, first, last))
    return found
