"""The day's route: the order of one worker's visits that drives least and keeps every booked time.

Each visit has a time window for its start (a single minute when the client was promised an
exact time, a wider span when the business allows an arrival window) and a time on site. A
route is feasible when, leaving each visit as soon as its work is done and driving to the next,
every visit starts inside its window (arriving early means waiting). Driving counts from the
worker's base to the first visit and back from the last, when the worker has a base.

Small days are solved exactly by a label-setting dynamic programme over (visited set, last
visit) with Pareto labels (driving, time ready); larger days, or days whose labels exceed a
budget, by local search (relocating segments of one to three visits, and reversals) from
several starting orders. Moving a visit to another worker is suggested when that saves
driving and fits in the other worker's route.

Pure: times are minutes from an arbitrary origin, travel is a matrix handed in (``travel[a][b]``
minutes from point ``a`` to point ``b``). Where the minutes come from (straight-line estimate,
a routing engine) and which bookings make the day do not belong here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

EPSILON = 1e-9
DEFAULT_MAX_LABELS = 100_000  # about half a second of search in the worst case
Matrix = Sequence[Sequence[float]]


@dataclass(frozen=True, slots=True)
class Visit:
    """One stop: start allowed in ``[earliest, latest]``, ``duration`` minutes on site."""

    key: str
    point: int
    earliest: float
    latest: float
    duration: float
    booked: float

    def __post_init__(self) -> None:
        if self.latest < self.earliest or self.duration < 0:
            raise ValueError("a visit's window must not be empty and its duration not negative")


@dataclass(frozen=True, slots=True)
class Worker:
    """A worker's day: the point of its base (``None``: no base) and its booked visits."""

    key: str
    base: int | None
    visits: tuple[Visit, ...]


@dataclass(frozen=True, slots=True)
class Route:
    worker: str
    visits: tuple[Visit, ...]
    starts: tuple[float, ...]
    driving: float
    booked_driving: float
    proven_optimal: bool
    feasible: bool
    booked_feasible: bool = True

    @property
    def saved(self) -> float:
        return max(0.0, self.booked_driving - self.driving)


@dataclass(frozen=True, slots=True)
class MoveSuggestion:
    """Give ``visit`` to ``to_worker``: driving saved over the day, both routes still feasible."""

    visit: Visit
    from_worker: str
    to_worker: str
    saves: float
    position: int


@dataclass(frozen=True, slots=True)
class DayPlan:
    routes: tuple[Route, ...]
    suggestions: tuple[MoveSuggestion, ...] = field(default=())

    @property
    def driving(self) -> float:
        return sum(route.driving for route in self.routes)

    @property
    def booked_driving(self) -> float:
        return sum(route.booked_driving for route in self.routes)


class _Local:
    """A worker's visits renumbered 1..n with the base as 0 (zero travel when there is none)."""

    __slots__ = ("dist", "duration", "earliest", "latest", "n", "visits")

    def __init__(self, base: int | None, visits: Sequence[Visit], travel: Matrix) -> None:
        self.visits = tuple(visits)
        self.n = len(visits)
        points = [base, *(visit.point for visit in visits)]
        self.dist = [
            [0.0 if a is None or b is None else float(travel[a][b]) for b in points] for a in points
        ]
        self.earliest = [0.0, *(v.earliest for v in visits)]
        self.latest = [0.0, *(v.latest for v in visits)]
        self.duration = [0.0, *(v.duration for v in visits)]

    def evaluate(self, order: Sequence[int]) -> float | None:
        """Driving minutes of ``order`` (local indexes), or ``None`` when a window is missed."""
        dist, earliest, latest, duration = self.dist, self.earliest, self.latest, self.duration
        prev = 0
        ready = float("-inf")
        cost = 0.0
        for node in order:
            leg = dist[prev][node]
            cost += leg
            start = ready + leg
            if start < earliest[node]:
                start = earliest[node]
            elif start > latest[node] + EPSILON:
                return None
            ready = start + duration[node]
            prev = node
        return cost + dist[prev][0]

    def driving(self, order: Sequence[int]) -> float:
        prev, cost = 0, 0.0
        for node in order:
            cost += self.dist[prev][node]
            prev = node
        return cost + self.dist[prev][0]

    def starts(self, order: Sequence[int]) -> tuple[float, ...]:
        prev, ready, out = 0, float("-inf"), []
        for node in order:
            start = max(ready + self.dist[prev][node], self.earliest[node])
            out.append(start)
            ready = start + self.duration[node]
            prev = node
        return tuple(out)


def _lateness(local: _Local, order: Sequence[int]) -> tuple[float, float]:
    """(minutes late summed over visits, driving) when late starts are allowed."""
    dist, earliest, latest, duration = local.dist, local.earliest, local.latest, local.duration
    prev, ready, cost, late = 0, float("-inf"), 0.0, 0.0
    for node in order:
        cost += dist[prev][node]
        start = max(ready + dist[prev][node], earliest[node])
        late += max(0.0, start - latest[node])
        ready = start + duration[node]
        prev = node
    return late, cost + dist[prev][0]


def _repair(local: _Local, order: list[int]) -> list[int] | None:
    """Move single visits to reduce total lateness (then driving) until none is late."""
    best = _lateness(local, order)
    improved = True
    while best[0] > EPSILON and improved:
        improved = False
        for i in range(len(order)):
            rest = order[:i] + order[i + 1 :]
            for j in range(len(rest) + 1):
                if j == i:
                    continue
                candidate = [*rest[:j], order[i], *rest[j:]]
                value = _lateness(local, candidate)
                if value < (best[0] - EPSILON, best[1]):
                    order, best, improved = candidate, value, True
                    break
            if improved:
                break
    return order if best[0] <= EPSILON else None


def _booked_order(local: _Local) -> list[int]:
    return sorted(range(1, local.n + 1), key=lambda i: (local.visits[i - 1].booked, i))


def _insertion(local: _Local, sequence: Iterable[int]) -> list[int] | None:
    """Cheapest feasible insertion of each visit in turn; ``None`` when one does not fit."""
    order: list[int] = []
    for node in sequence:
        best: tuple[float, int] | None = None
        for position in range(len(order) + 1):
            cost = local.evaluate([*order[:position], node, *order[position:]])
            if cost is not None and (best is None or cost < best[0] - EPSILON):
                best = (cost, position)
        if best is None:
            return None
        order.insert(best[1], node)
    return order


def _improve(local: _Local, order: list[int], cost: float) -> tuple[list[int], float]:
    """Local search to a local optimum: or-opt (segments of 1-3 moved, either way round), 2-opt."""
    n = len(order)
    improved = True
    while improved:
        improved = False
        for length in (1, 2, 3):
            for i in range(n - length + 1):
                segment = order[i : i + length]
                rest = order[:i] + order[i + length :]
                for piece in (segment, segment[::-1]) if length > 1 else (segment,):
                    for j in range(len(rest) + 1):
                        if j == i and piece is segment:
                            continue
                        candidate = rest[:j] + piece + rest[j:]
                        value = local.evaluate(candidate)
                        if value is not None and value < cost - EPSILON:
                            order, cost, improved = candidate, value, True
                            break
                    if improved:
                        break
                if improved:
                    break
            if improved:
                break
        if improved:
            continue
        for i in range(n - 1):
            for j in range(i + 2, n + 1):
                candidate = order[:i] + order[i:j][::-1] + order[j:]
                value = local.evaluate(candidate)
                if value is not None and value < cost - EPSILON:
                    order, cost, improved = candidate, value, True
                    break
            if improved:
                break
    return order, cost


def _heuristic(local: _Local) -> tuple[list[int], float] | None:
    nodes = list(range(1, local.n + 1))
    starts: list[list[int]] = []
    booked = _booked_order(local)
    if local.evaluate(booked) is not None:
        starts.append(booked)
    for key in (
        lambda i: (local.earliest[i], local.latest[i], i),
        lambda i: (local.latest[i], local.earliest[i], i),
        lambda i: (local.latest[i] - local.earliest[i], local.earliest[i], i),
    ):
        ordered = sorted(nodes, key=key)
        if local.evaluate(ordered) is not None:
            starts.append(ordered)
        built = _insertion(local, ordered)
        if built is not None:
            starts.append(built)
    if not starts:
        # No simple order keeps every window: repair the tightest-deadline-first order.
        repaired = _repair(local, sorted(nodes, key=lambda i: (local.latest[i], i)))
        if repaired is not None:
            starts.append(repaired)
    best: tuple[list[int], float] | None = None
    seen: set[tuple[int, ...]] = set()
    for first in starts:
        if tuple(first) in seen:
            continue
        seen.add(tuple(first))
        value = local.evaluate(first)
        assert value is not None
        order, value = _improve(local, list(first), value)
        if best is None or value < best[1] - EPSILON:
            best = (order, value)
    return best


def _exact(
    local: _Local, bound: float | None, max_labels: int
) -> tuple[list[int] | None, float | None, bool]:
    """Label-setting DP. Returns (order better than ``bound`` or None, its cost, completed)."""
    n = local.n
    dist, earliest, latest, duration = local.dist, local.earliest, local.latest, local.duration
    full = (1 << n) - 1
    limit = float("inf") if bound is None else bound - EPSILON
    # A label: (driving so far, time ready to leave, last node, parent label).
    Label = tuple[float, float, int, object]
    layer: dict[tuple[int, int], list[Label]] = {}
    for node in range(1, n + 1):
        leg = dist[0][node]
        start = earliest[node]
        layer[(1 << (node - 1), node)] = [(leg, start + duration[node], node, None)]
    created = n
    by_latest = sorted(range(1, n + 1), key=lambda i: latest[i])
    best: tuple[float, Label] | None = None
    for _ in range(n):
        following: dict[tuple[int, int], list[Label]] = {}
        for (mask, last), labels in layer.items():
            if mask == full:
                for label in labels:
                    total = label[0] + dist[last][0]
                    if total < limit and (best is None or total < best[0] - EPSILON):
                        best = (total, label)
                continue
            for label in labels:
                cost, ready = label[0], label[1]
                # A visit still to do whose window closes before we are free can never be made
                # (travel is never negative); the one closing first tells.
                for node in by_latest:
                    if not mask >> (node - 1) & 1:
                        break
                if latest[node] + EPSILON < ready:
                    continue
                row = dist[last]
                for node in range(1, n + 1):
                    bit = 1 << (node - 1)
                    if mask & bit:
                        continue
                    leg = row[node]
                    new_cost = cost + leg
                    if new_cost >= limit:
                        continue
                    start = ready + leg
                    if start < earliest[node]:
                        start = earliest[node]
                    elif start > latest[node] + EPSILON:
                        continue
                    new_ready = start + duration[node]
                    key = (mask | bit, node)
                    bucket = following.get(key)
                    if bucket is None:
                        following[key] = [(new_cost, new_ready, node, label)]
                        created += 1
                        continue
                    dominated = False
                    for other in bucket:
                        if other[0] <= new_cost + EPSILON and other[1] <= new_ready + EPSILON:
                            dominated = True
                            break
                    if dominated:
                        continue
                    bucket[:] = [o for o in bucket if not (new_cost <= o[0] and new_ready <= o[1])]
                    bucket.append((new_cost, new_ready, node, label))
                    created += 1
            if created > max_labels:
                return None, None, False
        layer = following
    for (mask, last), labels in layer.items():
        if mask != full:
            continue
        for label in labels:
            total = label[0] + dist[last][0]
            if total < limit and (best is None or total < best[0] - EPSILON):
                best = (total, label)
    if best is None:
        return None, None, True
    order: list[int] = []
    cursor: object = best[1]
    while cursor is not None:
        assert isinstance(cursor, tuple)
        order.append(cursor[2])
        cursor = cursor[3]
    order.reverse()
    return order, best[0], True


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
    local = _Local(worker.base, worker.visits, travel)
    booked = _booked_order(local)
    booked_driving = local.driving(booked)
    booked_feasible = local.evaluate(booked) is not None
    if local.n == 0:
        return Route(worker.key, (), (), 0.0, 0.0, True, True)
    found = _heuristic(local)
    proven = False
    if local.n <= exact_up_to:
        order, value, complete = _exact(local, found[1] if found else None, max_labels)
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
    local = _Local(base, visits, travel)
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
