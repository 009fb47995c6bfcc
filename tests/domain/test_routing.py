"""The day's route against brute force: every order of a small day is tried."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.routing.model import Visit, Worker
from hub.domain.routing.solver import plan_day, plan_route, route_driving


def _brute_force(base: int | None, visits: list[Visit], travel: list[list[float]]) -> float | None:
    best: float | None = None
    for order in itertools.permutations(visits):
        cost = route_driving(base, order, travel)
        if cost is not None and (best is None or cost < best):
            best = cost
    return best


@st.composite
def days(draw: st.DrawFn) -> tuple[Worker, list[list[float]]]:
    n = draw(st.integers(1, 7))
    coords = draw(
        st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=n + 1, max_size=n + 1)
    )
    travel = [
        [0.0 if a == b else 5 + abs(a[0] - b[0]) + abs(a[1] - b[1]) for b in coords] for a in coords
    ]
    visits = []
    clock = 0
    for index in range(n):
        clock += draw(st.integers(0, 6)) * 15
        window = draw(st.sampled_from((0, 0, 120, 60)))
        visits.append(Visit(f"v{index}", index + 1, clock, clock + window, 45, clock))
        clock += 45
    return Worker("w", 0, tuple(draw(st.permutations(visits)))), travel


@settings(max_examples=150, deadline=None)
@given(days())
def test_route_is_as_short_as_the_best_order_and_keeps_every_window(
    day: tuple[Worker, list[list[float]]],
) -> None:
    worker, travel = day
    route = plan_route(worker, travel)
    best = _brute_force(worker.base, list(worker.visits), travel)
    if best is None:
        assert not route.feasible
        return
    assert route.feasible and route.proven_optimal
    assert abs(route.driving - best) < 1e-6
    assert route_driving(worker.base, route.visits, travel) == route.driving
    for visit, start in zip(route.visits, route.starts, strict=True):
        assert visit.earliest <= start <= visit.latest
    if route.booked_feasible:
        assert route.driving <= route.booked_driving + 1e-9


@settings(max_examples=60, deadline=None)
@given(days())
def test_local_search_alone_keeps_windows(day: tuple[Worker, list[list[float]]]) -> None:
    worker, travel = day
    route = plan_route(worker, travel, exact_up_to=0)
    best = _brute_force(worker.base, list(worker.visits), travel)
    assert route.feasible == (best is not None)
    assert not route.proven_optimal
    if best is not None:
        assert route_driving(worker.base, route.visits, travel) == route.driving >= best - 1e-9


def test_zigzag_booked_order_is_untangled() -> None:
    # No base; visits on a line at 10, 30, 20 booked in that order with 2-hour windows.
    positions = [0, 10, 30, 20]
    travel = [[float(abs(a - b)) for b in positions] for a in positions]
    visits = tuple(Visit(f"v{i}", i, 60.0 * i, 60.0 * i + 120, 30, 60.0 * i) for i in (1, 2, 3))
    route = plan_route(Worker("ana", None, visits), travel)
    assert [v.key for v in route.visits] == ["v1", "v3", "v2"]
    assert (route.booked_driving, route.driving, route.saved) == (30, 20, 10)
    exact = tuple(Visit(v.key, v.point, v.booked, v.booked, 30, v.booked) for v in visits)
    kept = plan_route(Worker("ana", None, exact), travel)
    assert [v.key for v in kept.visits] == ["v1", "v2", "v3"]


def test_a_visit_next_to_another_washers_base_is_suggested_to_them() -> None:
    # Points: 0 = Ana's base, 1 = Beto's base, 2..4 visits; visit 4 sits on Beto's base.
    positions = [0, 100, 5, 10, 100]
    travel = [[float(abs(a - b)) for b in positions] for a in positions]
    ana = Worker(
        "ana",
        0,
        (
            Visit("a1", 2, 0, 120, 30, 0),
            Visit("a2", 3, 60, 180, 30, 60),
            Visit("far", 4, 300, 420, 30, 300),
        ),
    )
    beto = Worker("beto", 1, ())
    plan = plan_day([ana, beto], travel)
    assert [(s.visit.key, s.from_worker, s.to_worker) for s in plan.suggestions] == [
        ("far", "ana", "beto")
    ]
    assert plan.suggestions[0].saves == 200 - 20  # Ana drives 0-5-10-0 instead of 0-5-10-100-0
    none_allowed = plan_day([ana, beto], travel, allowed={"far": frozenset({"ana"})})
    assert none_allowed.suggestions == ()
