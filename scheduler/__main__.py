"""``python -m scheduler worker [--workers N]`` and ``python -m scheduler status``: the
background work without the ``turnero`` command (containers, tests). Configuration comes
from the ``TURNERO_*`` environment only."""

from __future__ import annotations

import argparse
import sys

from hub.config import ConfigurationError, Settings
from scheduler.status import queue_status
from scheduler.worker import run_worker


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scheduler")
    commands = parser.add_subparsers(dest="command", required=True)
    worker = commands.add_parser("worker", help="run the background tasks")
    worker.add_argument("--workers", type=int, default=None)
    commands.add_parser("status", help="show the queue and the last periodic runs")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "worker":
            run_worker(settings, args.workers)
        else:
            sys.stdout.write(queue_status(settings).render() + "\n")
    except ConfigurationError as exc:
        print(f"python -m scheduler: error: configuration: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
