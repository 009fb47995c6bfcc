"""What every ``turnero`` command shares: the hub on an up-to-date database, looking up a
business by slug and a resource by name, the one error a command raises for the person at
the shell, and who the CLI acts as."""

from __future__ import annotations

import argparse
from typing import TypeAlias

from hub.bootstrap import Hub, build_hub
from hub.config import Settings
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.model import Business, Resource
from hub.persistence.migrate import migrate
from hub.secret_key import with_secret_key

CLI = ChangedBy(Actor.OPERATOR, Channel.CLI)

# What ``add_subparsers`` returns (argparse gives the class no public name).
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


class CommandError(Exception):
    """A command could not do what was asked; the message is for the person at the shell."""


def open_hub(settings: Settings) -> Hub:
    """A hub on an up-to-date database (a first command on a new machine just works)."""
    settings = with_secret_key(settings)  # refused before the database is touched
    migrate(settings.database_url)
    return build_hub(settings)


def find_business(hub: Hub, slug: str) -> Business:
    with hub.uow() as uow:
        business = uow.businesses.get_by_slug(slug)
    if business is None:
        raise CommandError(f"no business with slug {slug!r}")
    return business


def find_resource(hub: Hub, business: Business, ref: str) -> Resource:
    """A resource of the business by id or by (case-insensitive) name."""
    with hub.uow() as uow:
        resources = uow.resources.list(business.id)
    for resource in resources:
        if resource.id == ref or resource.name.casefold() == ref.casefold():
            return resource
    names = ", ".join(sorted(r.name for r in resources)) or "none"
    raise CommandError(f"no resource {ref!r} in {business.slug} (resources: {names})")
