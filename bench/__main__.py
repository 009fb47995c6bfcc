"""``python -m bench <name> [args]``: run the benchmark in ``bench/<name>.py``.

Each benchmark module has ``main(argv: list[str]) -> int | None``; this dispatcher only finds
it and passes the remaining arguments on. Benchmarks themselves live in their own modules.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import cast

Entry = Callable[[list[str]], int | None]


def available() -> list[str]:
    folder = str(Path(__file__).parent)
    return sorted(
        info.name
        for info in pkgutil.iter_modules([folder])
        if not info.name.startswith("_") and not info.ispkg
    )


def usage() -> str:
    names = ", ".join(available()) or "(none)"
    return f"usage: python -m bench <name> [args]   (names: {names}; <name> --help for flags)"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help"}:
        print(usage())
        return 0 if args else 2
    name = args[0]
    if not name.isidentifier() or name.startswith("_"):
        print(f"not a benchmark name: {name!r}\n{usage()}", file=sys.stderr)
        return 2
    try:
        module = importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"bench.{name}":
            raise
        print(f"no benchmark called {name!r}\n{usage()}", file=sys.stderr)
        return 2
    entry = getattr(module, "main", None)
    if not callable(entry):
        print(f"bench.{name} has no main(argv)", file=sys.stderr)
        return 2
    result = cast(Entry, entry)(args[1:])
    return 0 if result is None else int(result)


if __name__ == "__main__":
    sys.exit(main())
