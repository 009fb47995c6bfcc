"""A brute-force availability oracle, written from the rules rather than from the engine.

It looks at the world one ``grain`` at a time: a wall-clock time is open when the resource's
rules (and the branch's) for that local date say so; a start is offered when every grain of
the slot is open, every grain of the slot widened by its buffers has room left after
counting every busy entry covering it, and it respects notice and horizon. Wall-clock starts
step from the start of each run of open time of a local date and become instants by the
round trip through ``fold`` that the standard library documents. Exact when every time in
the scenario (rules, busy time, durations, offsets, DST changes) is a multiple of ``grain``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.availability.types import Busy, ResourceCalendar, Slot, SlotRequest
from hub.domain.model import DateException, WeeklyInterval

GRAIN = timedelta(minutes=15)


def _covers(start: time, end: time, moment: time) -> bool:
    return start <= moment and (end == time(0) or moment < end)


def _exception_rule(exceptions: Sequence[DateException], day: date) -> list[DateException]:
    covering = [e for e in exceptions if e.start_date <= day <= e.end_date]
    if not covering:
        return []
    shortest = min((e.end_date - e.start_date).days for e in covering)
    return [e for e in covering if (e.end_date - e.start_date).days == shortest]


def _open(
    weekly: Sequence[WeeklyInterval],
    exceptions: Sequence[DateException],
    day: date,
    moment: time,
    unrestricted_without_rules: bool,
) -> bool:
    deciding = _exception_rule(exceptions, day)
    if deciding:
        if any(e.closed for e in deciding):
            return False
        return any(_covers(s, e, moment) for x in deciding for s, e in x.intervals)
    if unrestricted_without_rules and not weekly:
        return True
    return any(w.weekday == day.weekday() and _covers(w.start, w.end, moment) for w in weekly)


def wall_open(request: SlotRequest, calendar: ResourceCalendar, day: date, moment: time) -> bool:
    """Whether ``calendar`` may be offered at wall time ``moment`` of local date ``day``."""
    return _open(calendar.weekly, calendar.exceptions, day, moment, False) and _open(
        request.branch_weekly, request.branch_exceptions, day, moment, True
    )


def instant_open(request: SlotRequest, calendar: ResourceCalendar, instant: datetime) -> bool:
    wall = instant.astimezone(ZoneInfo(request.timezone))
    return wall_open(request, calendar, wall.date(), wall.time().replace(tzinfo=None))


def load_at(calendar: ResourceCalendar, request_gap: timedelta, instant: datetime) -> int:
    """Seats taken at ``instant``; at-client-address entries widened by ``request_gap``."""
    load = 0
    for busy in calendar.busy:
        gap = request_gap if busy.at_client_address else timedelta(0)
        if busy.start - gap <= instant < busy.end + gap:
            load += calendar.capacity if busy.seats is None else busy.seats
    return load


def has_room(
    request: SlotRequest, calendar: ResourceCalendar, start: datetime, grain: timedelta = GRAIN
) -> bool:
    gap = request.travel_gap if request.at_client_address else timedelta(0)
    point = start - request.buffer_before
    end = start + request.duration + request.buffer_after
    while point < end:
        if load_at(calendar, gap, point) + request.seats > calendar.capacity:
            return False
        point += grain
    return True


def inside_hours(
    request: SlotRequest, calendar: ResourceCalendar, start: datetime, grain: timedelta = GRAIN
) -> bool:
    point, end = start, start + request.duration
    while point < end:
        if not instant_open(request, calendar, point):
            return False
        point += grain
    return True


def wall_instants(tz: ZoneInfo, wall: datetime) -> list[datetime]:
    """Instants that read ``wall`` (naive) on the clock: zero, one or two."""
    found = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC)
        if instant.astimezone(tz).replace(tzinfo=None) == wall and instant not in found:
            found.append(instant)
    return found


def wall_starts(
    request: SlotRequest, calendar: ResourceCalendar, day: date, grain: timedelta = GRAIN
) -> list[datetime]:
    """Naive wall times of ``day`` stepped from the start of each run of open time."""
    step = request.step or request.duration
    midnight = datetime.combine(day, time(0))
    points = [midnight + n * grain for n in range(int(timedelta(days=1) / grain))]
    flags = [wall_open(request, calendar, day, p.time()) for p in points]
    starts: list[datetime] = []
    index = 0
    while index < len(points):
        if not flags[index]:
            index += 1
            continue
        run_end = index
        while run_end < len(points) and flags[run_end]:
            run_end += 1
        limit = midnight + run_end * grain
        wall = points[index]
        while wall < limit:
            starts.append(wall)
            wall += step
        index = run_end
    return starts


def oracle_slots(request: SlotRequest, calendars: Sequence[ResourceCalendar]) -> list[Slot]:
    tz = ZoneInfo(request.timezone)
    earliest = request.now + request.min_notice
    latest = None if request.horizon is None else request.now + request.horizon
    found: dict[datetime, list[str]] = {}
    day = request.date_from
    while day <= request.date_to:
        for calendar in calendars:
            for wall in wall_starts(request, calendar, day):
                for start in wall_instants(tz, wall):
                    if start < earliest or (latest is not None and start > latest):
                        continue
                    if not inside_hours(request, calendar, start):
                        continue
                    if has_room(request, calendar, start):
                        found.setdefault(start, []).append(calendar.resource_id)
        day += timedelta(days=1)
    return [
        Slot(start, start + request.duration, tuple(ids)) for start, ids in sorted(found.items())
    ]


def with_busy(calendar: ResourceCalendar, busy: Busy) -> ResourceCalendar:
    return ResourceCalendar(
        calendar.resource_id,
        calendar.weekly,
        calendar.exceptions,
        (*calendar.busy, busy),
        calendar.capacity,
    )
