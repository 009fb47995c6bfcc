"""``turnero export-ics`` and ``import-ics``: a business's agenda to and from iCalendar
files. Not here: running the hub (``server``), setup (``accounts``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from hub.cli.common import CLI, CommandError, Subcommands, find_business, find_resource, open_hub
from hub.config import Settings


def cmd_export_ics(settings: Settings, args: argparse.Namespace, out: TextIO) -> None:
    from hub.calendar_io import export_agenda

    hub = open_hub(settings)
    try:
        business = find_business(hub, args.business)
        resource = find_resource(hub, business, args.resource) if args.resource else None
        now = hub.now()
        data = export_agenda(
            hub.uow(),
            business,
            resource,
            start=now - timedelta(days=args.days_back),
            end=now + business.policy.horizon,
            now=now,
        )
    finally:
        hub.close()
    out.write(data.decode())
    out.flush()


def cmd_import_ics(settings: Settings, args: argparse.Namespace, out: TextIO) -> None:
    from hub.calendar_io import IMPORT_LIMITS, import_agenda

    path = Path(args.file)
    try:
        with path.open("rb") as file:
            # One byte past the limit is enough for the parser to refuse the file.
            data = file.read(IMPORT_LIMITS.octets + 1)
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
    hub = open_hub(settings)
    try:
        business = find_business(hub, args.business)
        resource = find_resource(hub, business, args.resource)
        count = import_agenda(
            hub.uow(),
            business,
            resource,
            data,
            by=CLI,
            now=hub.now(),
            progress=_progress_bar(sys.stderr),
        )
    finally:
        hub.close()
    print(f"imported {count} blocks into {resource.name}", file=out)


def _progress_bar(stream: TextIO) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        if total < 50:
            return
        width = 30
        filled = width * done // total
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show


def add_commands(commands: Subcommands) -> None:
    export = commands.add_parser("export-ics", help="write a business's agenda as iCalendar")
    export.add_argument("--business", required=True)
    export.add_argument("--resource", default=None, help="only this resource (name or id)")
    export.add_argument(
        "--days-back", type=int, default=30, help="include bookings up to N days ago"
    )
    export.set_defaults(run=cmd_export_ics)

    imp = commands.add_parser("import-ics", help="import an agenda file as blocks")
    imp.add_argument("--business", required=True)
    imp.add_argument("--resource", required=True, help="resource (name or id)")
    imp.add_argument("file", help="an .ics file")
    imp.set_defaults(run=cmd_import_ics)
