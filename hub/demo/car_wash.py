"""The demo car wash, ``lavadero-demo``: an at-home car wash in Buenos Aires (Spanish, ARS,
confirmation required, one day's notice), with its barrios, two washers, services, a
holiday, a block, and bookings on the coming days. Its day today is ``car_wash_today``."""

from __future__ import annotations

from datetime import datetime, timedelta

from hub.bootstrap import Hub
from hub.demo.car_wash_today import seed_living_day
from hub.demo.common import (
    CLIENT,
    SEEDER,
    DemoReport,
    add_staff,
    at,
    core_at,
    next_weekday,
    weekly,
)
from hub.demo.places import BARRIOS, PLACES
from hub.domain.accounts import Role
from hub.domain.geo import GeoPoint, Zone
from hub.domain.model import (
    Branch,
    Business,
    DateException,
    Resource,
    ResourceGroup,
    Service,
)
from hub.domain.policies import BookingPolicy
from hub.services import accounts, resource_setup, setup, zones
from hub.services.blocks import NewBlock, create_block
from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails


def seed_car_wash(hub: Hub, now: datetime, report: DemoReport) -> None:
    business = Business(
        slug="lavadero-demo",
        name="Lavadero a Domicilio Demo",
        timezone="America/Argentina/Buenos_Aires",
        currency="ARS",
        language="es",
        country="AR",
        whatsapp_contact="+5491155550000",
        policy=BookingPolicy(
            min_notice_minutes=24 * 60,
            horizon_days=60,
            requires_confirmation=True,
            hold_minutes=12 * 60,
            client_cancel_until_hours=2,
            client_reschedule_until_hours=2,
            max_reschedules=1,
        ),
        settings={"survey_url": "https://example.com/encuesta"},
    )
    tz = business.tz
    mon_sat = range(6)
    hours = weekly(mon_sat, 9, 18)
    setup.create_business(hub.uow(), business, by=SEEDER, now=now)
    branch = Branch(
        business.id,
        "Base Palermo",
        address="Av. Santa Fe 3500, CABA",
        lat=-34.5889,
        lng=-58.4116,
        coverage_km=10,
        hours=hours,
    )
    setup.save_branch(hub.uow(), branch, by=SEEDER, now=now)
    for name, lat, lng, radius in BARRIOS:
        zone = Zone(business.id, name, centre=GeoPoint(lat, lng), radius_km=radius)
        zones.save_zone(hub.uow(), zone, by=SEEDER, now=now)
    juan = Resource(
        business.id,
        "Juan (lavador)",
        branch_ids=(branch.id,),
        weekly=hours,
        base=GeoPoint(-34.5990, -58.4420),  # starts from home, in Villa Crespo
    )
    pedro = Resource(
        business.id,
        "Pedro (lavador)",
        branch_ids=(branch.id,),
        weekly=hours,
        color="#e67e22",
        base=GeoPoint(-34.6100, -58.4230),  # from home, in Almagro
    )
    for resource in (juan, pedro):
        resource_setup.save_resource(hub.uow(), resource, by=SEEDER, now=now)
    washers = ResourceGroup(business.id, "lavadores", (juan.id, pedro.id))
    resource_setup.save_group(hub.uow(), washers, by=SEEDER, now=now)
    full = Service(
        business.id,
        "Lavado completo",
        60,
        price_minor=500_000,
        at_client_address=True,
        group_ids=(washers.id,),
        description="Interior y exterior, en tu domicilio.",
    )
    outside = Service(
        business.id,
        "Lavado exterior",
        30,
        price_minor=300_000,
        at_client_address=True,
        group_ids=(washers.id,),
        description="Carrocería, vidrios y llantas.",
    )
    for service in (full, outside):
        setup.save_service(hub.uow(), service, by=SEEDER, now=now)

    today = now.astimezone(tz).date()
    holiday = next_weekday(today + timedelta(days=9), mon_sat)
    for resource in (juan, pedro):
        resource_setup.add_exception(
            hub.uow(),
            business.id,
            resource.id,
            DateException(holiday, holiday, reason="Feriado"),
            by=SEEDER,
            now=now,
        )
    block_day = next_weekday(today + timedelta(days=3), mon_sat)
    create_block(
        hub.uow(),
        NewBlock(
            business.id,
            at(block_day, 14, 0, tz),
            at(block_day, 16, 0, tz),
            resource_id=pedro.id,
            reason="Service de la camioneta",
        ),
        by=SEEDER,
        now=now,
    )
    tomorrow = next_weekday(today + timedelta(days=1), mon_sat)
    later = next_weekday(today + timedelta(days=3), mon_sat)  # beyond the day of notice
    booked = []
    clients = [
        # (name, phone, address, service, resource, day, hour, booked by)
        ("Juan Pérez", "+54 11 1234-5678", "Av. Rivadavia 5200, CABA", full, juan, tomorrow, 10),
        ("José Gómez", "+54 9 11 5555-1234", "Gorriti 4800, CABA", full, juan, later, 9),
        ("María López", "+54 11 4321-8765", "Cabildo 2200, CABA", outside, pedro, later, 11),
        ("Lucía Fernández", "+54 11 6666-7777", "Corrientes 5100, CABA", full, pedro, later, 16),
    ]
    for index, (name, phone, address, service, resource, day, hour) in enumerate(clients):
        by_client = index >= 2  # from the booking page: pending until the business confirms
        booked.append(
            core_at(hub, now).create_booking(
                NewBooking(
                    business.id,
                    service.id,
                    at(day, hour, 0, tz),
                    customer=CustomerDetails(name, phone=phone, address=address),
                    resource_id=resource.id,
                    address=address,
                    location=PLACES[address],
                    force=not by_client,
                ),
                by=CLIENT if by_client else SEEDER,
            )
        )
    core_at(hub, now).cancel_booking(business.id, booked[3].id, by=CLIENT, reason="Viajo")
    seed_living_day(
        hub, business.id, washers=(juan, pedro), services=(full, outside), now=now, tz=tz
    )
    add_staff(hub, business, now, [("admin@lavadero.demo", Role.BUSINESS_ADMIN, ())])
    add_staff(hub, business, now, [("juan@lavadero.demo", Role.EMPLOYEE, (juan.id,))])
    _, raw = accounts.create_api_key(hub.accounts_uow(), business.id, "demo CRM", now)
    report.api_keys[business.slug] = raw


# Today on the washers' hours, whatever the time the demo is seeded: (minutes after opening,
# client, phone, washer index, service index, cancelled on WhatsApp the evening before).
