"""Asking before any time is shown whether the business goes where the client is: the same
answer booking gives, so a client is never shown times for a visit that would be refused."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hub.domain.errors import OutsideCoverageError
from hub.domain.geo import CoverageMode, GeoPoint, Zone
from hub.domain.model import Branch
from hub.services.booking_create import NewBooking, create_booking
from hub.services.coverage import reaches
from hub.services.customers import CustomerDetails
from hub.services.setup import save_branch, save_service
from hub.services.zones import save_zone
from tests.services.conftest import CLIENT, NOW, OPERATOR, World, local

JUANA = CustomerDetails("Juana", phone="011 15 2345-6789")


def _zones_only(w: World, mode: CoverageMode) -> tuple[Branch, Zone]:
    """A car wash with no base on the map: it goes to its zones, and nowhere else."""
    save_service(w.uow(), replace(w.wash, at_client_address=True), by=OPERATOR, now=NOW)
    branch = save_branch(
        w.uow(), Branch(w.business.id, "Base", coverage_mode=mode), by=OPERATOR, now=NOW
    )
    zone = Zone(w.business.id, "Palermo", centre=GeoPoint(-34.5889, -58.4306), radius_km=2)
    return branch, save_zone(w.uow(), zone, by=OPERATOR, now=NOW)


def test_another_zone_is_not_reached_when_the_branch_refuses(any_world: World) -> None:
    w = any_world
    branch, palermo = _zones_only(w, CoverageMode.REFUSE)

    def asks(**where: object) -> bool:
        return reaches(w.uow(), w.business.id, w.wash.id, branch.id, by=CLIENT, **where)  # type: ignore[arg-type]

    assert asks(zone_id=palermo.id) is True
    assert asks(zone_id=None, elsewhere=True) is False
    # Booking says the same.
    with pytest.raises(OutsideCoverageError):
        create_booking(
            w.uow(),
            NewBooking(
                w.business.id,
                w.wash.id,
                local(5, 10),
                customer=JUANA,
                address="Calle 1",
                elsewhere=True,
            ),
            by=CLIENT,
            now=NOW,
        )


def test_another_zone_is_reached_when_the_branch_flags(any_world: World) -> None:
    w = any_world
    branch, _ = _zones_only(w, CoverageMode.FLAG)
    assert reaches(
        w.uow(), w.business.id, w.wash.id, branch.id, zone_id=None, elsewhere=True, by=CLIENT
    )
