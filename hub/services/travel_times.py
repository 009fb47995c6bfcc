"""Driving time for at-address visits, as the use cases hand it to the pure core: the
embedded straight-line source (``StraightLine``, the business's ``TravelModel``, no network)
and the one lookup per computation (``travel_for`` for the availability engine,
``minutes_matrix`` for the day's route).

Road times from a routing engine are adapters (``connectors.routing``) behind the
``TravelTimes`` port; which one a process uses is the composition root's choice.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from datetime import timedelta

from hub.availability.types import ResourceCalendar, Travel
from hub.domain.geo import GeoPoint, TravelModel
from hub.services.ports import Leg, TravelTimes

# No road between two places: longer than any working day, so no slot or route uses it.
UNREACHABLE_MINUTES = 7 * 24 * 60


class StraightLine:
    """The business's own estimate: straight-line km * detour / speed + overhead."""

    kind = "straight_line"

    def minutes(self, legs: Collection[Leg], *, model: TravelModel) -> Mapping[Leg, int | None]:
        return {(a, b): model.minutes(a, b) for a, b in legs}


STRAIGHT_LINE = StraightLine()


class _Table:
    """The engine's ``time(from, to)``: asks ``times`` once, on first use, for every leg
    between the new visit's place and the other places of the search (visits, bases)."""

    def __init__(
        self, place: GeoPoint, others: Collection[GeoPoint], times: TravelTimes, model: TravelModel
    ) -> None:
        self._place, self._others, self._times, self._model = place, others, times, model
        self._found: Mapping[Leg, int | None] | None = None

    def __call__(self, origin: Hashable, destination: Hashable) -> timedelta:
        if not isinstance(origin, GeoPoint) or not isinstance(destination, GeoPoint):
            raise TypeError("travel is between GeoPoints")
        if self._found is None:
            place = self._place
            legs = {(o, place) for o in self._others} | {(place, o) for o in self._others}
            self._found = self._times.minutes(legs, model=self._model)
        leg = (origin, destination)
        found = self._found[leg] if leg in self._found else self._model.minutes(*leg)
        return timedelta(minutes=UNREACHABLE_MINUTES if found is None else found)


def travel_for(
    place: GeoPoint | None,
    calendars: Sequence[ResourceCalendar],
    *,
    model: TravelModel,
    times: TravelTimes,
    return_to_base: bool,
) -> Travel | None:
    """What the engine needs to keep an at-address slot reachable: the new visit's place
    and the driving time to and from every located visit and base in ``calendars`` (asked
    of ``times`` in one call, only if the engine needs it). None when the place is not known."""
    if place is None:
        return None
    others = {b.place for c in calendars for b in c.busy if isinstance(b.place, GeoPoint)}
    others |= {c.base for c in calendars if isinstance(c.base, GeoPoint)}
    others.add(place)
    return Travel(place, _Table(place, others, times, model), return_to_base)


def minutes_matrix(
    points: Sequence[GeoPoint], *, model: TravelModel, times: TravelTimes
) -> list[list[float]]:
    """``matrix[i][j]``: minutes from ``points[i]`` to ``points[j]`` (one call to ``times``;
    no road: ``UNREACHABLE_MINUTES``)."""
    found = times.minutes({(a, b) for a in points for b in points}, model=model)
    return [
        [float(UNREACHABLE_MINUTES if (m := found.get((a, b))) is None else m) for b in points]
        for a in points
    ]
