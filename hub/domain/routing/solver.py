"""What callers of the day's route use: the best route of one worker (``plan_route``), of a
whole day with the moves between workers worth making (``plan_day``, ``suggest_moves``), and
the driving of a given order (``route_driving``)."""

from __future__ import annotations

from collections.abc import Sequence

from hub.domain.routing.exact import exact_order
from hub.domain.routing.local_search import booked_order, heuristic_order
from hub.domain.routing.matrix import VisitMatrix
from hub.domain.routing.model import (
    DEFAULT_MAX_LABELS,
    EPSILON,
    DayPlan,
    Matrix,
    MoveSuggestion,
    Route,
    Visit,
    Worker,
)


def plan_route(
    worker: Worker,
    travel: Matrix,
    *,
    exact_up_to: int = 20,
    max_labels: int = DEFAULT_MAX_LABELS,
) -> Route:
    """The order of ``worker``'s visits that drives least with every start inside its window.

    Exact (``proven_optimal``) when the day has at most ``exact_up_to`` visits and the search
    stays within ``max_labels`` labels; otherwise the best order local search finds. When no
    order keeps every window (the booked times themselves cannot be driven), the booked order
    is returned with ``feasible`` false.
    """
    local = VisitMatrix(worker.base, worker.visits, travel)
    booked = booked_order(local)
    booked_driving = local.driving(booked)
    booked_feasible = local.evaluate(booked) is not None
    if local.n == 0:
        return Route(worker.key, (), (), 0.0, 0.0, True, True)
    found = heuristic_order(local)
    proven = False
    if local.n <= exact_up_to:
        order, value, complete = exact_order(local, found[1] if found else None, max_labels)
        if order is not None and value is not None:
            found = (order, value)
        proven = complete
    if found is None:
        return Route(
            worker.key,
            tuple(local.visits[i - 1] for i in booked),
            local.starts(booked),
            booked_driving,
            booked_driving,
            proven,
            False,
            booked_feasible,
        )
    order, value = found
    return Route(
        worker.key,
        tuple(local.visits[i - 1] for i in order),
        local.starts(order),
        value,
        booked_driving,
        proven,
        True,
        booked_feasible,
    )


def route_driving(base: int | None, visits: Sequence[Visit], travel: Matrix) -> float | None:
    """Driving minutes of ``visits`` in the given order, or ``None`` when a window is missed."""
    local = VisitMatrix(base, visits, travel)
    return local.evaluate(range(1, local.n + 1))


def _best_insertion(
    base: int | None, visits: Sequence[Visit], extra: Visit, travel: Matrix
) -> tuple[float, int] | None:
    best: tuple[float, int] | None = None
    for position in range(len(visits) + 1):
        trial = [*visits[:position], extra, *visits[position:]]
        cost = route_driving(base, trial, travel)
        if cost is not None and (best is None or cost < best[0] - EPSILON):
            best = (cost, position)
    return best


def suggest_moves(
    workers: Sequence[Worker],
    routes: Sequence[Route],
    travel: Matrix,
    *,
    allowed: dict[str, frozenset[str]] | None = None,
    min_saving: float = 1.0,
) -> tuple[MoveSuggestion, ...]:
    """Visits worth giving to another worker, best first, at most one per pair of workers.

    ``allowed`` maps a visit key to the workers who may take it (all, when absent). Each
    suggestion leaves both routes feasible as they stand (the visit goes to its cheapest
    position in the other worker's suggested order); suggestions never touch the same worker
    twice, so they can all be taken together.
    """
    bases = {worker.key: worker.base for worker in workers}
    by_worker = {route.worker: route for route in routes}
    candidates: list[MoveSuggestion] = []
    for route in routes:
        # From a day that cannot be driven on time, a move counts when it makes it drivable.
        for index, visit in enumerate(route.visits):
            remaining = [*route.visits[:index], *route.visits[index + 1 :]]
            without = route_driving(bases[route.worker], remaining, travel)
            if without is None:
                continue
            gain = route.driving - without
            for other in routes:
                if other.worker == route.worker or not other.feasible:
                    continue
                if allowed is not None and other.worker not in allowed.get(visit.key, frozenset()):
                    continue
                if gain - min_saving <= 0:
                    continue
                inserted = _best_insertion(bases[other.worker], other.visits, visit, travel)
                if inserted is None:
                    continue
                saves = gain - (inserted[0] - by_worker[other.worker].driving)
                if saves >= min_saving - EPSILON:
                    candidates.append(
                        MoveSuggestion(visit, route.worker, other.worker, saves, inserted[1])
                    )
    candidates.sort(key=lambda s: (-s.saves, s.visit.key, s.to_worker))
    chosen: list[MoveSuggestion] = []
    touched: set[str] = set()
    for suggestion in candidates:
        if suggestion.from_worker in touched or suggestion.to_worker in touched:
            continue
        chosen.append(suggestion)
        touched.update((suggestion.from_worker, suggestion.to_worker))
    return tuple(chosen)


def plan_day(
    workers: Sequence[Worker],
    travel: Matrix,
    *,
    allowed: dict[str, frozenset[str]] | None = None,
    exact_up_to: int = 20,
    max_labels: int = DEFAULT_MAX_LABELS,
) -> DayPlan:
    """Each worker's best route, and the moves between workers that would save driving."""
    routes = tuple(
        plan_route(worker, travel, exact_up_to=exact_up_to, max_labels=max_labels)
        for worker in workers
    )
    return DayPlan(routes, suggest_moves(workers, routes, travel, allowed=allowed))
