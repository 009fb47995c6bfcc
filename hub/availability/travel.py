"""Travel between visits at clients' addresses: which free candidate starts a resource can
also *reach* in time. Finding the free starts is ``busy``'s job; this only narrows them.

The rule, for one resource, the new visit at ``Travel.place`` occupying ``[lo, hi)`` (the
slot widened by its buffers, the time the resource spends at the address) on local day *d*:

* The previous visit of day *d* (the at-address busy entry that started on *d* and is the
  last to end by ``lo``) must leave time to get here:
  ``prev.end + time(prev.place, place) <= lo``. With no earlier visit that day and a
  ``base``, the resource leaves its base when its day opens: ``open + time(base, place) <= lo``.
* The next visit of day *d* (the first to start at or after ``hi``) must still be reached:
  ``hi + time(place, next.place) <= next.start``. With none after it and
  ``Travel.return_to_base``, the resource must be back at its base when its day closes:
  ``hi + time(place, base) <= close``.

Booked times are fixed, so a day's route is its visits in time order, and inserting the new
visit changes only the two legs next to it. Checking those two legs is therefore exact: a
slot passes if and only if the day's route with the new visit in it is feasible, whenever the
booked route already was (property-tested against a brute-force route walk). The travel
times need no triangle inequality or symmetry.

A visit that is not located (``place`` None) constrains nothing here (the fixed travel gap in
``busy`` still applies). Busy entries that are not visits (blocks, bookings at the premises)
do not move the resource. Visits overlapping the new one can only exist on a shared resource;
they are the seat count's business, not travel's.

Cost: each leg's travel time is asked once per visit (memoised) and each candidate costs two
bisections, small next to the sweep that found it free.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.availability.types import Busy, Travel


@dataclass(frozen=True, slots=True)
class Days:
    """The local days of a search: ``midnights[k]`` is the first instant of day *k* (UTC,
    sorted); ``opens[k]``/``closes[k]`` the first and last instant of the resource's opening
    hours that day (None: closed)."""

    midnights: Sequence[datetime]
    opens: Sequence[datetime | None]
    closes: Sequence[datetime | None]


def reachable(
    free: Sequence[int],
    starts: Sequence[datetime],
    lows: Sequence[datetime],
    highs: Sequence[datetime],
    busy: Sequence[Busy],
    *,
    travel: Travel,
    base: Hashable | None,
    days: Days,
) -> list[int]:
    """The indexes in ``free`` whose window ``[lows[i], highs[i])`` (starting at
    ``starts[i]``) the resource can reach from its previous visit and leave in time for its
    next one (see the module docstring)."""
    visits = sorted((b for b in busy if b.at_client_address), key=lambda b: (b.start, b.end))
    returns = travel.return_to_base and base is not None
    if not visits and base is None:
        return list(free)
    midnights = days.midnights
    by_end = sorted(visits, key=lambda b: b.end)
    ends = [b.end for b in by_end]
    begins = [b.start for b in visits]
    end_day = [bisect_right(midnights, b.start) - 1 for b in by_end]
    start_day = [bisect_right(midnights, b.start) - 1 for b in visits]
    place, time = travel.place, travel.time
    came: dict[int, timedelta] = {}  # by_end index -> time from that visit to here
    going: dict[int, timedelta] = {}  # visits index -> time from here to that visit
    from_base = time(base, place) if base is not None else None
    to_base = time(place, base) if returns else None
    count = len(visits)
    kept: list[int] = []
    for index in free:
        lo, hi = lows[index], highs[index]
        day = bisect_right(midnights, starts[index]) - 1
        before = bisect_right(ends, lo) - 1
        if before >= 0 and end_day[before] == day:
            where = by_end[before].place
            if where is not None:
                leg = came.get(before)
                if leg is None:
                    leg = came[before] = time(where, place)
                if ends[before] + leg > lo:
                    continue
        elif from_base is not None:
            opened = days.opens[day]
            if opened is not None and opened + from_base > lo:
                continue
        after = bisect_left(begins, hi)
        if after < count and start_day[after] == day:
            where = visits[after].place
            if where is not None:
                leg = going.get(after)
                if leg is None:
                    leg = going[after] = time(place, where)
                if hi + leg > begins[after]:
                    continue
        elif to_base is not None:
            closed = days.closes[day]
            if closed is not None and hi + to_base > closed:
                continue
        kept.append(index)
    return kept
