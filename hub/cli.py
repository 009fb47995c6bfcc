"""The ``turnero`` command: serve the hub, migrate, seed demo data, and the few setup tasks
an operator does from a shell (businesses, staff, API keys, calendar import/export).

Each command parses its arguments, calls use cases, and prints. Errors are one line on
stderr and a non-zero exit code — never a traceback for bad input.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from hub.bootstrap import Hub, build_hub
from hub.config import ConfigurationError, Settings
from hub.domain.accounts import Role
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.errors import DomainError
from hub.domain.model import Business, Resource
from hub.persistence.migrate import migrate
from hub.secret_key import with_secret_key

CLI = ChangedBy(Actor.OPERATOR, Channel.CLI)
EXIT_USAGE = 2
EXIT_FAILED = 1
# Idle keep-alive connections stay open this long (uvicorn's default is 5 s). A client or
# proxy that reuses a connection just as the server closes it gets a reset instead of an
# answer; keeping the server's timeout above the usual proxy idle timeout (60 s) avoids it.
KEEP_ALIVE_SECONDS = 75


class CommandError(Exception):
    """A command could not do what was asked; the message is for the person at the shell."""


def _hub(settings: Settings) -> Hub:
    """A hub on an up-to-date database (a first command on a new machine just works)."""
    settings = with_secret_key(settings)  # refused before the database is touched
    migrate(settings.database_url)
    return build_hub(settings)


def _business(hub: Hub, slug: str) -> Business:
    with hub.uow() as uow:
        business = uow.businesses.get_by_slug(slug)
    if business is None:
        raise CommandError(f"no business with slug {slug!r}")
    return business


def _resource(hub: Hub, business: Business, ref: str) -> Resource:
    """A resource of the business by id or by (case-insensitive) name."""
    with hub.uow() as uow:
        resources = uow.resources.list(business.id)
    for resource in resources:
        if resource.id == ref or resource.name.casefold() == ref.casefold():
            return resource
    names = ", ".join(sorted(r.name for r in resources)) or "none"
    raise CommandError(f"no resource {ref!r} in {business.slug} (resources: {names})")


def cmd_migrate(settings: Settings, _args: argparse.Namespace, out: TextIO) -> None:
    migrate(settings.database_url)
    print("database is up to date", file=out)


def cmd_demo(settings: Settings, _args: argparse.Namespace, out: TextIO) -> None:
    migrate(settings.database_url)
    hub = _hub(settings)
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
    hub = _hub(settings)
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
    import logging

    from hub.wiring import wire
    from scheduler.worker import consumer_for

    settings = with_secret_key(settings)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    migrate(settings.database_url)
    hub = _hub(settings)
    try:
        consumer_for(wire(hub), args.workers).run()
    finally:
        hub.close()


def cmd_queue_status(settings: Settings, _args: argparse.Namespace, out: TextIO) -> None:
    from scheduler.status import queue_status

    migrate(settings.database_url)
    print(queue_status(settings).render(), file=out)


def cmd_business_create(settings: Settings, args: argparse.Namespace, out: TextIO) -> None:
    from hub.services import setup

    business = Business(
        slug=args.slug,
        name=args.name,
        timezone=args.timezone,
        currency=args.currency,
        language=args.language,
        country=args.country,
    )
    hub = _hub(settings)
    try:
        setup.create_business(hub.uow(), business, by=CLI, now=hub.now())
    finally:
        hub.close()
    print(f"created business {business.slug} ({business.id})", file=out)


def cmd_user_create(settings: Settings, args: argparse.Namespace, out: TextIO) -> None:
    from hub.services import accounts

    hub = _hub(settings)
    try:
        business = _business(hub, args.business)
        resource_ids = [_resource(hub, business, ref).id for ref in args.resource or ()]
        role = Role(args.role)
        user = accounts.create_user(
            hub.accounts_uow(),
            business_id=business.id,
            email=args.email,
            role=role,
            password=args.password,
            name=args.name or "",
            resource_ids=resource_ids,
            now=hub.now(),
        )
    finally:
        hub.close()
    print(f"created {user.role.value} {user.email} in {business.slug}", file=out)


def cmd_user_invite(settings: Settings, args: argparse.Namespace, out: TextIO) -> None:
    from booking_pages.console_passwords import mail_link
    from hub.services import password_links

    hub = _hub(settings)
    try:
        business = _business(hub, args.business)
        link = password_links.invite_staff(
            hub.accounts_uow(),
            hub.settings.secret_key,
            business_id=business.id,
            email=args.email,
            role=Role(args.role),
            now=hub.now(),
            name=args.name or "",
        )
        mail_link(hub, link, business)
    finally:
        hub.close()
    print(f"invited {link.user.role.value} {link.user.email} to {business.slug}", file=out)
    print(f"the set-password link was emailed to {link.user.email}", file=sys.stderr)


def cmd_platform_admin_create(settings: Settings, args: argparse.Namespace, out: TextIO) -> None:
    from hub.services import accounts

    hub = _hub(settings)
    try:
        user = accounts.create_user(
            hub.accounts_uow(),
            business_id=None,
            email=args.email,
            role=Role.PLATFORM_ADMIN,
            password=args.password,
            name=args.name or "",
            now=hub.now(),
        )
    finally:
        hub.close()
    print(f"created platform admin {user.email}; sign in at {settings.base_url}/console", file=out)


def cmd_user_app_password(settings: Settings, args: argparse.Namespace, out: TextIO) -> None:
    from hub.services import accounts

    hub = _hub(settings)
    try:
        user = accounts.find_user(hub.accounts_uow(), args.email)
        raw = accounts.create_app_password(hub.accounts_uow(), user.id, hub.now(), args.label)
    finally:
        hub.close()
    print(raw, file=out)
    print(
        f"app password for {user.email} (shown once); calendar URL: {settings.base_url}/dav/",
        file=sys.stderr,
    )


def cmd_apikey_create(settings: Settings, args: argparse.Namespace, out: TextIO) -> None:
    from hub.services import accounts

    hub = _hub(settings)
    try:
        business = _business(hub, args.business)
        _, raw = accounts.create_api_key(hub.accounts_uow(), business.id, args.name, hub.now())
    finally:
        hub.close()
    print(raw, file=out)


def cmd_export_ics(settings: Settings, args: argparse.Namespace, out: TextIO) -> None:
    from hub.calendar_io import export_agenda

    hub = _hub(settings)
    try:
        business = _business(hub, args.business)
        resource = _resource(hub, business, args.resource) if args.resource else None
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
    hub = _hub(settings)
    try:
        business = _business(hub, args.business)
        resource = _resource(hub, business, args.resource)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="turnero",
        description="Turnero: appointments hub (booking pages, CalDAV, Google, REST, webhooks).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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

    business = commands.add_parser("business", help="manage businesses")
    business_cmds = business.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = business_cmds.add_parser("create", help="create a business")
    create.add_argument("--slug", required=True, help="lowercase letters, digits, dashes")
    create.add_argument("--name", required=True)
    create.add_argument("--timezone", required=True, help="IANA name, e.g. Europe/Madrid")
    create.add_argument("--currency", required=True, help="ISO 4217 code, e.g. EUR")
    create.add_argument("--language", required=True, help="e.g. es or en")
    create.add_argument("--country", default=None, help="ISO 3166 code for phone numbers")
    create.set_defaults(run=cmd_business_create)

    user = commands.add_parser("user", help="manage staff users")
    user_cmds = user.add_subparsers(dest="action", required=True, metavar="ACTION")
    ucreate = user_cmds.add_parser("create", help="create a staff user")
    ucreate.add_argument("--business", required=True, help="business slug")
    ucreate.add_argument("--email", required=True)
    ucreate.add_argument(
        "--role", required=True, choices=[Role.BUSINESS_ADMIN.value, Role.EMPLOYEE.value]
    )
    ucreate.add_argument(
        "--resource", action="append", help="resource (name or id) the employee is linked to"
    )
    ucreate.add_argument("--password", default=None)
    ucreate.add_argument("--name", default=None)
    ucreate.set_defaults(run=cmd_user_create)
    uinvite = user_cmds.add_parser(
        "invite", help="invite a staff member by email (a link to set their password)"
    )
    uinvite.add_argument("--business", required=True, help="business slug")
    uinvite.add_argument("--email", required=True)
    uinvite.add_argument(
        "--role",
        default=Role.BUSINESS_ADMIN.value,
        choices=[Role.BUSINESS_ADMIN.value, Role.EMPLOYEE.value],
    )
    uinvite.add_argument("--name", default=None)
    uinvite.set_defaults(run=cmd_user_invite)
    app_password = user_cmds.add_parser(
        "app-password", help="create a CalDAV app password (printed once)"
    )
    app_password.add_argument("--email", required=True)
    app_password.add_argument("--label", default="calendar app")
    app_password.set_defaults(run=cmd_user_app_password)

    platform = commands.add_parser("platform-admin", help="manage platform admins")
    platform_cmds = platform.add_subparsers(dest="action", required=True, metavar="ACTION")
    pcreate = platform_cmds.add_parser(
        "create", help="create a platform admin (signs in to /console/platform)"
    )
    pcreate.add_argument("--email", required=True)
    pcreate.add_argument("--password", required=True, help="at least 8 characters")
    pcreate.add_argument("--name", default=None)
    pcreate.set_defaults(run=cmd_platform_admin_create)

    apikey = commands.add_parser("apikey", help="manage API keys")
    apikey_cmds = apikey.add_subparsers(dest="action", required=True, metavar="ACTION")
    kcreate = apikey_cmds.add_parser("create", help="create an API key (printed once)")
    kcreate.add_argument("--business", required=True, help="business slug")
    kcreate.add_argument("--name", default="API key")
    kcreate.set_defaults(run=cmd_apikey_create)

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


if __name__ == "__main__":
    sys.exit(main())
