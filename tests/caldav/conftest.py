"""The whole app (REST API and /dav) under uvicorn on SQLite and PostgreSQL, a business with
two resources, and staff with calendar app passwords — made through the real use cases.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from hub.domain.accounts import Role, User
from hub.domain.booking import Booking
from hub.services import accounts
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from tests.api.conftest import LiveHub, serve_hub
from tests.api.tenants import SETUP, Tenant, create_tenant


@dataclass
class Staff:
    user: User
    password: str


@dataclass
class DavWorld:
    live: LiveHub
    tenant: Tenant
    admin: Staff
    juan: Staff  # an employee linked to the first resource only

    @property
    def dav_url(self) -> str:
        return f"{self.live.base_url}/dav/"

    def calendar_url(self, who: Staff, resource_id: str) -> str:
        return f"{self.dav_url}{who.user.id}/{resource_id}/"

    def staff(self, email: str, role: Role, resource_ids: tuple[str, ...] = ()) -> Staff:
        hub = self.live.hub
        user = accounts.create_user(
            hub.accounts_uow(),
            business_id=self.tenant.business.id,
            email=email,
            role=role,
            now=hub.now(),
            resource_ids=resource_ids,
        )
        raw = accounts.create_app_password(hub.accounts_uow(), user.id, hub.now())
        return Staff(user, raw)

    def book(
        self,
        hour: int,
        *,
        resource: int = 0,
        days_ahead: int = 3,
        name: str = "José Pérez",
        phone: str = "+54 9 11 2345-6789",
    ) -> Booking:
        t = self.tenant
        return create_booking(
            self.live.hub.uow(),
            NewBooking(
                business_id=t.business.id,
                service_id=t.service.id,
                start=t.at(hour, days_ahead=days_ahead),
                resource_id=t.resources[resource].id,
                customer=CustomerDetails(name=name, phone=phone),
                notes="Portón verde",
            ),
            by=SETUP,
            now=self.live.now(),
        )

    def week(self, days_ahead: int = 3) -> tuple[datetime, datetime]:
        start = self.tenant.at(0, days_ahead=days_ahead)
        return start, start + timedelta(days=7)


def make_world(live: LiveHub) -> DavWorld:
    tenant = create_tenant(live, timezone="America/Argentina/Buenos_Aires")
    world = DavWorld(live, tenant, None, None)  # type: ignore[arg-type]
    world.admin = world.staff(f"admin@{tenant.slug}.test", Role.BUSINESS_ADMIN)
    world.juan = world.staff(f"juan@{tenant.slug}.test", Role.EMPLOYEE, (tenant.resources[0].id,))
    return world


@pytest.fixture
def dav(database_url: str) -> Iterator[DavWorld]:
    live, served = serve_hub(database_url)
    try:
        yield make_world(live)
    finally:
        served.stop()
        live.hub.close()


@pytest.fixture
def dav_sqlite(sqlite_url: str) -> Iterator[DavWorld]:
    live, served = serve_hub(sqlite_url)
    try:
        yield make_world(live)
    finally:
        served.stop()
        live.hub.close()
