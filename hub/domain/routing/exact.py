"""The proven-optimal order of a small day: a label-setting dynamic programme over (visited
set, last visit) with Pareto labels (driving, time ready), bounded by a label budget."""

from __future__ import annotations

from hub.domain.routing.matrix import VisitMatrix
from hub.domain.routing.model import EPSILON


def exact_order(
    local: VisitMatrix, bound: float | None, max_labels: int
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
