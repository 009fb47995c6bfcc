"""The ``turnero`` command: serve the hub, migrate, seed demo data, and the few setup tasks
an operator does from a shell (businesses, staff, API keys, calendar import/export).

Each command parses its arguments, calls use cases, and prints. Errors are one line on
stderr and a non-zero exit code — never a traceback for bad input. One module per group of
commands: ``server`` (serve, worker, queue, migrate, demo), ``accounts`` (business, user,
platform-admin, apikey), ``calendars`` (export-ics, import-ics); ``common`` is what they share.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from hub.cli import accounts, calendars, server
from hub.cli.common import CommandError
from hub.config import ConfigurationError, Settings
from hub.domain.errors import DomainError

EXIT_USAGE = 2
EXIT_FAILED = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="turnero",
        description="Turnero: appointments hub (booking pages, CalDAV, Google, REST, webhooks).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    server.add_commands(commands)
    accounts.add_commands(commands)
    calendars.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[Settings, argparse.Namespace, TextIO], None] = args.run
    try:
        run(Settings.from_env(), args, out or sys.stdout)
    except ConfigurationError as exc:
        print(f"turnero: error: configuration: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (CommandError, DomainError) as exc:
        message = exc.message if isinstance(exc, DomainError) else str(exc)
        field = getattr(exc, "field", None)
        where = f" ({field})" if field else ""
        print(f"turnero: error: {message}{where}", file=sys.stderr)
        return EXIT_FAILED
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(f"turnero: error: database: {reason}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    return 0
