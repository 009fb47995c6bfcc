"""One worker's visits as a travel matrix (the base as point 0), and what an order of them
costs: the driving, and whether every visit starts inside its window."""

from __future__ import annotations

from collections.abc import Sequence

from hub.domain.routing.model import EPSILON, Matrix, Visit


class VisitMatrix:
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
