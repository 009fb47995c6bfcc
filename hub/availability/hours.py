"""Opening hours of one local date, in wall-clock time: weekly rules, date exceptions, and the
intersection of a resource's hours with its branch's.

Hours are lists of ``(start, end)`` offsets from local midnight (timedeltas; ``end`` may be
24 h: an interval ending at ``time(0)`` runs to midnight). Turning them into instants is
``clock``'s job; busy time is ``busy``'s.

Exceptions: of the exceptions covering a date, the most specific (the shortest date range)
decide; among equally specific ones a closed one wins, otherwise their intervals are united.
So a one-day extra opening inside a two-week vacation opens that day, and a holiday and
special hours on the same single day leave it closed. A date covered by an exception with
intervals uses those intervals instead of the weekly rule (extra or different opening).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, time, timedelta

from hub.domain.model import DateException, WeeklyInterval

Hours = list[tuple[timedelta, timedelta]]
WeeklyTable = tuple[Hours, ...]  # hours by weekday, Monday first
DAY = timedelta(days=1)


def _offset(moment: time) -> timedelta:
    return timedelta(
        hours=moment.hour,
        minutes=moment.minute,
        seconds=moment.second,
        microseconds=moment.microsecond,
    )


def _span(start: time, end: time) -> tuple[timedelta, timedelta]:
    return _offset(start), (DAY if end == time(0) else _offset(end))


def union(spans: Iterable[tuple[timedelta, timedelta]]) -> Hours:
    merged: Hours = []
    for lo, hi in sorted(spans):
        if hi <= lo:
            continue
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def intersect(first: Hours, second: Hours) -> Hours:
    """Intersection of two sorted, disjoint lists of intervals."""
    result: Hours = []
    i = j = 0
    while i < len(first) and j < len(second):
        lo = max(first[i][0], second[j][0])
        hi = min(first[i][1], second[j][1])
        if lo < hi:
            result.append((lo, hi))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return result


def exception_hours(exceptions: Sequence[DateException], day: date) -> Hours | None:
    """The hours the exceptions set for ``day`` (empty: closed), or None if none applies."""
    if not exceptions:
        return None
    covering = [e for e in exceptions if e.start_date <= day <= e.end_date]
    if not covering:
        return None
    shortest = min(e.end_date - e.start_date for e in covering)
    deciding = [e for e in covering if e.end_date - e.start_date == shortest]
    if any(e.closed for e in deciding):
        return []
    return union(_span(start, end) for e in deciding for start, end in e.intervals)


def weekly_table(weekly: Sequence[WeeklyInterval]) -> WeeklyTable:
    """A weekly rule as hours per weekday (index 0 is Monday)."""
    return tuple(
        union(_span(w.start, w.end) for w in weekly if w.weekday == weekday) for weekday in range(7)
    )


def resource_hours(table: WeeklyTable, exceptions: Sequence[DateException], day: date) -> Hours:
    """A resource's own hours on ``day``: its exceptions, else its weekly rule."""
    special = exception_hours(exceptions, day)
    return table[day.weekday()] if special is None else special


def branch_hours(
    table: WeeklyTable | None, exceptions: Sequence[DateException], day: date
) -> Hours | None:
    """A branch's hours on ``day``, or None when the branch does not restrict that day (no
    weekly hours configured, ``table`` None, and no exception covering the date)."""
    special = exception_hours(exceptions, day)
    if special is not None:
        return special
    return None if table is None else table[day.weekday()]


def open_hours(
    table: WeeklyTable,
    exceptions: Sequence[DateException],
    branch: Hours | None,
    day: date,
) -> Hours:
    """What can be offered on ``day``: the resource's hours within the branch's."""
    own = resource_hours(table, exceptions, day)
    return own if branch is None else intersect(own, branch)
