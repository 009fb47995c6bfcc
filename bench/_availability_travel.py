"""``python -m bench availability --travel``: travel-aware availability on generated car-wash
months, checked against an exact walk of each day's route.

A group of washers (America/Argentina/Buenos_Aires, Mon-Sat 8-20, each starting from and
returning to its own depot) with ``--visits`` booked washes a day each at random addresses in
a 12 x 12 km town, every day's route drivable. Travel time is the straight line x 1.3 detour
/ 30 km/h + 5 minutes, as the business default computes it; the engine only receives it as a
function of two places. Each run asks for a month of 45-minute washes at a new random
address. Timings are in-process wall time of ``find_slots`` alone.

Every run's answer is checked slot by slot: each start the engine finds free (ignoring
travel) is walked through the washer's whole day with the new wash in it, from the depot at
opening to the depot by closing; ``infeasible_offered`` counts offered slots the walk
refuses, ``feasible_missed`` slots the walk allows that were not offered.
"""

from __future__ import annotations

import json
import math
import random
import statistics
import time as clock
from collections.abc import Hashable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.availability.engine import find_slots
from hub.availability.types import Busy, ResourceCalendar, SlotRequest, Travel
from hub.domain.model import WeeklyInterval

TIMEZONE = "America/Argentina/Buenos_Aires"
FIRST_DAY = date(2025, 6, 2)
OPENS, CLOSES = time(8), time(20)
WASH = timedelta(minutes=30)
MINUTE = timedelta(minutes=1)
TOWN_KM = 8.0
DETOUR, SPEED_KMH, OVERHEAD_MIN = 1.3, 30.0, 5.0

Place = tuple[float, float]


def drive(origin: Hashable, destination: Hashable) -> timedelta:
    """Straight-line km x detour / speed + overhead, rounded up to whole minutes."""
    assert isinstance(origin, tuple) and isinstance(destination, tuple)
    if origin == destination:
        return timedelta(0)
    km = math.dist(origin, destination) * DETOUR
    return math.ceil(km / SPEED_KMH * 60 + OVERHEAD_MIN) * MINUTE


def _point(rng: random.Random) -> Place:
    return (round(rng.uniform(0, TOWN_KM), 3), round(rng.uniform(0, TOWN_KM), 3))


def _day_route(rng: random.Random, day: date, base: Place, visits: int) -> list[Busy]:
    """Up to ``visits`` washes in time order, each reachable from the one before (the
    depot first) and leaving the way home open; waits are drawn small so that ten fit."""
    zone = ZoneInfo(TIMEZONE)
    opens = datetime.combine(day, OPENS, zone).astimezone(UTC)
    closes = datetime.combine(day, CLOSES, zone).astimezone(UTC)
    where, free_at = base, opens
    found: list[Busy] = []
    for _ in range(visits * 3):
        if len(found) == visits:
            break
        place = _point(rng)
        # Spread the slack over the visits still to place, so that all of them fit.
        left = visits - len(found)
        slack = (closes - free_at - left * (WASH + 25 * MINUTE)) / left
        slack_minutes = max(0, int(slack / MINUTE) // 5 * 5)
        wait = min(rng.choice((0, 0, 10, 20, 30, 45)), slack_minutes) * MINUTE
        arrive = free_at + drive(where, place) + wait
        start = arrive + (-arrive.minute % 5) * MINUTE  # bookings start on 5-minute marks
        end = start + WASH
        if end + drive(place, base) > closes:
            continue
        found.append(Busy(start, end, 1, True, place))
        where, free_at = place, end
    return found


def build(washers: int, visits: int, days: int, seed: int) -> list[ResourceCalendar]:
    rng = random.Random(seed)
    weekly = tuple(WeeklyInterval(d, OPENS, CLOSES) for d in range(6))
    calendars = []
    for index in range(washers):
        base = _point(rng)
        busy: list[Busy] = []
        for n in range(days):
            day = FIRST_DAY + timedelta(days=n)
            if day.weekday() < 6:
                busy += _day_route(rng, day, base, visits)
        calendars.append(ResourceCalendar(f"washer{index}", weekly, busy=tuple(busy), base=base))
    return calendars


def route_walk(
    stops: Sequence[tuple[datetime, datetime, Place]],
    base: Place,
    opens: datetime,
    closes: datetime,
) -> bool:
    """The exact check: every stop of the day reached in time order, from the depot at
    opening, and the depot again by closing."""
    where, free_at = base, opens
    for start, end, place in sorted(stops):
        if free_at + drive(where, place) > start:
            return False
        where, free_at = place, end
    return free_at + drive(where, base) <= closes


def check(
    request: SlotRequest, calendars: Sequence[ResourceCalendar], offered: set[tuple[datetime, str]]
) -> tuple[int, int, int]:
    """(infeasible offered, feasible missed, free slots walked: (start, washer) pairs free
    when travel is ignored)."""
    assert request.travel is not None
    zone = ZoneInfo(TIMEZONE)
    place = request.travel.place
    assert isinstance(place, tuple)
    feasible: set[tuple[datetime, str]] = set()
    free = find_slots(replace(request, travel=None), calendars)
    walked = 0
    by_day: dict[tuple[str, date], list[tuple[datetime, datetime, Place]]] = {}
    for calendar in calendars:
        for b in calendar.busy:
            assert isinstance(b.place, tuple)
            key = (calendar.resource_id, b.start.astimezone(zone).date())
            by_day.setdefault(key, []).append((b.start, b.end, b.place))
    by_id = {c.resource_id: c for c in calendars}
    for slot in free:
        local = slot.start.astimezone(zone).date()
        opens = datetime.combine(local, OPENS, zone).astimezone(UTC)
        closes = datetime.combine(local, CLOSES, zone).astimezone(UTC)
        for rid in slot.resource_ids:
            walked += 1
            base = by_id[rid].base
            assert isinstance(base, tuple)
            stops = [*by_day.get((rid, local), []), (slot.start, slot.end, place)]
            if route_walk(stops, base, opens, closes):
                feasible.add((slot.start, rid))
    return len(offered - feasible), len(feasible - offered), walked


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run(washers: int, visits: int, days: int, runs: int, seed: int, as_json: bool) -> int:
    calendars = build(washers, visits, days, seed)
    rng = random.Random(seed + 1)
    base_request = SlotRequest(
        timezone=TIMEZONE,
        date_from=FIRST_DAY,
        date_to=FIRST_DAY + timedelta(days=days - 1),
        duration=WASH,
        step=timedelta(minutes=15),
        now=datetime.combine(FIRST_DAY, time(0), UTC),
        at_client_address=True,
    )
    samples: list[float] = []
    plain: list[float] = []
    infeasible = missed = walked = offered_count = 0
    for _ in range(runs):
        request = replace(base_request, travel=Travel(_point(rng), drive, return_to_base=True))
        started = clock.perf_counter()
        slots = find_slots(request, calendars)
        samples.append((clock.perf_counter() - started) * 1000)
        started = clock.perf_counter()
        find_slots(replace(request, travel=None), calendars)
        plain.append((clock.perf_counter() - started) * 1000)
        offered = {(s.start, rid) for s in slots for rid in s.resource_ids}
        offered_count += len(offered)
        bad, lost, seen = check(request, calendars, offered)
        infeasible, missed, walked = infeasible + bad, missed + lost, walked + seen
    booked = sum(len(c.busy) for c in calendars)
    header = (
        f"{'case':<22} {'washers':>7} {'visits':>6} {'days':>4} {'runs':>4} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'no-travel p50':>13} {'free':>7} {'offered':>8} "
        f"{'infeasible_offered':>18} {'feasible_missed':>15}"
    )
    print(header)
    print("-" * len(header))
    p50 = statistics.median(samples)
    print(
        f"{'group, travel-aware':<22} {washers:>7} {booked:>6} {days:>4} {runs:>4} "
        f"{p50:7.2f} {p95(samples):7.2f} {statistics.median(plain):13.2f} "
        f"{walked:>7} {offered_count:>8} {infeasible:>18} {missed:>15}"
    )
    if as_json:
        summary = {
            "benchmark": "availability",
            "case": "travel",
            "washers": washers,
            "visits": booked,
            "days": days,
            "runs": runs,
            "p50_ms": round(p50, 3),
            "p95_ms": round(p95(samples), 3),
            "no_travel_p50_ms": round(statistics.median(plain), 3),
            "free_ignoring_travel": walked,
            "offered": offered_count,
            "infeasible_offered": infeasible,
            "feasible_missed": missed,
        }
        print(json.dumps(summary))
    return 1 if infeasible or missed else 0
