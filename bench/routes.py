"""Benchmark of the day's route solver on generated car-wash days.

``python -m bench routes [--days 10 --min-visits 8 --max-visits 14 --seed 1] [--json]``

Each day puts a washer's visits at random addresses around Buenos Aires (about 12 x 12 km),
one after another in a random order (each start is the previous end plus the drive, rounded
up to a quarter hour, plus some slack), so at least one order keeps every time. About two
thirds of the clients picked an arrival window (``--window`` minutes, 120 by default: 8-10,
10-12, ...; the window holding that start, booked at its opening); the rest were promised
the exact start. Booked order is by booked time, visits in the same window in the order
they were booked (a random one that keeps every time). Travel minutes are straight-line
km x 1.3 / 25 km/h + 5 minutes.

Per size it reports the gap of ``plan_route`` (as the console runs it) to the proven optimum
(the same label-setting search with no bound from local search and no label budget, so it is
an independent run), the gap of local search alone, the driving saved against booked order,
and the solver's time per washer. Then whole days of 3 washers x 12 visits (36 visits):
``plan_day`` with move suggestions, mean and worst time.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import time as clock

from hub.domain.routing.exact import exact_order
from hub.domain.routing.matrix import VisitMatrix
from hub.domain.routing.model import Visit, Worker
from hub.domain.routing.solver import plan_day, plan_route

CENTRE = (-34.6037, -58.4300)
SPAN_DEGREES = 0.055


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _travel(points: list[tuple[float, float]]) -> list[list[float]]:
    return [
        [0.0 if i == j else _haversine_km(a, b) * 1.3 / 25 * 60 + 5 for j, b in enumerate(points)]
        for i, a in enumerate(points)
    ]


def generate(
    rng: random.Random, washers: int, visits: int, window: float = 120.0
) -> tuple[list[Worker], list[list[float]]]:
    points: list[tuple[float, float]] = []

    def spot() -> tuple[float, float]:
        return (
            CENTRE[0] + rng.uniform(-SPAN_DEGREES, SPAN_DEGREES),
            CENTRE[1] + rng.uniform(-SPAN_DEGREES, SPAN_DEGREES),
        )

    for _ in range(washers):
        points.append(spot())
    for _ in range(washers * visits):
        points.append(spot())
    travel = _travel(points)
    workers = []
    for w in range(washers):
        booked: list[Visit] = []
        ready, previous = 8 * 60.0, w
        for k in range(visits):
            point = washers + w * visits + k
            start = math.ceil((ready + travel[previous][point]) / 15) * 15 + rng.choice((0, 0, 15))
            duration = float(rng.choice((30, 45, 45, 60)))
            if rng.random() < 0.66:
                # The client picked the arrival window (8-10, 10-12, ...) holding the start.
                opens = 8 * 60.0 + (start - 8 * 60.0) // window * window
                booked.append(Visit(f"w{w}v{k}", point, opens, opens + window, duration, opens))
            else:
                booked.append(Visit(f"w{w}v{k}", point, start, start, duration, start))
            ready, previous = start + duration, point
        workers.append(Worker(f"w{w}", w, tuple(booked)))
    return workers, travel


def _pct(value: float, reference: float) -> float:
    return 0.0 if reference <= 0 else 100.0 * value / reference


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench routes")
    parser.add_argument("--days", type=int, default=10, help="days per size")
    parser.add_argument("--min-visits", type=int, default=8)
    parser.add_argument("--max-visits", type=int, default=14)
    parser.add_argument("--big-days", type=int, default=5, help="3-washer days of 36 visits")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--window", type=float, default=120.0, help="arrival window, minutes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    rows = []
    gaps_all: list[float] = []
    gaps_small: list[float] = []
    booked_total = driving_total = 0.0
    for size in range(args.min_visits, args.max_visits + 1):
        gaps, local_gaps, saved, times, proven, local_missed = [], [], [], [], 0, 0
        for _ in range(args.days):
            workers, travel = generate(rng, 1, size, args.window)
            worker = workers[0]
            began = clock.perf_counter()
            route = plan_route(worker, travel)
            times.append(clock.perf_counter() - began)
            proven += route.proven_optimal
            local = plan_route(worker, travel, exact_up_to=0)
            _, optimum, complete = exact_order(
                VisitMatrix(worker.base, worker.visits, travel), None, 10**9
            )
            assert complete and optimum is not None and route.feasible
            gaps.append(_pct(route.driving - optimum, optimum))
            if local.feasible:
                local_gaps.append(_pct(local.driving - optimum, optimum))
            else:
                local_missed += 1
            saved.append(_pct(route.booked_driving - route.driving, route.booked_driving))
            booked_total += route.booked_driving
            driving_total += route.driving
        gaps_all += gaps
        if size <= 12:
            gaps_small += gaps
        rows.append(
            {
                "visits": size,
                "days": args.days,
                "proven": proven,
                "avg_gap_pct": statistics.fmean(gaps),
                "worst_gap_pct": max(gaps),
                "local_avg_gap_pct": statistics.fmean(local_gaps) if local_gaps else 0.0,
                "local_worst_gap_pct": max(local_gaps) if local_gaps else 0.0,
                "local_no_order": local_missed,
                "saved_vs_booked_pct": statistics.fmean(saved),
                "mean_s": statistics.fmean(times),
                "max_s": max(times),
            }
        )
    big_times, big_saved, big_moves = [], [], 0
    for _ in range(args.big_days):
        workers, travel = generate(rng, 3, 12, args.window)
        began = clock.perf_counter()
        plan = plan_day(workers, travel)
        big_times.append(clock.perf_counter() - began)
        big_saved.append(_pct(plan.booked_driving - plan.driving, plan.booked_driving))
        big_moves += len(plan.suggestions)
    header = (
        "| visits | days | proven | avg gap % | worst gap % | local search alone avg / worst % "
        "(no order found) "
        "| saved vs booked % | mean s | max s |"
    )
    print(header)
    print("|" + " --- |" * 9)
    for row in rows:
        print(
            f"| {row['visits']} | {row['days']} | {row['proven']} | {row['avg_gap_pct']:.2f} "
            f"| {row['worst_gap_pct']:.2f} | {row['local_avg_gap_pct']:.2f} / "
            f"{row['local_worst_gap_pct']:.2f} ({row['local_no_order']}) "
            f"| {row['saved_vs_booked_pct']:.1f} "
            f"| {row['mean_s']:.3f} | {row['max_s']:.3f} |"
        )
    print(
        f"\n3 washers x 12 visits, {args.big_days} days: plan_day mean "
        f"{statistics.fmean(big_times):.3f} s, worst {max(big_times):.3f} s; saved vs booked "
        f"{statistics.fmean(big_saved):.1f} %; {big_moves} move suggestions"
    )
    summary = {
        "avg_gap_pct": statistics.fmean(gaps_all),
        "worst_gap_pct": max(gaps_all),
        "avg_gap_pct_up_to_12": statistics.fmean(gaps_small) if gaps_small else None,
        "worst_gap_pct_up_to_12": max(gaps_small) if gaps_small else None,
        "saved_vs_booked_pct": _pct(booked_total - driving_total, booked_total),
        "seconds": max(big_times),
        "seconds_mean_36_visits": statistics.fmean(big_times),
        "rows": rows,
    }
    if args.json:
        print(json.dumps(summary))
    return 0
