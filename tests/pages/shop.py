"""A car wash that comes to your door, made through the real setup and accounts use cases:
the business the page tests book with (Spanish, Buenos Aires, pesos)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.bootstrap import Hub
from hub.domain.accounts import Role, User
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.model import Branch, Business, Resource, ResourceGroup, Service, WeeklyInterval
from hub.domain.policies import BookingPolicy
from hub.services import accounts, resource_setup, setup

SETUP = ChangedBy(Actor.OPERATOR, Channel.CLI)
OPEN_HOURS = tuple(WeeklyInterval(day, time(9), time(18)) for day in range(7))
PASSWORD = "demo1234"


@dataclass
class Shop:
    hub: Hub
    business: Business
    branch: Branch
    washers: tuple[Resource, Resource]
    group: ResourceGroup
    full_wash: Service  # 60 minutes at the client's address
    quick_wash: Service  # 30 minutes
    admin: User | None = None
    employee: User | None = None  # linked to the first washer only

    @property
    def slug(self) -> str:
        return self.business.slug

    def day(self, days_ahead: int = 2) -> date:
        tz = ZoneInfo(self.business.timezone)
        return (self.hub.now().astimezone(tz) + timedelta(days=days_ahead)).date()

    def at(self, hour: int, minute: int = 0, days_ahead: int = 2) -> datetime:
        tz = ZoneInfo(self.business.timezone)
        return datetime.combine(self.day(days_ahead), time(hour, minute), tz)


def create_shop(
    hub: Hub,
    *,
    slug: str | None = None,
    language: str = "es",
    policy: BookingPolicy | None = None,
    whatsapp: str | None = "+54 9 11 5555-0000",
    staff: bool = False,
    employee: bool = False,
) -> Shop:
    now = hub.now()
    slug = slug or f"lavadero-{uuid.uuid4().hex[:6]}"
    business = setup.create_business(
        hub.uow(),
        Business(
            slug=slug,
            name="Lavadero Demo",
            timezone="America/Argentina/Buenos_Aires",
            currency="ARS",
            language=language,
            country="AR",
            policy=policy or BookingPolicy(client_cancel_until_hours=2, max_reschedules=1),
            whatsapp_contact=whatsapp,
        ),
        by=SETUP,
        now=now,
    )
    branch = setup.save_branch(
        hub.uow(),
        Branch(business.id, "Base Palermo", address="Av. Santa Fe 3200, CABA"),
        by=SETUP,
        now=now,
    )
    washers = tuple(
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
        ResourceGroup(business.id, "Lavadores", tuple(r.id for r in washers)),
        by=SETUP,
        now=now,
    )
    full = setup.save_service(
        hub.uow(),
        Service(
            business.id,
            "Lavado completo",
            60,
            price_minor=500000,
            group_ids=(group.id,),
            at_client_address=True,
        ),
        by=SETUP,
        now=now,
    )
    quick = setup.save_service(
        hub.uow(),
        Service(business.id, "Lavado exterior", 30, price_minor=250000, group_ids=(group.id,)),
        by=SETUP,
        now=now,
    )
    shop = Shop(hub, business, branch, (washers[0], washers[1]), group, full, quick)
    if not staff:
        return shop
    shop.admin = accounts.create_user(
        hub.accounts_uow(),
        business_id=business.id,
        email=f"admin@{slug}.test",
        role=Role.BUSINESS_ADMIN,
        now=now,
        password=PASSWORD,
        name="Admin",
    )
    if not employee:
        return shop
    shop.employee = accounts.create_user(
        hub.accounts_uow(),
        business_id=business.id,
        email=f"juan@{slug}.test",
        role=Role.EMPLOYEE,
        now=now,
        password=PASSWORD,
        name="Juan",
        resource_ids=(washers[0].id,),
    )
    return shop
