"""The shared builder of a business with its staff and services, that each area's ``World``
starts from instead of repeating the setup.

``Setup`` goes through the real setup use cases (``hub.services.setup``), as an owner would
from the console. ``persist`` writes the objects straight through one unit of work, for the
tests of the core that must not see the use cases' audit rows. What a ``World`` adds on top
(its consumers, fakes, clients) stays in that area's conftest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from hub.domain.accounts import User
from hub.domain.booking import ChangedBy
from hub.domain.model import Branch, Business, Resource, ResourceGroup, Service, WeeklyInterval
from hub.services import resource_setup, setup
from hub.services.ports import UnitOfWork

TZ = "America/Argentina/Buenos_Aires"
# Open round the clock: every day from 00:00 to the next 00:00.
ALL_DAY = tuple(WeeklyInterval(d, time(0), time(0)) for d in range(7))


def argentine_business(slug: str, name: str, **fields: Any) -> Business:
    """A business in Buenos Aires that charges in pesos and speaks Spanish, unless told."""
    fields.setdefault("timezone", TZ)
    fields.setdefault("currency", "ARS")
    fields.setdefault("language", "es")
    fields.setdefault("country", "AR")
    return Business(slug=slug, name=name, **fields)


def persist(uow: UnitOfWork, *things: Business | Resource | ResourceGroup | Service | User) -> None:
    """Add ``things`` in one unit of work, in the order given (a business before what it owns)."""
    with uow:
        for thing in things:
            if isinstance(thing, Business):
                uow.businesses.add(thing)
            elif isinstance(thing, Resource):
                uow.resources.add(thing)
            elif isinstance(thing, ResourceGroup):
                uow.groups.add(thing)
            elif isinstance(thing, Service):
                uow.services.add(thing)
            else:
                uow.users.add(thing)
        uow.commit()


@dataclass(frozen=True)
class Setup:
    """Sets a business up through the real use cases, each in a unit of work of its own,
    all by ``by`` at ``now``."""

    uow: Callable[[], UnitOfWork]
    by: ChangedBy
    now: datetime

    def business(self, business: Business) -> Business:
        return setup.create_business(self.uow(), business, by=self.by, now=self.now)

    def branch(self, branch: Branch) -> Branch:
        return setup.save_branch(self.uow(), branch, by=self.by, now=self.now)

    def resource(self, resource: Resource) -> Resource:
        return resource_setup.save_resource(self.uow(), resource, by=self.by, now=self.now)

    def group(self, group: ResourceGroup) -> ResourceGroup:
        return resource_setup.save_group(self.uow(), group, by=self.by, now=self.now)

    def service(self, service: Service, **options: Any) -> Service:
        return setup.save_service(self.uow(), service, by=self.by, now=self.now, **options)
