"""Good orders found fast: starting orders (booked, by window, cheapest insertion, repaired)
improved by local search (or-opt and 2-opt) to a local optimum. No proof of optimality."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hub.domain.routing.matrix import VisitMatrix
from hub.domain.routing.model import EPSILON


def _lateness(local: VisitMatrix, order: Sequence[int]) -> tuple[float, float]:
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


def _repair(local: VisitMatrix, order: list[int]) -> list[int] | None:
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


def booked_order(local: VisitMatrix) -> list[int]:
    return sorted(range(1, local.n + 1), key=lambda i: (local.visits[i - 1].booked, i))


def _insertion(local: VisitMatrix, sequence: Iterable[int]) -> list[int] | None:
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


def _improve(local: VisitMatrix, order: list[int], cost: float) -> tuple[list[int], float]:
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


def heuristic_order(local: VisitMatrix) -> tuple[list[int], float] | None:
    nodes = list(range(1, local.n + 1))
    starts: list[list[int]] = []
    booked = booked_order(local)
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
