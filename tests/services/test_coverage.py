"""Coverage of at-address visits: where the business does not go is refused with nothing
written, or booked and flagged for review; bookings keep their coordinates and zone."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hub.domain.errors import OutsideCoverageError, ValidationError
from hub.domain.geo import CoverageMode, GeoPoint, TravelModel, Zone
from hub.domain.model import Branch
from hub.services.booking_create import NewBooking, create_booking
from hub.services.booking_moves import edit_booking, reschedule_booking
from hub.services.customers import CustomerDetails
from hub.services.setup import save_branch, save_service
from hub.services.zones import archive_zone, save_zone, set_coverage, set_travel
from tests.services.conftest import CLIENT, NOW, OPERATOR, World, local

JUANA = CustomerDetails("Juana", phone="011 15 2345-6789")
BASE = GeoPoint(-34.5889, -58.4116)  # Palermo
BELGRANO = GeoPoint(-34.5627, -58.4563)  # ~5 km from the base
CORDOBA = GeoPoint(-31.4201, -64.1888)  # Av. Colón 500, Córdoba: ~650 km away
TIGRE = GeoPoint(-34.4260, -58.5796)  # ~23 km away


def _at_home(w: World, mode: CoverageMode = CoverageMode.REFUSE) -> tuple[Branch, Zone]:
    save_service(w.uow(), replace(w.wash, at_client_address=True), by=OPERATOR, now=NOW)
    branch = Branch(
        w.business.id, "Base", lat=BASE.lat, lng=BASE.lng, coverage_km=10, coverage_mode=mode
    )
    save_branch(w.uow(), branch, by=OPERATOR, now=NOW)
    tigre = Zone(w.business.id, "Tigre", centre=TIGRE, radius_km=3)
    save_zone(w.uow(), tigre, by=OPERATOR, now=NOW)
    return branch, tigre


def _wash(w: World, hour: int = 10, **kw: object) -> NewBooking:
    fields: dict[str, object] = {"customer": JUANA, "address": "Calle 1"}
    fields.update(kw)
    return NewBooking(w.business.id, w.wash.id, local(5, hour), **fields)  # type: ignore[arg-type]


def test_outside_the_coverage_is_refused_and_nothing_is_written(any_world: World) -> None:
    w = any_world
    _at_home(w)
    before = (w.count("bookings"), w.count("customers"), w.count("outbox_events"))
    with pytest.raises(OutsideCoverageError) as refused:
        create_booking(w.uow(), _wash(w, location=CORDOBA), by=CLIENT, now=NOW)
    assert refused.value.code == "outside_coverage"
    assert (w.count("bookings"), w.count("customers"), w.count("outbox_events")) == before


def test_inside_the_radius_or_a_zone_is_booked_with_coordinates_and_zone(
    any_world: World,
) -> None:
    w = any_world
    _, tigre = _at_home(w)
    near = create_booking(w.uow(), _wash(w, location=BELGRANO), by=CLIENT, now=NOW)
    assert (near.location, near.zone_id, near.needs_review) == (BELGRANO, None, False)
    picked = create_booking(w.uow(), _wash(w, 12, zone_id=tigre.id), by=CLIENT, now=NOW)
    assert (picked.location, picked.zone_id) == (TIGRE, tigre.id)
    with w.uow() as uow:
        stored = uow.bookings.get(w.business.id, picked.id)
    assert stored is not None and (stored.location, stored.zone_id) == (TIGRE, tigre.id)


def test_a_pin_and_a_zone_the_pin_decides_and_the_zone_is_kept_only_if_it_holds_it(
    any_world: World,
) -> None:
    w = any_world
    _, tigre = _at_home(w)
    north = Zone(w.business.id, "Zona Norte", centre=GeoPoint(-34.45, -58.60), radius_km=8)
    save_zone(w.uow(), north, by=OPERATOR, now=NOW)
    in_tigre = GeoPoint(-34.4300, -58.5800)
    # Tigre's centre is nearer, but the client picked Zona Norte, which holds the pin too.
    kept = create_booking(
        w.uow(), _wash(w, 9, location=in_tigre, zone_id=north.id), by=CLIENT, now=NOW
    )
    assert (kept.location, kept.zone_id) == (in_tigre, north.id)
    # Picked Tigre but pinned Belgrano (inside the radius, in no zone): the pin's place counts.
    pinned = create_booking(
        w.uow(), _wash(w, 12, location=BELGRANO, zone_id=tigre.id), by=CLIENT, now=NOW
    )
    assert (pinned.location, pinned.zone_id, pinned.needs_review) == (BELGRANO, None, False)
    # Picked "another area" but pinned inside Tigre: booked in Tigre.
    other = create_booking(
        w.uow(), _wash(w, 15, location=in_tigre, elsewhere=True), by=CLIENT, now=NOW
    )
    assert (other.zone_id, other.needs_review) == (tigre.id, False)
    # A covered zone does not carry a pin that is outside everything.
    before = w.count("bookings")
    with pytest.raises(OutsideCoverageError):
        create_booking(
            w.uow(), _wash(w, 17, location=CORDOBA, zone_id=tigre.id), by=CLIENT, now=NOW
        )
    assert w.count("bookings") == before


def test_flag_mode_books_outside_and_marks_it_for_review(any_world: World) -> None:
    w = any_world
    branch, _ = _at_home(w)
    set_coverage(
        w.uow(), w.business.id, branch.id, coverage_km=10, mode=CoverageMode.FLAG,
        by=OPERATOR, now=NOW,
    )  # fmt: skip
    booking = create_booking(w.uow(), _wash(w, location=CORDOBA), by=CLIENT, now=NOW)
    with w.uow() as uow:
        stored = uow.bookings.get(w.business.id, booking.id)
    assert stored is not None and stored.needs_review and stored.location == CORDOBA


def test_a_client_must_say_where_when_coverage_is_limited(world: World) -> None:
    w = world
    _at_home(w)
    with pytest.raises(ValidationError) as missing:
        create_booking(w.uow(), _wash(w), by=CLIENT, now=NOW)
    assert missing.value.field == "location"
    with pytest.raises(ValidationError) as unknown:
        create_booking(w.uow(), _wash(w, zone_id="nope"), by=CLIENT, now=NOW)
    assert unknown.value.field == "zone_id"
    assert w.count("bookings") == 0
    # Staff may book without coordinates; forcing an address outside flags it.
    create_booking(w.uow(), _wash(w), by=OPERATOR, now=NOW)
    forced = create_booking(
        w.uow(), _wash(w, 12, location=CORDOBA, force=True), by=OPERATOR, now=NOW
    )
    assert forced.needs_review


def test_an_archived_zone_is_no_longer_covered(world: World) -> None:
    w = world
    _, tigre = _at_home(w)
    archive_zone(w.uow(), w.business.id, tigre.id, by=OPERATOR, now=NOW)
    with pytest.raises(ValidationError):
        create_booking(w.uow(), _wash(w, zone_id=tigre.id), by=CLIENT, now=NOW)
    with pytest.raises(OutsideCoverageError):
        create_booking(w.uow(), _wash(w, location=TIGRE), by=CLIENT, now=NOW)


def test_moving_the_visit_to_another_address_is_checked(world: World) -> None:
    w = world
    _, tigre = _at_home(w)
    booking = create_booking(w.uow(), _wash(w, location=BELGRANO), by=CLIENT, now=NOW)
    with pytest.raises(OutsideCoverageError):
        edit_booking(w.uow(), w.business.id, booking.id, by=CLIENT, now=NOW, location=CORDOBA)
    moved = edit_booking(w.uow(), w.business.id, booking.id, by=OPERATOR, now=NOW, zone_id=tigre.id)
    assert (moved.location, moved.zone_id) == (TIGRE, tigre.id)


def test_a_client_cannot_reschedule_into_a_coverage_that_shrank(world: World) -> None:
    w = world
    branch, _ = _at_home(w)
    booking = create_booking(w.uow(), _wash(w, location=BELGRANO), by=CLIENT, now=NOW)
    set_coverage(
        w.uow(), w.business.id, branch.id, coverage_km=2, mode=CoverageMode.REFUSE,
        by=OPERATOR, now=NOW,
    )  # fmt: skip
    with pytest.raises(OutsideCoverageError):
        reschedule_booking(w.uow(), w.business.id, booking.id, local(5, 14), by=CLIENT, now=NOW)
    moved = reschedule_booking(
        w.uow(), w.business.id, booking.id, local(5, 14), by=OPERATOR, now=NOW
    )
    assert moved.start == local(5, 14)


def test_travel_settings_and_the_fixed_gap_can_be_set(world: World) -> None:
    w = world
    set_travel(
        w.uow(), w.business.id, TravelModel(1.2, 30, 3), travel_gap_minutes=15,
        by=OPERATOR, now=NOW,
    )  # fmt: skip
    with w.uow() as uow:
        business = uow.businesses.get(w.business.id)
    assert business is not None
    assert business.travel == TravelModel(1.2, 30, 3)
    assert business.policy.travel_gap_minutes == 15
    with pytest.raises(ValidationError):
        set_travel(
            w.uow(), w.business.id, TravelModel(), travel_gap_minutes=-1, by=OPERATOR, now=NOW
        )


def test_an_address_in_none_of_the_zones_is_refused_or_flagged(world: World) -> None:
    """The client says "another area": with zones only, refused (refuse) or flagged (flag);
    with a radius too, it may be inside it, so it is booked for the business to check."""
    w = world
    branch, _ = _at_home(w)
    set_coverage(
        w.uow(), w.business.id, branch.id, coverage_km=None, mode=CoverageMode.REFUSE,
        by=OPERATOR, now=NOW,
    )  # fmt: skip
    with pytest.raises(OutsideCoverageError):
        create_booking(w.uow(), _wash(w, elsewhere=True), by=CLIENT, now=NOW)
    assert w.count("bookings") == 0
    set_coverage(
        w.uow(), w.business.id, branch.id, coverage_km=10, mode=CoverageMode.REFUSE,
        by=OPERATOR, now=NOW,
    )  # fmt: skip
    maybe = create_booking(w.uow(), _wash(w, elsewhere=True), by=CLIENT, now=NOW)
    assert maybe.needs_review and maybe.location is None
