"""Busy time of one resource → the UTC intervals where a new booking cannot be placed.

Conventions (the builder of ``Busy`` values follows them; ``Busy.of_booking`` does it):

* A ``Busy`` with ``seats=None`` (a block, an event pulled from an external calendar) takes
  the whole resource; one with ``seats=n`` (an existing booking) takes ``n`` places.
* An existing booking's ``Busy`` is already widened by *its own* service's buffers. The new
  booking's own buffers widen the new booking (``[start - before, end + after)``), so two
  bookings' buffers may not overlap each other, and neither may overlap a booking.
* The travel gap applies only between two at-client-address bookings: the existing one is
  widened by the gap on both sides when the new booking is also at the client's address. It
  comes on top of buffers.

Blocked time is a sorted list of disjoint intervals given as two parallel lists (starts,
ends), so that both a bisect and a forward sweep can answer "does [lo, hi) touch it?".
Opening hours are not this module's concern.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta

from hub.availability.types import Busy

Blocked = tuple[list[datetime], list[datetime]]


def blocked(
    busy: Sequence[Busy],
    *,
    capacity: int,
    seats: int,
    travel_gap: timedelta,
    lo: datetime,
    hi: datetime,
) -> Blocked:
    """Where, within [lo, hi), fewer than ``seats`` places of ``capacity`` are left.

    ``travel_gap`` is zero unless the new booking is at the client's address.
    """
    threshold = capacity - seats  # load above this leaves no room for the new booking
    if threshold < 0:
        return [lo], [hi]
    gap = travel_gap if travel_gap > timedelta(0) else None
    spans: list[tuple[datetime, datetime, int]] = []
    for entry in busy:
        start, end = entry.start, entry.end
        if gap is not None and entry.at_client_address:
            start, end = start - gap, end + gap
        if end <= lo or start >= hi:
            continue
        load = capacity if entry.seats is None else entry.seats
        if load > 0:
            spans.append((start, end, load))
    if not spans:
        return [], []
    if threshold == 0:
        return _union(spans)
    return _sweep(spans, threshold)


def _union(spans: list[tuple[datetime, datetime, int]]) -> Blocked:
    spans.sort()
    starts = [spans[0][0]]
    ends = [spans[0][1]]
    for start, end, _ in spans:
        if start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _sweep(spans: list[tuple[datetime, datetime, int]], threshold: int) -> Blocked:
    events: list[tuple[datetime, int]] = []
    for start, end, load in spans:
        events.append((start, load))
        events.append((end, -load))
    # At equal times releases (negative) sort before takes, so touching bookings do not add up.
    events.sort()
    starts: list[datetime] = []
    ends: list[datetime] = []
    load = 0
    opened: datetime | None = None
    for moment, delta in events:
        load += delta
        if opened is None and load > threshold:
            opened = moment
        elif opened is not None and load <= threshold:
            if ends and ends[-1] == opened:
                ends[-1] = moment
            elif opened < moment:
                starts.append(opened)
                ends.append(moment)
            opened = None
    return starts, ends


def overlaps(taken: Blocked, lo: datetime, hi: datetime) -> bool:
    """Whether [lo, hi) touches blocked time (a bisect: O(log n))."""
    starts, ends = taken
    index = bisect_right(ends, lo)
    return index < len(starts) and starts[index] < hi


def free_starts(
    taken: Blocked, starts: Sequence[datetime], before: timedelta, after: timedelta
) -> list[int]:
    """Indexes of the sorted candidate ``starts`` whose widened windows
    ``[start - before, start + after)`` avoid blocked time (one forward sweep)."""
    blocked_starts, blocked_ends = taken
    count = len(blocked_starts)
    free: list[int] = []
    j = 0
    for index, start in enumerate(starts):
        lo = start - before
        while j < count and blocked_ends[j] <= lo:
            j += 1
        if j == count or blocked_starts[j] >= start + after:
            free.append(index)
    return free
