"""Zones, booking coordinates, coverage mode, travel settings and worker bases are stored and
read back the same on SQLite and PostgreSQL, each zone scoped by business."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hub.domain.booking import Booking, BookingStatus
from hub.domain.geo import CoverageMode, GeoPoint, TravelModel, Zone
from hub.domain.model import Branch, Business, Customer, Resource, Service
from hub.persistence.uow import SqlDatabase

T0 = datetime(2030, 3, 5, 13, 0, tzinfo=UTC)
PALERMO = GeoPoint(-34.5889, -58.4306)


def test_geo_fields_round_trip(db: SqlDatabase) -> None:
    business = Business(slug="geo", name="Geo", travel=TravelModel(1.3, 30.0, 7.5))
    other = Business(slug="other", name="Other")
    branch = Branch(
        business.id, "Base", lat=-34.6, lng=-58.38, coverage_km=8, coverage_mode=CoverageMode.FLAG
    )
    washer = Resource(business.id, "Ana", base=GeoPoint(-34.61, -58.42))
    service = Service(business.id, "Wash", 60, at_client_address=True)
    customer = Customer(business.id, "Juan")
    circle = Zone(business.id, "Palermo", centre=PALERMO, radius_km=2.5, branch_id=branch.id)
    shape = Zone(
        business.id,
        "Triangle",
        polygon=(GeoPoint(-34.5, -58.5), GeoPoint(-34.6, -58.5), GeoPoint(-34.6, -58.4)),
    )
    booking = Booking(
        business.id, service.id, washer.id, customer.id, T0, T0 + timedelta(hours=1),
        BookingStatus.CONFIRMED, T0, address="Gorriti 4800", location=PALERMO,
        zone_id=circle.id, needs_review=True,
    )  # fmt: skip
    with db.unit_of_work() as uow:
        uow.businesses.add(business)
        uow.businesses.add(other)
        uow.branches.add(branch)
        uow.resources.add(washer)
        uow.services.add(service)
        uow.customers.add(customer)
        uow.zones.add(circle)
        uow.zones.add(shape)
        uow.bookings.add(booking)
        uow.commit()
    with db.unit_of_work() as uow:
        assert uow.businesses.get(business.id).travel == TravelModel(1.3, 30.0, 7.5)  # type: ignore[union-attr]
        assert uow.businesses.get(other.id).travel == TravelModel()  # type: ignore[union-attr]
        got_branch = uow.branches.get(business.id, branch.id)
        assert got_branch is not None and got_branch.coverage_mode is CoverageMode.FLAG
        assert got_branch.base == GeoPoint(-34.6, -58.38)
        assert uow.resources.get(business.id, washer.id).base == washer.base  # type: ignore[union-attr]
        assert [z.name for z in uow.zones.list(business.id)] == ["Palermo", "Triangle"]
        assert uow.zones.get(business.id, shape.id) == shape
        assert uow.zones.list(other.id) == []
        assert uow.zones.get(other.id, circle.id) is None
        got = uow.bookings.get(business.id, booking.id)
        assert got is not None
        assert (got.location, got.zone_id, got.needs_review) == (PALERMO, circle.id, True)
        uow.zones.update(replace(circle, active=False, radius_km=3.0))
        uow.commit()
    with db.unit_of_work() as uow:
        changed = uow.zones.get(business.id, circle.id)
        assert changed is not None and not changed.active and changed.radius_km == 3.0
        assert changed.version == 2
