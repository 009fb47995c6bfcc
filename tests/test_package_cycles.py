"""No import cycle between the top-level packages: a package can be read, tested and changed
knowing only the ones below it. import-linter (``make layers``) holds the named edges; this
holds every edge, including ones nobody thought to forbid.

The composition root (``hub.app``, ``hub.bootstrap``, ``hub.wiring``, ``hub.cli``,
``hub.demo``, and each package's ``__main__``) imports everything and is counted as a
package of its own; the rest of ``hub`` is the core every adapter stands on. Migrations are
left out: three early ones import ``caldav_server`` and a migration is never edited
(the contract "Migrations import no adapter" keeps new ones clean).
"""

from __future__ import annotations

import itertools

import grimp

PACKAGES = ("hub", "caldav_server", "connectors", "booking_pages", "scheduler")
ROOT = frozenset({"hub.app", "hub.bootstrap", "hub.wiring", "hub.cli", "hub.demo"})
FROZEN = "hub.persistence.migrations"


def _package(module: str) -> str:
    parts = module.split(".")
    if ".".join(parts[:2]) in ROOT or parts[-1] == "__main__":
        return "composition root"
    return parts[0]


def _package_edges() -> dict[tuple[str, str], tuple[str, str]]:
    """(package, package it imports) → one module-level import that makes the edge."""
    graph = grimp.build_graph(*PACKAGES)
    edges: dict[tuple[str, str], tuple[str, str]] = {}
    for module in graph.modules:
        if module.startswith(FROZEN):
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            edge = (_package(module), _package(imported))
            if edge[0] != edge[1]:
                edges.setdefault(edge, (module, imported))
    return edges


def _cycles(edges: dict[tuple[str, str], tuple[str, str]]) -> list[list[str]]:
    """Every package that can reach itself, with the path it takes."""
    following: dict[str, set[str]] = {}
    for source, target in edges:
        following.setdefault(source, set()).add(target)
    found = []
    for start in sorted(following):
        paths = [[start]]
        seen = {start}
        while paths:
            path = paths.pop()
            for step in sorted(following.get(path[-1], ())):
                if step == start:
                    found.append([*path, start])
                elif step not in seen:
                    seen.add(step)
                    paths.append([*path, step])
    return found


def test_no_import_cycle_between_top_level_packages() -> None:
    edges = _package_edges()
    cycles = _cycles(edges)
    shown = [
        " -> ".join(cycle)
        + ": "
        + ", ".join(" imports ".join(edges[(a, b)]) for a, b in itertools.pairwise(cycle))
        for cycle in cycles
    ]
    assert shown == []


def test_the_check_sees_a_cycle() -> None:
    edges = {("scheduler", "connectors"): ("a", "b"), ("connectors", "scheduler"): ("c", "d")}
    assert _cycles(edges) == [
        ["connectors", "scheduler", "connectors"],
        ["scheduler", "connectors", "scheduler"],
    ]
    assert _cycles({("hub", "scheduler"): ("a", "b")}) == []


def test_the_adapters_and_the_core_are_all_seen() -> None:
    # Guards the check itself: a graph built from the wrong place would find no cycle too.
    packages = {name for edge in _package_edges() for name in edge}
    assert packages >= {"composition root", *PACKAGES}
