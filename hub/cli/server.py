"""``turnero serve``, ``worker``, ``queue status``, ``migrate`` and ``demo``: running the hub
and its background work, and getting a database ready. Not here: setting a business up
(``accounts``), calendar files (``calendars``)."""

from __future__ import annotations

import argparse
import dataclasses
from datetime import timedelta
from typing import TextIO

from hub.bootstrap import Hub
from hub.cli.common import Subcommands, open_hub
from hub.config import Settings
from hub.persistence.migrate import migrate
from hub.secret_key import with_secret_key

# Idle keep-alive connections stay open this long (uvicorn's default is 5 s). A client or
# proxy that reuses a connection just as the server closes it gets a reset instead of an
# answer; keeping the server's timeout above the usual proxy idle timeout (60 s) avoids it.
KEEP_ALIVE_SECONDS = 75


def cmd_migrate(settings: Settings, _args: argparse.Namespace, out: TextIO) -> None:
    migrate(settings.database_url)
    print("database is up to date", file=out)


def cmd_demo(settings: Settings, _args: argparse.Namespace, out: TextIO) -> None:
    migrate(settings.database_url)
    hub = open_hub(settings)
    try:
        _print_demo(hub, out)
    finally:
        hub.close()


def _print_demo(hub: Hub, out: TextIO) -> None:
    from hub.demo import seed_demo

    report = seed_demo(hub)
    base = hub.settings.base_url
    for slug in report.created:
        print(f"created demo business {slug}", file=out)
    for slug in report.existing:
        print(f"demo business {slug} was already there", file=out)
    print("", file=out)
    today = hub.now().date()
    week = f"from={today.isoformat()}&to={(today + timedelta(days=7)).isoformat()}"
    for slug in ("lavadero-demo", "oficina-demo"):
        print(f"  booking page  {base}/book/{slug}", file=out)
        with hub.uow() as uow:
            business = uow.businesses.get_by_slug(slug)
            services = uow.services.list(business.id) if business is not None else []
        if services:  # a link that answers as it is: the first service, the coming week
            query = f"service={services[0].id}&{week}"
            url = f"{base}/api/v1/public/businesses/{slug}/availability?{query}"
            print(f"  availability  {url}", file=out)
    print(f"  console       {base}/console", file=out)
    print(f"  API docs      {base}/api/docs", file=out)
    print(f"  CalDAV        {base}/dav/", file=out)
    print("", file=out)
    print("  staff logins (console):", file=out)
    for user in report.users:
        print(f"    {user.email:<22} {user.password:<10} {user.role} of {user.business}", file=out)
    for slug, key in report.api_keys.items():
        print(f"  API key for {slug}: {key}  (shown once)", file=out)
    print("", file=out)


def cmd_serve(settings: Settings, args: argparse.Namespace, out: TextIO) -> None:
    import uvicorn

    from hub.app import create_app
    from hub.wiring import wire
    from scheduler.worker import EmbeddedConsumer

    settings = with_secret_key(settings)
    migrate(settings.database_url)
    if settings.base_url == Settings().base_url:  # not configured: links follow --host/--port
        host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host  # noqa: S104
        settings = dataclasses.replace(settings, base_url=f"http://{host}:{args.port}")
    hub = open_hub(settings)
    background = wire(hub)  # first, so that the demo's bookings are dispatched too
    if args.demo:
        _print_demo(hub, out)
    consumer = None if args.no_worker else EmbeddedConsumer(background, background.config.workers)
    app = create_app(hub)
    print(f"Turnero is serving on http://{args.host}:{args.port}", file=out, flush=True)
    try:
        if consumer is not None:
            consumer.start()
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            log_level="info",
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
    finally:
        if consumer is not None:
            consumer.stop()
        hub.close()


def cmd_worker(settings: Settings, args: argparse.Namespace, out: TextIO) -> None:
    from scheduler.__main__ import run_worker

    settings = with_secret_key(settings)
    migrate(settings.database_url)
    run_worker(settings, args.workers)


def cmd_queue_status(settings: Settings, _args: argparse.Namespace, out: TextIO) -> None:
    from scheduler.status import queue_status

    migrate(settings.database_url)
    print(queue_status(settings).render(), file=out)


def add_commands(commands: Subcommands) -> None:
    serve = commands.add_parser("serve", help="run the hub (web app and background worker)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="seed the demo data if absent")
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="do not run background tasks in this process (run `turnero worker` instead)",
    )
    serve.set_defaults(run=cmd_serve)

    worker = commands.add_parser("worker", help="run background tasks (scaled deployments)")
    worker.add_argument("--workers", type=int, default=None, help="worker threads")
    worker.set_defaults(run=cmd_worker)

    queue = commands.add_parser("queue", help="background work")
    queue_cmds = queue.add_subparsers(dest="action", required=True, metavar="ACTION")
    queue_cmds.add_parser(
        "status", help="pending, scheduled, failed, last run of each periodic task"
    ).set_defaults(run=cmd_queue_status)

    commands.add_parser("migrate", help="bring the database schema up to date").set_defaults(
        run=cmd_migrate
    )
    commands.add_parser("demo", help="seed the demo businesses (idempotent)").set_defaults(
        run=cmd_demo
    )
