"""Benchmark of the availability engine against a naive reference, on generated data.

``python -m bench availability [--resources 10 --bookings 10000 --days 31 --runs 50] [--json]``
``python -m bench availability --travel [--washers 3 --visits 10 --days 31 --runs 50] [--json]``
(travel-aware at-address slots, checked against an exact route walk: ``_availability_travel``)

A group of resources (Europe/Madrid, Mon-Sat 9-13 and 14-18 or Mon-Fri 10-14 and 15-19, a
vacation, an extra Sunday, a branch with its own hours and a holiday; the month spans the
spring DST change) with bookings and blocks spread over the month. Cases: the group with
capacity 1 (union of busy time), the same with capacity 3 (seat counting), one resource.

The naive reference steps the same wall-clock grid but checks every candidate against every
busy entry of the resource and every minute of the slot against the opening hours; its
answer must equal the engine's (the run fails otherwise), so it doubles as a cross-check on
a large input. Timings are in-process wall time of ``find_slots`` alone.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time as clock
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bench._availability_travel import run as travel_run
from hub.availability.engine import find_slots
from hub.availability.hours import branch_hours, open_hours, weekly_table
from hub.availability.types import Busy, ResourceCalendar, Slot, SlotRequest
from hub.domain.model import DateException, WeeklyInterval

TIMEZONE = "Europe/Madrid"
FIRST_DAY = date(2025, 3, 17)  # the month includes 2025-03-30, spring forward in Madrid
MINUTE = timedelta(minutes=1)


def _weekly(days: range, *spans: tuple[int, int]) -> tuple[WeeklyInterval, ...]:
    return tuple(WeeklyInterval(d, time(a), time(b)) for d in days for a, b in spans)


def build(
    resources: int, bookings: int, days: int, seed: int, capacity: int = 1
) -> tuple[SlotRequest, list[ResourceCalendar]]:
    rng = random.Random(seed)
    last_day = FIRST_DAY + timedelta(days=days - 1)
    request = SlotRequest(
        timezone=TIMEZONE,
        date_from=FIRST_DAY,
        date_to=last_day,
        duration=timedelta(minutes=30),
        step=timedelta(minutes=15),
        now=datetime.combine(FIRST_DAY, time(6), UTC),
        buffer_after=timedelta(minutes=10),
        min_notice=timedelta(hours=2),
        horizon=timedelta(days=days + 5),
        travel_gap=timedelta(minutes=20),
        at_client_address=True,
        branch_weekly=_weekly(range(6), (8, 20)),
        branch_exceptions=(DateException(date(2025, 4, 18), date(2025, 4, 18), reason="holiday"),),
    )
    start = datetime.combine(FIRST_DAY - timedelta(days=1), time(0), UTC)
    span_minutes = (days + 2) * 24 * 60
    per_resource: list[list[Busy]] = [[] for _ in range(resources)]
    for n in range(bookings):
        begin = start + timedelta(minutes=5 * rng.randrange(span_minutes // 5))
        length = timedelta(minutes=rng.choice((10, 15, 20)))
        block = rng.random() < 0.1
        per_resource[n % resources].append(
            Busy(
                begin,
                begin + length,
                seats=None if block else 1,
                at_client_address=not block and rng.random() < 0.3,
            )
        )
    calendars = []
    for index in range(resources):
        if index % 2:
            weekly = _weekly(range(5), (10, 14), (15, 19))
        else:
            weekly = _weekly(range(6), (9, 13), (14, 18))
        exceptions: tuple[DateException, ...] = ()
        if index % 4 == 1:
            exceptions = (DateException(FIRST_DAY + timedelta(7), FIRST_DAY + timedelta(11)),)
        elif index % 4 == 3:
            sunday = FIRST_DAY + timedelta(days=6)
            exceptions = (DateException(sunday, sunday, ((time(10), time(14)),)),)
        busy = tuple(sorted(per_resource[index], key=lambda b: b.start))
        calendars.append(ResourceCalendar(f"r{index:02}", weekly, exceptions, busy, capacity))
    return request, calendars


def naive_find_slots(request: SlotRequest, calendars: Sequence[ResourceCalendar]) -> list[Slot]:
    """The obvious algorithm: every candidate start against every busy entry."""
    tz = ZoneInfo(request.timezone)
    step = request.step or request.duration
    latest = None if request.horizon is None else request.now + request.horizon
    gap = request.travel_gap if request.at_client_address else timedelta(0)
    hours_cache: dict[tuple[str, date], list[tuple[timedelta, timedelta]]] = {}

    def hours(calendar: ResourceCalendar, day: date) -> list[tuple[timedelta, timedelta]]:
        key = (calendar.resource_id, day)
        if key not in hours_cache:
            table = weekly_table(request.branch_weekly) if request.branch_weekly else None
            branch = branch_hours(table, request.branch_exceptions, day)
            hours_cache[key] = open_hours(
                weekly_table(calendar.weekly), calendar.exceptions, branch, day
            )
        return hours_cache[key]

    def is_open(calendar: ResourceCalendar, instant: datetime) -> bool:
        wall = instant.astimezone(tz)
        since_midnight = wall - wall.replace(hour=0, minute=0, second=0, microsecond=0)
        return any(lo <= since_midnight < hi for lo, hi in hours(calendar, wall.date()))

    def load_fits(calendar: ResourceCalendar, lo: datetime, hi: datetime) -> bool:
        entries = []
        for busy in calendar.busy:
            widen = gap if busy.at_client_address else timedelta(0)
            if busy.start - widen < hi and busy.end + widen > lo:
                entries.append((busy.start - widen, busy.end + widen, busy.seats))
        points = [lo] + [s for s, _, _ in entries if s > lo]
        for point in points:
            load = sum(
                calendar.capacity if seats is None else seats
                for s, e, seats in entries
                if s <= point < e
            )
            if load + request.seats > calendar.capacity:
                return False
        return True

    found: dict[datetime, list[str]] = {}
    day = request.date_from
    while day <= request.date_to:
        midnight = datetime.combine(day, time(0))
        for calendar in calendars:
            for lo, hi in hours(calendar, day):
                wall = midnight + lo
                while wall < midnight + hi:
                    for fold in (0, 1):
                        start = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC)
                        if start.astimezone(tz).replace(tzinfo=None) != wall:
                            continue  # skipped by a spring-forward gap
                        if start < request.now + request.min_notice:
                            continue
                        if latest is not None and start > latest:
                            continue
                        end = start + request.duration
                        minutes = range(int((end - start) / MINUTE))
                        if not all(is_open(calendar, start + m * MINUTE) for m in minutes):
                            continue
                        window = (start - request.buffer_before, end + request.buffer_after)
                        ids = found.setdefault(start, [])
                        if load_fits(calendar, *window) and calendar.resource_id not in ids:
                            ids.append(calendar.resource_id)
                    wall += step
        day += timedelta(days=1)
    return [
        Slot(start, start + request.duration, tuple(ids))
        for start, ids in sorted(found.items())
        if ids
    ]


Finder = Callable[[SlotRequest, Sequence[ResourceCalendar]], list[Slot]]


def timed(
    finder: Finder, request: SlotRequest, calendars: Sequence[ResourceCalendar], runs: int
) -> tuple[list[float], list[Slot]]:
    samples = []
    slots: list[Slot] = []
    for _ in range(runs):
        started = clock.perf_counter()
        slots = finder(request, calendars)
        samples.append((clock.perf_counter() - started) * 1000)
    return samples, slots


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench availability", description=__doc__)
    parser.add_argument("--resources", type=int, default=10)
    parser.add_argument("--bookings", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--naive-runs", type=int, default=1, help="0 skips the naive reference")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--travel", action="store_true", help="travel-aware at-address slots")
    parser.add_argument("--washers", type=int, default=3, help="with --travel")
    parser.add_argument("--visits", type=int, default=10, help="per washer and day, with --travel")
    args = parser.parse_args(argv)
    if args.travel:
        return travel_run(args.washers, args.visits, args.days, args.runs, args.seed, args.json)

    group_request, group = build(args.resources, args.bookings, args.days, args.seed)
    cases = [
        ("group", group_request, group),
        ("group capacity 3", *build(args.resources, args.bookings, args.days, args.seed, 3)),
        ("one resource", group_request, group[:1]),
    ]
    header = (
        f"{'case':<18} {'res':>4} {'bookings':>8} {'days':>4} {'slots':>6} "
        f"{'min ms':>7} {'p50 ms':>8} {'p95 ms':>8} {'naive ms':>9} {'speed-up':>8}"
    )
    print(header)
    print("-" * len(header))
    summary: dict[str, object] = {}
    for name, request, calendars in cases:
        samples, slots = timed(find_slots, request, calendars, args.runs)
        naive_ms: float | None = None
        if args.naive_runs > 0:
            naive_samples, expected = timed(naive_find_slots, request, calendars, args.naive_runs)
            if expected != slots:
                print(f"MISMATCH in case {name!r}: engine and naive reference disagree")
                return 1
            naive_ms = statistics.median(naive_samples)
        bookings = sum(len(c.busy) for c in calendars)
        p50 = statistics.median(samples)
        naive_text = "-" if naive_ms is None else f"{naive_ms:9.1f}"
        speedup = "-" if naive_ms is None else f"{naive_ms / p50:7.0f}x"
        print(
            f"{name:<18} {len(calendars):>4} {bookings:>8} {args.days:>4} {len(slots):>6} "
            f"{min(samples):7.2f} {p50:8.2f} {p95(samples):8.2f} {naive_text:>9} {speedup:>8}"
        )
        if name == "group":
            summary = {
                "benchmark": "availability",
                "case": name,
                "resources": len(calendars),
                "bookings": bookings,
                "days": args.days,
                "runs": args.runs,
                "slots": len(slots),
                "min_ms": round(min(samples), 3),
                "p50_ms": round(p50, 3),
                "p95_ms": round(p95(samples), 3),
                "naive_p50_ms": None if naive_ms is None else round(naive_ms, 1),
                "speedup": None if naive_ms is None else round(naive_ms / p50, 1),
            }
    if args.json:
        print(json.dumps(summary))
    return 0
