"""A car wash whose only free washer has a visit far away: Juan washes a car in Tigre from
10:00 to 11:00 the day after tomorrow, María is off that day, and the page offers half-hour
times. From Tigre, Palermo is about 23 km (over 80 minutes' drive with the default model), so
11:30 and 12:00 are reachable in Tigre but not in Palermo, and 12:30 is reachable in both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

from hub.bootstrap import Hub
from hub.domain.booking import Booking
from hub.domain.geo import GeoPoint, Zone
from hub.domain.policies import BookingPolicy
from hub.services.blocks import NewBlock, create_block
from hub.services.booking_create import CustomerDetails, NewBooking, create_booking
from hub.services.zones import save_zone
from tests.pages.shop import SETUP, Shop, create_shop

ZONES = (
    ("Palermo", -34.5889, -58.4306),
    ("Belgrano", -34.5627, -58.4563),
    ("Tigre", -34.4260, -58.5796),
)


@dataclass(frozen=True, slots=True)
class FarVisit:
    shop: Shop
    palermo: Zone
    belgrano: Zone
    tigre: Zone
    visit: Booking  # Juan, Tigre, 10:00-11:00


def far_visit(
    hub: Hub, *, language: str = "es", staff: bool = False, employee: bool = False
) -> FarVisit:
    shop = create_shop(
        hub,
        language=language,
        policy=BookingPolicy(slot_step_minutes=30, client_cancel_until_hours=2),
        staff=staff,
        employee=employee,
    )
    palermo, belgrano, tigre = (
        save_zone(
            hub.uow(),
            Zone(shop.business.id, name, centre=GeoPoint(lat, lng), radius_km=3),
            by=SETUP,
            now=hub.now(),
        )
        for name, lat, lng in ZONES
    )
    day = shop.at(0)
    create_block(
        hub.uow(),
        NewBlock(
            shop.business.id,
            day,
            day + timedelta(days=1),
            resource_id=shop.washers[1].id,
            reason="Franco",
        ),
        by=SETUP,
        now=hub.now(),
    )
    visit = create_booking(
        hub.uow(),
        NewBooking(
            shop.business.id,
            shop.full_wash.id,
            shop.at(10),
            customer=CustomerDetails("Beto Gómez", "+54 9 11 2345-6100"),
            resource_id=shop.washers[0].id,
            address="Av. Cazón 1000, Tigre",
            zone_id=tigre.id,
        ),
        by=SETUP,
        now=hub.now(),
    )
    assert visit.start.astimezone(shop.business.tz).time() == time(10)
    return FarVisit(shop, palermo, belgrano, tigre, visit)
