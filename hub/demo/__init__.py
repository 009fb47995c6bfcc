"""Demo data: two businesses that show what Turnero does, and that tenants are separate.

``lavadero-demo`` is an at-home car wash in Buenos Aires (Spanish, ARS, confirmation
required, one day's notice; ``car_wash``, its day today ``car_wash_today``); ``oficina-demo``
an office with meeting rooms in Madrid (English, EUR, video meetings, no confirmation;
``office``). Seeding is idempotent: a business that exists is left as it is. Bookings are
placed relative to ``now`` so the agenda always has something on it. Every change goes
through the hub's use cases, at the time it happened (``common.core_at``).
"""

from __future__ import annotations

import contextlib
from datetime import datetime

from hub.bootstrap import Hub
from hub.demo.car_wash import seed_car_wash
from hub.demo.common import DEMO_PASSWORD, PLATFORM_ADMIN, DemoCredentials, DemoReport
from hub.demo.office import seed_office
from hub.domain.accounts import Role
from hub.domain.errors import DomainError
from hub.services import accounts


def seed_demo(hub: Hub) -> DemoReport:
    """Create the demo businesses that do not exist yet; report what is there."""
    report = DemoReport()
    now = hub.now()
    for slug, seed in (("lavadero-demo", seed_car_wash), ("oficina-demo", seed_office)):
        with hub.uow() as uow:
            exists = uow.businesses.get_by_slug(slug) is not None
        if exists:
            report.existing.append(slug)
        else:
            seed(hub, now, report)
            report.created.append(slug)
    _platform_admin(hub, now)
    report.users = [
        DemoCredentials("the platform", PLATFORM_ADMIN, DEMO_PASSWORD, "platform_admin"),
        DemoCredentials("lavadero-demo", "admin@lavadero.demo", DEMO_PASSWORD, "business_admin"),
        DemoCredentials("lavadero-demo", "juan@lavadero.demo", DEMO_PASSWORD, "employee"),
        DemoCredentials("oficina-demo", "admin@oficina.demo", DEMO_PASSWORD, "business_admin"),
    ]
    return report


def _platform_admin(hub: Hub, now: datetime) -> None:
    """The demo's platform admin (``/console/platform``: every business, plans, usage)."""
    with contextlib.suppress(DomainError):  # seeded before
        accounts.create_user(
            hub.accounts_uow(),
            business_id=None,
            email=PLATFORM_ADMIN,
            role=Role.PLATFORM_ADMIN,
            password=DEMO_PASSWORD,
            now=now,
        )
