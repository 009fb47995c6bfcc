"""The availability engine: which start times can be offered, and whether a time fits.

Public API: ``find_slots``, ``is_free``, ``fits``, ``pick_resource``.

How slots are made (``find_slots``):

1. For each local date, a resource's opening hours are its weekly rule or its date
   exceptions, intersected with the branch's (``hours``): the branch the request names, or,
   when it names none, the branches the resource works at (``ResourceCalendar.branches``).
2. Start times step through each open interval *in wall-clock time* from the interval's start
   (every ``step``, default the duration), and each wall time is converted to the instants
   that read it (``clock``): a wall time skipped by a spring-forward gap is not offered; a
   wall time repeated by a fall-back is offered at both instants, because the business really
   is open for both hours (each real instant at most once, nothing doubled). The slot lasts
   ``duration`` of real time and must lie within the instants whose wall reading is open
   (so a 60-minute slot that starts at 01:30 on a spring-forward night ends at 03:30).
3. Starts before ``now + min_notice`` or after ``now + horizon`` are dropped.
4. A start is free for a resource when ``[start - buffer_before, end + buffer_after)`` avoids
   the resource's blocked time (``busy``: capacity, seats, travel gap). Buffers need not lie
   within opening hours (preparing before opening or tidying after closing is allowed); they
   only must not overlap other bookings or blocks.
5. For an at-address request with ``travel``, the free starts are narrowed to those the
   resource can reach from its previous visit and leave in time for its next (``travel``);
   the fixed travel gap of step 4 still applies, as a minimum.

Cost: per resource one sort of its busy time and one forward sweep over candidate starts;
candidate starts are computed once per distinct set of rules (group members often share
them). Nothing here reads the clock; ``request.now`` is the current time.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.availability.busy import blocked, free_starts, overlaps
from hub.availability.clock import WallClock, merge
from hub.availability.hours import (
    DAY,
    Hours,
    WeeklyTable,
    branch_hours,
    intersect,
    open_hours,
    union,
    weekly_table,
)
from hub.availability.travel import Days, reachable
from hub.availability.types import BranchHours, ResourceCalendar, Slot, SlotRequest
from hub.domain.errors import ValidationError
from hub.domain.model import DateException, WeeklyInterval, check_timezone, require_aware

_ZERO = timedelta(0)
_RulesKey = tuple[tuple[WeeklyInterval, ...], tuple[DateException, ...], tuple[BranchHours, ...]]
_Expansion = tuple[list[tuple[datetime, datetime]], list[datetime]]


def find_slots(request: SlotRequest, calendars: Sequence[ResourceCalendar]) -> list[Slot]:
    """Free start times from ``request.date_from`` to ``request.date_to`` (local dates,
    inclusive), sorted by start. Each slot names the resources free for it, in the order of
    ``calendars``: pass one calendar for a resource, every member's for a group."""
    _check(request)
    if request.date_to < request.date_from or not calendars:
        return []
    planner = _Planner(request)
    duration = request.duration
    gap = request.travel_gap if request.at_client_address else _ZERO
    travel = request.travel if request.at_client_address else None
    found: dict[datetime, list[str]] = {}
    for calendar in calendars:
        grid = planner.grid(calendar)
        if not grid.starts:
            continue
        taken = blocked(
            calendar.busy,
            capacity=calendar.capacity,
            seats=request.seats,
            travel_gap=gap,
            lo=grid.lows[0],
            hi=grid.highs[-1],
        )
        resource_id = calendar.resource_id
        starts = grid.starts
        free = free_starts(taken, grid.lows, grid.highs)
        if travel is not None:
            days = Days(planner.midnights(), grid.opens, grid.closes)
            free = reachable(
                free,
                starts,
                grid.lows,
                grid.highs,
                calendar.busy,
                travel=travel,
                base=calendar.base,
                days=days,
            )
        for index in free:
            found.setdefault(starts[index], []).append(resource_id)
    return [Slot(start, start + duration, tuple(ids)) for start, ids in sorted(found.items())]


def is_free(request: SlotRequest, calendar: ResourceCalendar, start: datetime) -> bool:
    """Whether ``start`` (any aware datetime) is offered for this resource: on the grid of its
    opening hours, within notice and horizon, and free. The request's dates are ignored; the
    local date of ``start`` is searched."""
    require_aware(start, "start")
    check_timezone(request.timezone)
    day = start.astimezone(ZoneInfo(request.timezone)).date()
    narrowed = replace(request, date_from=day, date_to=day)
    return any(slot.start == start for slot in find_slots(narrowed, [calendar]))


def fits(
    calendar: ResourceCalendar,
    start: datetime,
    end: datetime,
    *,
    seats: int = 1,
    buffer_before: timedelta = _ZERO,
    buffer_after: timedelta = _ZERO,
    travel_gap: timedelta = _ZERO,
    at_client_address: bool = False,
) -> bool:
    """Whether a booking of ``seats`` places over [start, end) can be taken on this resource
    without overlapping busy time or exceeding its capacity, opening hours ignored (the
    operator path). Same conventions as ``find_slots``: ``[start - buffer_before,
    end + buffer_after)`` must be free, and ``travel_gap`` (used only when
    ``at_client_address``) separates it from other at-client-address bookings. When moving a
    booking, leave its own busy time out of ``calendar``."""
    require_aware(start, "start")
    require_aware(end, "end")
    if end <= start:
        raise ValidationError("a booking must end after it starts", field="end")
    _check_amounts(seats, buffer_before, buffer_after, travel_gap)
    lo, hi = start - buffer_before, end + buffer_after
    taken = blocked(
        calendar.busy,
        capacity=calendar.capacity,
        seats=seats,
        travel_gap=travel_gap if at_client_address else _ZERO,
        lo=lo,
        hi=hi,
    )
    return not overlaps(taken, lo, hi)


def pick_resource(slot: Slot, load: Mapping[str, int]) -> str:
    """The member of a group to book for ``slot``: the least booked that day (``load``: that
    day's bookings per resource id, missing = 0), ties broken by the slot's stable order."""
    if not slot.resource_ids:
        raise ValidationError("the slot has no free resource", field="resource_ids")
    best = min(range(len(slot.resource_ids)), key=lambda i: (load.get(slot.resource_ids[i], 0), i))
    return slot.resource_ids[best]


def _check_amounts(
    seats: int, buffer_before: timedelta, buffer_after: timedelta, travel_gap: timedelta
) -> None:
    if seats < 1:
        raise ValidationError("a booking takes at least one seat", field="seats")
    if buffer_before < _ZERO or buffer_after < _ZERO:
        raise ValidationError("buffers cannot be negative", field="buffer_before")
    if travel_gap < _ZERO:
        raise ValidationError("the travel gap cannot be negative", field="travel_gap")


def _check(request: SlotRequest) -> None:
    check_timezone(request.timezone)
    require_aware(request.now, "now")
    if request.duration <= _ZERO:
        raise ValidationError("duration must be positive", field="duration")
    if request.step is not None and request.step <= _ZERO:
        raise ValidationError("step must be positive", field="step")
    if request.min_notice < _ZERO:
        raise ValidationError("minimum notice cannot be negative", field="min_notice")
    if request.horizon is not None and request.horizon < _ZERO:
        raise ValidationError("horizon cannot be negative", field="horizon")
    _check_amounts(request.seats, request.buffer_before, request.buffer_after, request.travel_gap)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True, slots=True)
class _Grid:
    """Candidate starts inside opening hours, notice and horizon, sorted, with the windows
    each would occupy: ``[lows[i], highs[i])`` is the start widened by the buffers (before)
    and the duration plus the buffer after. ``opens[k]``/``closes[k]``: the first and last
    open instant of the planner's day *k* (None: closed), only for travel-aware requests."""

    starts: list[datetime]
    lows: list[datetime]
    highs: list[datetime]
    opens: list[datetime | None]
    closes: list[datetime | None]


class _Planner:
    """Candidate starts of one request, computed once per distinct set of resource rules
    (and each day's wall-clock expansion once per distinct interval)."""

    def __init__(self, request: SlotRequest) -> None:
        self.request = request
        self.step = request.step or request.duration
        # One day either side: intervals that cross midnight, slots that end the next day.
        self.days = _days(request.date_from - DAY, request.date_to + DAY)
        self.clock = WallClock(ZoneInfo(request.timezone), self.days[0], self.days[-1])
        branch = weekly_table(request.branch_weekly) if request.branch_weekly else None
        self.branch: dict[date, Hours | None] = {
            day: branch_hours(branch, request.branch_exceptions, day) for day in self.days
        }
        self.earliest = request.now + request.min_notice
        self.latest = None if request.horizon is None else request.now + request.horizon
        self.grids: dict[_RulesKey, _Grid] = {}
        self.expansions: dict[tuple[datetime, datetime], _Expansion] = {}
        self._midnights: list[datetime] | None = None
        self.travels = request.at_client_address and request.travel is not None

    def midnights(self) -> list[datetime]:
        """The first instant of each of ``days`` (a midnight skipped by DST: the instant
        the day begins)."""
        if self._midnights is None:
            zone = self.clock.tz
            self._midnights = [
                datetime.combine(day, time(0), zone).astimezone(UTC) for day in self.days
            ]
        return self._midnights

    def grid(self, calendar: ResourceCalendar) -> _Grid:
        key = (calendar.weekly, calendar.exceptions, calendar.branches)
        grid = self.grids.get(key)
        if grid is None:
            starts, opens, closes = self._starts(*key)
            request = self.request
            before, after = request.buffer_before, request.duration + request.buffer_after
            lows = [start - before for start in starts] if before else starts
            highs = [start + after for start in starts]
            grid = self.grids[key] = _Grid(starts, lows, highs, opens, closes)
        return grid

    def _expand(self, wall_start: datetime, wall_end: datetime) -> _Expansion:
        key = (wall_start, wall_end)
        expansion = self.expansions.get(key)
        if expansion is None:
            offer = self.request.date_from <= wall_start.date() <= self.request.date_to
            step = self.step if offer else None
            expansion = self.expansions[key] = self.clock.expand(wall_start, wall_end, step)
        return expansion

    def _starts(
        self,
        weekly: tuple[WeeklyInterval, ...],
        exceptions: tuple[DateException, ...],
        branches: tuple[BranchHours, ...],
    ) -> tuple[list[datetime], list[datetime | None], list[datetime | None]]:
        table = weekly_table(weekly)
        own_branches = [
            (weekly_table(b.weekly) if b.weekly else None, b.exceptions) for b in branches
        ]
        opened: list[tuple[datetime, datetime]] = []
        candidates: list[datetime] = []
        opens: list[datetime | None] = []
        closes: list[datetime | None] = []
        for day in self.days:
            midnight = datetime.combine(day, time(0))
            hours = open_hours(table, exceptions, self.branch[day], day)
            if own_branches:
                hours = _within_branches(hours, own_branches, day)
            first_span = len(opened)
            for lo, hi in hours:
                spans, starts = self._expand(midnight + lo, midnight + hi)
                opened += spans
                candidates += starts
            if self.travels:  # each day's first and last open instant: where bases matter
                has_spans = len(opened) > first_span
                opens.append(opened[first_span][0] if has_spans else None)
                closes.append(max(hi for _, hi in opened[first_span:]) if has_spans else None)
        candidates.sort()
        first = bisect_left(candidates, self.earliest)
        last = len(candidates) if self.latest is None else bisect_right(candidates, self.latest)
        kept = _inside(candidates, first, last, merge(opened), self.request.duration)
        return kept, opens, closes


def _within_branches(
    hours: Hours,
    branches: Sequence[tuple[WeeklyTable | None, Sequence[DateException]]],
    day: date,
) -> Hours:
    """``hours`` kept to the union of the branches' hours on ``day`` (a branch that does not
    restrict that day leaves them whole)."""
    each = [branch_hours(table, exceptions, day) for table, exceptions in branches]
    if any(h is None for h in each):
        return hours
    return intersect(hours, union(span for h in each if h is not None for span in h))


def _inside(
    starts: list[datetime],
    first: int,
    last: int,
    opened: list[tuple[datetime, datetime]],
    duration: timedelta,
) -> list[datetime]:
    """``starts[first:last]`` (sorted) whose [start, start + duration) lies within one of the
    sorted, disjoint ``opened`` intervals: a slice per interval, found by bisection."""
    kept: list[datetime] = []
    for lo, hi in opened:
        begin = bisect_left(starts, lo, first, last)
        end = bisect_right(starts, hi - duration, begin, last)
        kept.extend(starts[begin:end])
        first = begin
    return kept
