"""``turnero business``, ``user``, ``platform-admin`` and ``apikey``: the setup an operator
does from a shell (a business, its staff, API keys). Not here: running the hub
(``server``), calendar files (``calendars``)."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from hub.cli.common import CLI, Subcommands, find_business, find_resource, open_hub
from hub.config import Settings
from hub.domain.accounts import Role
from hub.domain.model import Business


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
    hub = open_hub(settings)
    try:
        setup.create_business(hub.uow(), business, by=CLI, now=hub.now())
    finally:
        hub.close()
    print(f"created business {business.slug} ({business.id})", file=out)


def cmd_user_create(settings: Settings, args: argparse.Namespace, out: TextIO) -> None:
    from hub.services import accounts

    hub = open_hub(settings)
    try:
        business = find_business(hub, args.business)
        resource_ids = [find_resource(hub, business, ref).id for ref in args.resource or ()]
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

    hub = open_hub(settings)
    try:
        business = find_business(hub, args.business)
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

    hub = open_hub(settings)
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

    hub = open_hub(settings)
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

    hub = open_hub(settings)
    try:
        business = find_business(hub, args.business)
        _, raw = accounts.create_api_key(hub.accounts_uow(), business.id, args.name, hub.now())
    finally:
        hub.close()
    print(raw, file=out)


def add_commands(commands: Subcommands) -> None:
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
