"""Adapters read the core's tables only through modules named as read models.

An adapter (``caldav_server``, ``connectors``, ``booking_pages``, ``scheduler``) may take
from ``hub.persistence`` the unit of work, the database handle, and the declarative base and
column types of its own tables. The ORM rows of the core's tables (bookings, customers,
businesses, users…), their converters and repositories are for modules whose name says they
are a read model (``caldav_server.read_model``; in the core, ``hub.services.*_read_model``),
so a reader of the code knows where an adapter looks into the core.

``KNOWN_EXCEPTIONS`` lists the adapters that still read core rows directly; the second test
fails when one no longer does, so the list only shrinks.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ADAPTERS = ("caldav_server", "connectors", "booking_pages", "scheduler")

# Name imported from hub.persistence → allowed everywhere (None: any name of that module).
ALLOWED: dict[str, frozenset[str] | None] = {
    "hub.persistence.uow": None,
    "hub.persistence.database": frozenset({"is_sqlite"}),
    "hub.persistence.models": frozenset({"Base"}),
    "hub.persistence.columns": None,
}

# Adapter modules that still read (or write) core rows themselves, with what they import.
KNOWN_EXCEPTIONS: dict[str, frozenset[str]] = {
    # The console's message log names each message's customer in one query.
    "booking_pages.console_messages": frozenset({"hub.persistence.models.CustomerRow"}),
    # The outbox dispatcher reads and marks outbox rows.
    "scheduler.deliveries": frozenset(
        {"hub.persistence.convert", "hub.persistence.models.OutboxRow"}
    ),
    # Due reminders are joined to their bookings and turned into outbox rows.
    "scheduler.reminders": frozenset(
        {"hub.persistence.models.BookingRow", "hub.persistence.models.OutboxRow"}
    ),
}


def _modules() -> Iterator[tuple[str, Path]]:
    for package in ADAPTERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def _persistence_imports(path: Path) -> set[str]:
    """Every ``hub.persistence`` name the module imports, as ``module.name``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "hub.persistence":
                found.update(f"hub.persistence.{alias.name}" for alias in node.names)
            elif node.module.startswith("hub.persistence."):
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("hub.persistence"))
    return found


def _allowed(name: str) -> bool:
    module, _, attr = name.rpartition(".")
    if module in ALLOWED:
        names = ALLOWED[module]
        return names is None or attr in names
    return name in ALLOWED and ALLOWED[name] is None


def _core_reads() -> dict[str, set[str]]:
    reads: dict[str, set[str]] = {}
    for module, path in _modules():
        if "read_model" in module.rpartition(".")[2]:
            continue
        core = {name for name in _persistence_imports(path) if not _allowed(name)}
        if core:
            reads[module] = core
    return reads


def test_adapters_read_core_tables_only_through_read_models() -> None:
    unexpected = {
        module: sorted(names - KNOWN_EXCEPTIONS.get(module, frozenset()))
        for module, names in _core_reads().items()
        if names - KNOWN_EXCEPTIONS.get(module, frozenset())
    }
    assert unexpected == {}, (
        "these adapter modules import core rows, converters or repositories: move the reads "
        "into a read-model module (caldav_server.read_model, hub.services.*_read_model)"
    )


@pytest.mark.parametrize("module", sorted(KNOWN_EXCEPTIONS))
def test_each_known_exception_is_still_one(module: str) -> None:
    assert _core_reads().get(module, set()) >= KNOWN_EXCEPTIONS[module], (
        f"{module} no longer imports all of what it is excused for: shrink KNOWN_EXCEPTIONS"
    )


def test_the_check_sees_a_core_read() -> None:
    # The CalDAV view's read model is where its reads of bookings are, and the check finds them.
    path = ROOT / "caldav_server" / "read_model.py"
    assert "hub.persistence.models.BookingRow" in _persistence_imports(path)
