"""With a routing engine configured, the slots a client is offered, the times a booking is
accepted at and the day's route all drive by the road: two places either side of the
Riachuelo, under a kilometre apart, are 8 minutes by the straight-line model but 50 by road
(the loopback OSRM's word), so a half-hour that the straight line would allow is not offered
and not accepted. With the engine down, the straight line keeps bookings going."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from hub.bootstrap import Hub, build_hub
from hub.config import Settings
from hub.domain.errors import SlotTakenError
from hub.domain.model import Service
from hub.domain.policies import BookingPolicy
from hub.services.availability import AvailabilityQuery
from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails
from tests.routing.test_engines import BOCA, MACIEL, PALERMO, ROADS
from tests.services.conftest import CLIENT, NOW, OPERATOR, World, local, make_world
from tests.support.routing import FakeRouting, serve_routing

TUESDAY = 5
POLICY = BookingPolicy(min_notice_minutes=60, horizon_days=30, slot_step_minutes=30)


@pytest.fixture
def fake() -> Iterator[FakeRouting]:
    with serve_routing(roads=dict(ROADS)) as server:
        yield server


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """The car wash (half-hour slot step) with a 60-minute wash at the client's address
    and Ana's visit in La Boca booked on Tuesday 12-13."""
    w = make_world(database_url, POLICY)
    yield w
    w.db.dispose()


def hub_for(w: World, routing_url: str | None) -> Hub:
    settings = Settings(
        database_url=str(w.db.engine.url.render_as_string(hide_password=False)),
        routing="osrm" if routing_url else None,
        routing_url=routing_url,
    )
    return build_hub(settings, clock=lambda: NOW)


def home_wash(w: World) -> Service:
    service = Service(
        w.business.id, "Home wash", 60, at_client_address=True, group_ids=(w.washers.id,)
    )
    with w.uow() as uow:
        uow.services.add(service)
        uow.commit()
    return service


def visit(w: World, service: Service, hour: int, minute: int, where: object) -> NewBooking:
    return NewBooking(
        w.business.id,
        service.id,
        local(TUESDAY, hour, minute),
        customer=CustomerDetails(
            "Juana", phone="011 15 2345-6789", address="Pedro de Mendoza 1800"
        ),
        resource_id=w.washer_a.id,
        location=where,  # type: ignore[arg-type]
    )


def offered(hub: Hub, w: World, service: Service) -> list[str]:
    day = local(TUESDAY, 0).date()
    query = AvailabilityQuery(
        w.business.id, service.id, day, day, resource_id=w.washer_a.id, location=MACIEL
    )
    slots = hub.core.find_availability(query, by=CLIENT)
    return [(s.start - timedelta(hours=3)).strftime("%H:%M") for s in slots]


def test_road_time_decides_which_slots_are_offered_and_accepted(
    world: World, fake: FakeRouting
) -> None:
    w = world
    straight, road = hub_for(w, None), hub_for(w, fake.base_url)
    service = home_wash(w)
    road.core.create_booking(visit(w, service, 12, 0, BOCA), by=OPERATOR)
    by_line, by_road = offered(straight, w, service), offered(road, w, service)
    # The straight line lets Ana leave La Boca at 13:00 and start across the river at 13:30;
    # by road she needs 55 minutes (50 + 5 parking), so 13:30 (and 10:30, before) go.
    assert {"10:30", "13:30"} <= set(by_line)
    assert "13:30" not in by_road and "10:30" not in by_road
    assert {"10:00", "14:00"} <= set(by_road)
    before = w.count("bookings")
    with pytest.raises(SlotTakenError) as refused:
        road.core.create_booking(visit(w, service, 13, 30, MACIEL), by=CLIENT)
    assert refused.value.details["reason"] == "unreachable"
    assert w.count("bookings") == before
    booked = road.core.create_booking(visit(w, service, 14, 0, MACIEL), by=CLIENT)
    assert booked.resource_id == w.washer_a.id
    # Moving it to 13:30 is refused for the same reason.
    with pytest.raises(SlotTakenError):
        road.core.reschedule_booking(w.business.id, booked.id, local(TUESDAY, 13, 30), by=OPERATOR)
    # The day's route drives by the road too: La Boca to Isla Maciel, 55 minutes.
    route = road.core.day_route(w.business.id, local(TUESDAY, 12).date())
    (ana,) = route.routes
    assert [s.location for s in ana.stops] == [BOCA, MACIEL]
    assert ana.driving_minutes == 55
    assert (
        straight.core.day_route(w.business.id, local(TUESDAY, 12).date()).routes[0].driving_minutes
        == 8
    )
    # One request per computation, not one per pair; later ones come from the cache.
    assert 1 <= len(fake.seen) <= 3
    for hub in (straight, road):
        hub.close()


def test_engine_down_falls_back_to_the_straight_line(world: World) -> None:
    w = world
    down, straight = hub_for(w, "http://127.0.0.1:9"), hub_for(w, None)
    service = home_wash(w)
    down.core.create_booking(visit(w, service, 12, 0, BOCA), by=OPERATOR)
    assert offered(down, w, service) == offered(straight, w, service)
    booked = down.core.create_booking(visit(w, service, 13, 30, MACIEL), by=CLIENT)
    assert booked.start == local(TUESDAY, 13, 30)
    for hub in (down, straight):
        hub.close()


def test_no_booking_waits_on_the_engine(sqlite_url: str, fake: FakeRouting) -> None:
    """The engine is asked before the booking's transaction: while it answers, other
    writers (another client booking) are not held up."""
    import sqlite3

    w = make_world(sqlite_url, POLICY)
    road = hub_for(w, fake.base_url)
    service = home_wash(w)
    road.core.create_booking(visit(w, service, 12, 0, BOCA), by=OPERATOR)
    path = sqlite_url.removeprefix("sqlite:///")
    writers_free: list[bool] = []

    def probe() -> None:
        conn = sqlite3.connect(path, timeout=0.2, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            writers_free.append(True)
        except sqlite3.OperationalError:
            writers_free.append(False)
        finally:
            conn.close()

    fake.on_request = probe
    booked = road.core.create_booking(visit(w, service, 14, 0, MACIEL), by=CLIENT)
    assert writers_free and all(writers_free)
    # Moving it to Wednesday, after a visit in Palermo (legs the engine has not seen yet).
    wednesday = replace(visit(w, service, 12, 0, PALERMO), start=local(TUESDAY + 1, 12))
    road.core.create_booking(wednesday, by=OPERATOR)
    asked = len(fake.seen)
    road.core.reschedule_booking(w.business.id, booked.id, local(TUESDAY + 1, 14), by=OPERATOR)
    assert len(fake.seen) > asked and all(writers_free)
    road.close()
    w.db.dispose()
