"""At-address services offer and accept only times a washer can drive to: from the visit
before (or the base), on to the visit after (and home, if the business asks), with the
business's travel model; the group's member who can get there is the one booked."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hub.domain.errors import SlotTakenError, ValidationError
from hub.domain.geo import GeoPoint, Zone
from hub.domain.model import Business, Service
from hub.services.availability import AvailabilityQuery, find_availability
from hub.services.booking_create import NewBooking, create_booking
from hub.services.booking_moves import reschedule_booking
from hub.services.customers import CustomerDetails
from tests.services.conftest import CLIENT, NOW, OPERATOR, World, local

# With the default model (x1.4 detour, 25 km/h, +5 min): Palermo-Belgrano 18 min,
# Palermo-Quilmes 78 min.
PALERMO = GeoPoint(-34.5880, -58.4300)
BELGRANO = GeoPoint(-34.5620, -58.4560)
QUILMES = GeoPoint(-34.7200, -58.2550)
JUANA = CustomerDetails("Juana", phone="011 15 2345-6789", address="Thames 1500")
TUESDAY = 5


@pytest.fixture
def home(world: World) -> Service:
    """A 60-minute wash at the client's address by the washers, each with a visit booked
    on Tuesday 12-13: Ana in Quilmes, Beto in Belgrano."""
    service = Service(
        world.business.id, "Home wash", 60, at_client_address=True, group_ids=(world.washers.id,)
    )
    with world.uow() as uow:
        uow.services.add(service)
        uow.commit()
    for washer, where in ((world.washer_a, QUILMES), (world.washer_b, BELGRANO)):
        visit = _visit(world, service, 12, resource_id=washer.id, location=where)
        create_booking(world.uow(), visit, by=OPERATOR, now=NOW)
    return service


def _visit(w: World, service: Service, hour: int, **kw: object) -> NewBooking:
    fields: dict[str, object] = {"customer": JUANA}
    fields.update(kw)
    start = local(TUESDAY, hour)
    return NewBooking(w.business.id, service.id, start, **fields)  # type: ignore[arg-type]


def _offer(w: World, service: Service, **kw: object) -> dict[int, tuple[str, ...]]:
    """Tuesday's offered start hours (local) and who can take each."""
    day = local(TUESDAY, 0).date()
    query = AvailabilityQuery(w.business.id, service.id, day, day, **kw)  # type: ignore[arg-type]
    slots = find_availability(w.uow(), query, by=CLIENT, now=NOW)
    return {(s.start - local(TUESDAY, 0)).seconds // 3600: s.resource_ids for s in slots}


def _hours(offer: dict[int, tuple[str, ...]]) -> list[int]:
    return sorted(offer)


def test_times_a_washer_cannot_drive_to_are_not_offered_nor_accepted(
    world: World, home: Service
) -> None:
    w, ana = world, world.washer_a.id
    # Without an address nothing changes: every free hour is offered.
    assert _hours(_offer(w, home, resource_id=ana)) == [9, 10, 11, 13, 14, 15, 16, 17]
    # From Palermo, Ana must leave by 10:42 for her noon visit in Quilmes and is back at
    # 14:18 at the earliest.
    assert _hours(_offer(w, home, resource_id=ana, location=PALERMO)) == [9, 15, 16, 17]
    before = w.count("bookings")
    with pytest.raises(SlotTakenError) as refused:
        create_booking(
            w.uow(), _visit(w, home, 14, resource_id=ana, location=PALERMO), by=CLIENT, now=NOW
        )
    assert refused.value.code == "slot_taken"
    assert refused.value.details["reason"] == "unreachable"
    assert w.count("bookings") == before
    booked = create_booking(
        w.uow(), _visit(w, home, 15, resource_id=ana, location=PALERMO), by=CLIENT, now=NOW
    )
    assert (booked.resource_id, booked.location) == (ana, PALERMO)
    # The new visit is on Ana's route now: a Quilmes client cannot have 16:00 either.
    assert 16 not in _offer(w, home, resource_id=ana, location=QUILMES)


def test_a_group_offers_and_books_the_washer_who_can_get_there(world: World, home: Service) -> None:
    w = world
    ana, beto = w.washer_a.id, w.washer_b.id
    offer = _offer(w, home, group_id=w.washers.id, location=PALERMO)
    assert offer[9] == (ana, beto)
    assert offer[10] == (beto,)  # Belgrano is 18 minutes away, Quilmes 78
    assert 13 not in offer  # neither is in Palermo by 13:00
    assert offer[14] == (beto,)
    booked = create_booking(
        w.uow(), _visit(w, home, 14, group_id=w.washers.id, location=PALERMO), by=CLIENT, now=NOW
    )
    assert booked.resource_id == beto
    with pytest.raises(SlotTakenError) as refused:
        create_booking(
            w.uow(),
            _visit(w, home, 13, group_id=w.washers.id, location=PALERMO),
            by=CLIENT,
            now=NOW,
        )
    assert refused.value.details["reason"] == "unreachable"


def test_a_zone_stands_for_the_address(world: World, home: Service) -> None:
    w = world
    zone = Zone(w.business.id, "Palermo", centre=PALERMO, radius_km=2)
    with w.uow() as uow:
        uow.zones.add(zone)
        uow.commit()
    by_zone = _offer(w, home, group_id=w.washers.id, zone_id=zone.id)
    assert by_zone == _offer(w, home, group_id=w.washers.id, location=PALERMO)
    booked = create_booking(
        w.uow(), _visit(w, home, 10, group_id=w.washers.id, zone_id=zone.id), by=CLIENT, now=NOW
    )
    assert (booked.resource_id, booked.location, booked.zone_id) == (
        w.washer_b.id,
        PALERMO,
        zone.id,
    )
    # Another business's zone, or one no longer served, is no place to ask about.
    other = Business(slug="otro", name="Otro", timezone="America/Argentina/Buenos_Aires")
    theirs = Zone(other.id, "Recoleta", centre=PALERMO, radius_km=2)
    with w.uow() as uow:
        uow.businesses.add(other)
        uow.zones.add(theirs)
        zone.active = False
        uow.zones.update(zone)
        uow.commit()
    for zone_id in (theirs.id, zone.id):
        with pytest.raises(ValidationError) as refused:
            _offer(w, home, group_id=w.washers.id, zone_id=zone_id)
        assert refused.value.field == "zone_id"


def test_washers_start_at_their_base_and_may_have_to_be_back_by_closing(
    world: World, home: Service
) -> None:
    w, ana = world, world.washer_a.id
    with w.uow() as uow:
        uow.resources.update(replace(w.washer_a, base=QUILMES))
        uow.commit()
    wednesday = 6
    day = local(wednesday, 0).date()

    def hours() -> list[int]:
        query = AvailabilityQuery(
            w.business.id, home.id, day, day, resource_id=ana, location=PALERMO
        )
        slots = find_availability(w.uow(), query, by=CLIENT, now=NOW)
        return [(s.start - local(wednesday, 0)).seconds // 3600 for s in slots]

    assert hours() == [11, 12, 13, 14, 15, 16, 17]  # 78 minutes from Quilmes after 9:00
    with w.uow() as uow:
        business = uow.businesses.get(w.business.id)
        assert business is not None
        policy = replace(business.policy, travel_return_to_base=True)
        uow.businesses.update(replace(business, policy=policy))
        uow.commit()
    assert hours() == [11, 12, 13, 14, 15]  # home in Quilmes by 18:00


def test_a_visit_is_rescheduled_only_to_a_time_its_washer_can_reach(
    world: World, home: Service
) -> None:
    w, ana = world, world.washer_a.id
    booked = create_booking(
        w.uow(), _visit(w, home, 16, resource_id=ana, location=PALERMO), by=CLIENT, now=NOW
    )
    with pytest.raises(SlotTakenError) as refused:
        reschedule_booking(
            w.uow(), w.business.id, booked.id, local(TUESDAY, 14), by=CLIENT, now=NOW
        )
    assert refused.value.details["reason"] == "unreachable"
    moved = reschedule_booking(
        w.uow(), w.business.id, booked.id, local(TUESDAY, 15), by=CLIENT, now=NOW
    )
    assert moved.start == local(TUESDAY, 15)
