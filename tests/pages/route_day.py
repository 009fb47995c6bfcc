"""A car wash's day at clients' addresses for the route pages: Juan has three short visits
booked in a zig-zag (near, far, near) and María one next to Juan's far one."""

from __future__ import annotations

from dataclasses import dataclass

from hub.domain.booking import Booking
from hub.domain.geo import GeoPoint
from hub.domain.model import Service
from hub.services import setup
from hub.services.booking_create import CustomerDetails, NewBooking, create_booking
from tests.pages.shop import SETUP, Shop

LAT = -34.60
NEAR, NEXT_DOOR, FAR = -58.41, -58.42, -58.47


@dataclass(frozen=True, slots=True)
class RouteDay:
    ana: Booking  # Juan 09:00, near
    beto: Booking  # Juan 10:00, far
    carla: Booking  # Juan 11:00, near
    dora: Booking  # María 12:00, next to Beto


def route_day(shop: Shop, days_ahead: int = 1) -> RouteDay:
    express = setup.save_service(
        shop.hub.uow(),
        Service(
            shop.business.id,
            "Lavado express a domicilio",
            30,
            price_minor=300000,
            group_ids=(shop.group.id,),
            at_client_address=True,
        ),
        by=SETUP,
        now=shop.hub.now(),
    )

    def book(hour: int, minute: int, washer: int, name: str, lng: float, street: str) -> Booking:
        made = create_booking(
            shop.hub.uow(),
            NewBooking(
                shop.business.id,
                express.id,
                shop.at(hour, minute, days_ahead=days_ahead),
                customer=CustomerDetails(name, f"+54 9 11 2345-6{hour:02d}{minute // 10}"),
                resource_id=shop.washers[washer].id,
                address=street,
                location=GeoPoint(LAT, lng),
            ),
            by=SETUP,
            now=shop.hub.now(),
        )
        assert made.location == GeoPoint(LAT, lng)
        return made

    return RouteDay(
        book(9, 0, 0, "Ana Pérez", NEAR, "Av. Santa Fe 3300"),
        book(10, 0, 0, "Beto Gómez", FAR, "Av. Rivadavia 6000"),
        book(11, 0, 0, "Carla Díaz", NEXT_DOOR, "Charcas 4000"),
        book(12, 0, 1, "Dora Ruiz", FAR, "Av. Rivadavia 6010"),
    )
