"""A brute-force checker of travel between at-address visits, written from the rule rather
than from the engine: walk the resource's whole day in time order, from its base when the day
opens (or from its first visit), and see that every stop is reached by its start and the base
by the day's close when the business asks for it."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime

from hub.availability.types import TravelTime


@dataclass(frozen=True, slots=True)
class Stop:
    """Time spent at a place (buffers included); ``place`` None: not located."""

    start: datetime
    end: datetime
    place: Hashable | None


def route_feasible(
    stops: Sequence[Stop],
    *,
    time: TravelTime,
    base: Hashable | None,
    opens: datetime,
    closes: datetime,
    return_to_base: bool,
) -> bool:
    """Whether one day's stops can all be made on time. A leg from or to a stop that is not
    located is not checked (nothing is known about it)."""
    if not stops:
        return True
    where: Hashable | None = base
    free_at = opens
    for stop in sorted(stops, key=lambda s: (s.start, s.end)):
        reached = where is None or stop.place is None
        if not reached and free_at + time(where, stop.place) > stop.start:
            return False
        where, free_at = stop.place, stop.end
    if return_to_base and base is not None and where is not None:
        return free_at + time(where, base) <= closes
    return True
