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
from itertools import compress, islice
from operator import gt, le

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
    """Where, around [lo, hi), fewer than ``seats`` places of ``capacity`` are left (blocked
    time further away may be left out).

    ``travel_gap`` is zero unless the new booking is at the client's address.
    """
    threshold = capacity - seats  # load above this leaves no room for the new booking
    if threshold < 0:
        return [lo], [hi]
    if not busy:
        return [], []
    # Parallel lists built by comprehensions, no tuple per entry: this runs over every busy
    # entry of every resource on each search. Entries far from [lo, hi) are harmless to the
    # union (they only cost their share of a sort), so only the seat count filters them.
    starts = [b.start for b in busy]
    ends = [b.end for b in busy]
    seats_taken = [b.seats for b in busy]
    if travel_gap:
        client = [b.at_client_address for b in busy]
        if any(client):
            starts = [s - travel_gap if c else s for s, c in zip(starts, client, strict=True)]
            ends = [e + travel_gap if c else e for e, c in zip(ends, client, strict=True)]
    odd = any(n is not None and n < 1 for n in set(seats_taken))
    if threshold > 0 or odd or not all(map(le, starts, ends)):
        kept = [
            (s, e, capacity if n is None else n)
            for s, e, n in zip(starts, ends, seats_taken, strict=True)
            if s < e and e > lo and s < hi and (n is None or n > 0)
        ]
        if not kept:
            return [], []
        starts = [s for s, _, _ in kept]
        ends = [e for _, e, _ in kept]
        if threshold > 0:
            return _sweep(starts, ends, [n for _, _, n in kept], threshold)
    return _union(starts, ends)


def _ordered(starts: list[datetime]) -> list[int] | None:
    """The permutation that sorts ``starts``, or None when they are sorted already (busy time
    usually comes ordered by start)."""
    if all(map(le, starts, islice(starts, 1, None))):
        return None
    return sorted(range(len(starts)), key=starts.__getitem__)


def _union(starts: list[datetime], ends: list[datetime]) -> Blocked:
    """Union of the intervals, from their starts and ends sorted *independently*: how many
    intervals cover an instant depends only on those two multisets, and the union has a gap
    exactly where the (k+1)-th start comes after the k-th end. All loops run in C."""
    starts.sort()
    ends.sort()
    gaps = list(map(gt, islice(starts, 1, None), ends))
    return [starts[0], *compress(islice(starts, 1, None), gaps)], [*compress(ends, gaps), ends[-1]]


def _sweep(
    starts: list[datetime], ends: list[datetime], loads: list[int], threshold: int
) -> Blocked:
    """Blocked time where the summed load exceeds ``threshold``: two sorted event streams
    (takes by start, releases by end) merged, releases first at equal times so that touching
    bookings do not add up. Every entry has end > start, so releases never outrun takes."""
    count = len(starts)
    by_start = _ordered(starts) or range(count)
    by_end = sorted(range(count), key=ends.__getitem__)
    blocked_starts: list[datetime] = []
    blocked_ends: list[datetime] = []
    load = 0
    opened: datetime | None = None
    i = j = 0
    while j < count:
        taking = by_start[i] if i < count else -1
        releasing = by_end[j]
        if taking >= 0 and starts[taking] < ends[releasing]:
            load += loads[taking]
            i += 1
            if opened is None and load > threshold:
                opened = starts[taking]
            continue
        load -= loads[releasing]
        j += 1
        if opened is not None and load <= threshold:
            moment = ends[releasing]
            if blocked_ends and blocked_ends[-1] == opened:
                blocked_ends[-1] = moment  # closed and reopened at the same instant
            else:
                blocked_starts.append(opened)
                blocked_ends.append(moment)
            opened = None
    return blocked_starts, blocked_ends


def overlaps(taken: Blocked, lo: datetime, hi: datetime) -> bool:
    """Whether [lo, hi) touches blocked time (a bisect: O(log n))."""
    starts, ends = taken
    index = bisect_right(ends, lo)
    return index < len(starts) and starts[index] < hi


def free_starts(taken: Blocked, lows: Sequence[datetime], highs: Sequence[datetime]) -> list[int]:
    """Indexes ``i`` of the candidate windows ``[lows[i], highs[i])`` (both sorted) that avoid
    blocked time, in one forward sweep."""
    blocked_starts, blocked_ends = taken
    count = len(blocked_starts)
    free: list[int] = []
    j = 0
    for index, (lo, hi) in enumerate(zip(lows, highs, strict=True)):
        while j < count and blocked_ends[j] <= lo:
            j += 1
        if j == count or blocked_starts[j] >= hi:
            free.append(index)
    return free
