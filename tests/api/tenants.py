"""A ready-to-book business, made through the real setup and accounts use cases."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import httpx

from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.model import (
    Branch,
    Business,
    Resource,
    ResourceGroup,
    Service,
    WeeklyInterval,
)
from hub.domain.policies import BookingPolicy
from hub.services import accounts, resource_setup, setup

if TYPE_CHECKING:
    from tests.api.conftest import LiveHub

SETUP = ChangedBy(Actor.OPERATOR, Channel.CLI)
OPEN_HOURS = tuple(WeeklyInterval(day, time(9), time(18)) for day in range(7))


@dataclass
class Tenant:
    live: LiveHub
    business: Business
    branch: Branch
    resources: tuple[Resource, Resource]
    group: ResourceGroup
    service: Service
    api_key: str

    @property
    def slug(self) -> str:
        return self.business.slug

    def client(self) -> httpx.Client:
        """A client that sends this business's API key."""
        return self.live.client(self.api_key)

    def day(self, days_ahead: int = 3) -> date:
        """A date in the business's timezone ``days_ahead`` from today."""
        return (
            self.live.now().astimezone(ZoneInfo(self.business.timezone))
            + timedelta(days=days_ahead)
        ).date()

    def at(self, hour: int, minute: int = 0, days_ahead: int = 3) -> datetime:
        """A wall-clock time in the business's timezone, aware."""
        return datetime.combine(
            self.day(days_ahead), time(hour, minute), ZoneInfo(self.business.timezone)
        )

    def booking_body(
        self, hour: int = 10, days_ahead: int = 3, **extra: object
    ) -> dict[str, object]:
        body: dict[str, object] = {
            "service": self.service.id,
            "start": self.at(hour, days_ahead=days_ahead).isoformat(),
            "customer": {"name": "Ana Pérez", "phone": "+54 9 11 2345-6789"},
        }
        body.update(extra)
        return body


def create_tenant(live: LiveHub, *, slug: str | None = None, timezone: str) -> Tenant:
    hub = live.hub
    now = hub.now()
    slug = slug or f"biz-{uuid.uuid4().hex[:8]}"
    business = setup.create_business(
        hub.uow(),
        Business(
            slug=slug,
            name=f"Lavadero {slug}",
            timezone=timezone,
            currency="ARS",
            language="es",
            country="AR",
            policy=BookingPolicy(client_cancel_until_hours=2, max_reschedules=2),
        ),
        by=SETUP,
        now=now,
    )
    branch = setup.save_branch(
        hub.uow(), Branch(business.id, "Centro", address="Av. Corrientes 1234"), by=SETUP, now=now
    )
    people = tuple(
        resource_setup.save_resource(
            hub.uow(),
            Resource(business.id, name, branch_ids=(branch.id,), weekly=OPEN_HOURS),
            by=SETUP,
            now=now,
        )
        for name in ("Juan", "María")
    )
    group = resource_setup.save_group(
        hub.uow(),
        ResourceGroup(business.id, "Lavadores", tuple(r.id for r in people)),
        by=SETUP,
        now=now,
    )
    service = setup.save_service(
        hub.uow(),
        Service(business.id, "Lavado completo", 30, price_minor=150000, group_ids=(group.id,)),
        by=SETUP,
        now=now,
    )
    _, raw = accounts.create_api_key(hub.accounts_uow(), business.id, "tests", now)
    return Tenant(live, business, branch, (people[0], people[1]), group, service, raw)
