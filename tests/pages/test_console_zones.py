"""The console's Zonas page: zones created (centre and radius, or a pasted polygon), edited
and archived; a branch's coverage and mode, the travel estimate and fixed gap, a washer's
base; bad input named with nothing written; admins only; never another business's; and a
booking taken outside the coverage shows "Revisar zona" on its card."""

from __future__ import annotations

from dataclasses import replace

import httpx

from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.geo import CoverageMode, GeoPoint, TravelModel
from hub.services import setup, zones
from hub.services.availability import list_bookings
from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import Shop, create_shop
from tests.pages.test_console import sign_in


def _csrf(client: httpx.Client) -> str:
    return csrf_of(client.get("/console/zones").text)


def test_zones_coverage_travel_and_bases_are_set_up(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    made = client.post(
        "/console/zones",
        data={"csrf_token": _csrf(client), "name": "Palermo", "lat": "-34,5889",
              "lng": "-58.4306", "radius_km": "2,5"},
    )  # fmt: skip
    assert made.status_code == 303
    shape = client.post(
        "/console/zones",
        data={"csrf_token": _csrf(client), "name": "Norte",
              "polygon": "-34.60,-58.45\n-34.60, -58.40\n\n-34.57,-58.40\n"},
    )  # fmt: skip
    assert shape.status_code == 303
    palermo, norte = zones.list_zones(shop.hub.uow(), shop.business.id)[::-1]
    assert (palermo.centre, palermo.radius_km) == (GeoPoint(-34.5889, -58.4306), 2.5)
    assert len(norte.polygon) == 3
    page = text_of(client.get("/console/zones").text)
    assert "Palermo · radio 2.5 km" in page and "polígono de 3 puntos" in page
    client.post(
        f"/console/zones/{palermo.id}",
        data={"csrf_token": _csrf(client), "name": "Palermo Soho", "lat": "-34.5889",
              "lng": "-58.4306", "radius_km": "1"},
    )  # fmt: skip
    client.post(f"/console/zones/{norte.id}/archive", data={"csrf_token": _csrf(client)})
    kept = {z.name: z for z in zones.list_zones(shop.hub.uow(), shop.business.id)}
    assert kept["Palermo Soho"].radius_km == 1 and not kept["Norte"].active

    client.post(
        f"/console/zones/coverage/{shop.branch.id}",
        data={"csrf_token": _csrf(client), "coverage_km": "8", "coverage_mode": "flag"},
    )
    branch = setup.get_branch(shop.hub.uow(), shop.business.id, shop.branch.id)
    assert (branch.coverage_km, branch.coverage_mode) == (8, CoverageMode.FLAG)
    client.post(
        "/console/zones/travel",
        data={"csrf_token": _csrf(client), "detour": "1,3", "speed_kmh": "30",
              "overhead_minutes": "4", "travel_gap_minutes": "10"},
    )  # fmt: skip
    business = setup.find_business(shop.hub.uow(), business_id=shop.business.id)
    assert business.travel == TravelModel(1.3, 30, 4) and business.policy.travel_gap_minutes == 10
    juan = shop.washers[0]
    client.post(
        f"/console/zones/base/{juan.id}",
        data={"csrf_token": _csrf(client), "lat": "-34.599", "lng": "-58.442"},
    )
    assert setup.get_resource(shop.hub.uow(), shop.business.id, juan.id).base == GeoPoint(
        -34.599, -58.442
    )


def test_bad_zone_input_is_named_and_nothing_is_written(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    for bad in (
        {"name": "", "lat": "-34.5", "lng": "-58.4", "radius_km": "1"},
        {"name": "X", "lat": "95", "lng": "-58.4", "radius_km": "1"},
        {"name": "X", "lat": "norte", "lng": "-58.4", "radius_km": "1"},
        {"name": "X", "lat": "-34.5", "lng": "-58.4"},
        {"name": "X", "polygon": "-34.6,-58.4\n-34.5,-58.4"},
        {"name": "X", "polygon": "-34.6 -58.4 1\n-34.5,-58.4\n-34.5,-58.3"},
    ):
        answer = client.post("/console/zones", data={"csrf_token": _csrf(client), **bad})
        assert answer.status_code == 422, bad
        assert "Revisá los datos" in text_of(answer.text), bad
    assert zones.list_zones(shop.hub.uow(), shop.business.id) == []
    for path, data in (
        ("/console/zones/travel", {"detour": "0.2", "speed_kmh": "30", "overhead_minutes": "4"}),
        (f"/console/zones/coverage/{shop.branch.id}", {"coverage_mode": "maybe"}),
        (f"/console/zones/base/{shop.washers[0].id}", {"lat": "-34.6"}),
    ):
        answer = client.post(path, data={"csrf_token": _csrf(client), **data})
        assert answer.status_code == 422, path
    business = setup.find_business(shop.hub.uow(), business_id=shop.business.id)
    assert business.travel == TravelModel()


def test_zones_are_the_admins_own(client: httpx.Client, staffed_shop: Shop) -> None:
    shop = staffed_shop
    other = create_shop(shop.hub, staff=True)
    theirs = zones.save_zone(
        other.hub.uow(),
        zones.Zone(other.business.id, "Suya", centre=GeoPoint(-34.6, -58.4), radius_km=1),
        by=ChangedBy(Actor.OPERATOR, Channel.CLI),
        now=other.hub.now(),
    )
    assert shop.admin is not None and shop.employee is not None
    sign_in(client, shop.admin.email)
    assert "Suya" not in client.get("/console/zones").text
    for path in (
        f"/console/zones/{theirs.id}",
        f"/console/zones/{theirs.id}/archive",
        f"/console/zones/coverage/{other.branch.id}",
        f"/console/zones/base/{other.washers[0].id}",
    ):
        answer = client.post(
            path,
            data={"csrf_token": _csrf(client), "name": "Robada", "coverage_mode": "flag",
                  "lat": "-34.6", "lng": "-58.4", "radius_km": "1"},
        )  # fmt: skip
        assert answer.status_code == 404, path
    linked = client.post(
        "/console/zones",
        data={"csrf_token": _csrf(client), "name": "X", "branch_id": other.branch.id,
              "lat": "-34.6", "lng": "-58.4", "radius_km": "1"},
    )  # fmt: skip
    assert linked.status_code == 422
    assert zones.get_zone(other.hub.uow(), other.business.id, theirs.id).name == "Suya"
    client.cookies.clear()
    sign_in(client, shop.employee.email)
    assert client.get("/console/zones").status_code == 404


def test_a_booking_outside_the_coverage_shows_revisar_zona(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    by = ChangedBy(Actor.OPERATOR, Channel.CLI)
    located = replace(shop.branch, lat=-34.6037, lng=-58.3816, coverage_km=5.0)
    setup.save_branch(shop.hub.uow(), located, by=by, now=shop.hub.now())
    zones.set_coverage(
        shop.hub.uow(), shop.business.id, shop.branch.id, coverage_km=5, mode=CoverageMode.FLAG,
        by=by, now=shop.hub.now(),
    )  # fmt: skip
    far = shop.hub.core.create_booking(
        NewBooking(
            shop.business.id, shop.full_wash.id, shop.at(10),
            customer=CustomerDetails("Ana", phone="11 2345-6789"),
            address="Av. Colón 500, Córdoba", location=GeoPoint(-31.4201, -64.1888),
        ),
        by=ChangedBy(Actor.CLIENT, Channel.PAGE),
    )  # fmt: skip
    assert far.needs_review
    sign_in(client, shop.admin.email)
    agenda = text_of(client.get("/console/agenda", params={"date": shop.day().isoformat()}).text)
    assert "Revisar zona" in agenda
    feed = client.get(
        "/console/agenda.json",
        params={"start": shop.day().isoformat(), "end": shop.day(3).isoformat()},
    ).json()
    (event,) = [e for e in feed["events"] if e["id"] == far.id]
    assert "Revisar zona" in event["title"] and "needs-review" in event["classNames"]
    page = text_of(client.get(f"/console/bookings/{far.id}").text)
    assert "Revisar zona" in page and "-31.42010, -64.18880" in page


def test_a_booking_by_hand_names_its_zone_and_outside_is_explained(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    by = ChangedBy(Actor.OPERATOR, Channel.CLI)
    palermo = zones.save_zone(
        shop.hub.uow(),
        zones.Zone(shop.business.id, "Palermo", centre=GeoPoint(-34.5889, -58.4306), radius_km=2),
        by=by,
        now=shop.hub.now(),
    )
    tigre = zones.save_zone(
        shop.hub.uow(),
        zones.Zone(
            shop.business.id, "Tigre", centre=GeoPoint(-34.426, -58.5796), radius_km=3,
            branch_id=shop.branch.id,
        ),
        by=by,
        now=shop.hub.now(),
    )  # fmt: skip
    located = replace(shop.branch, lat=-34.6037, lng=-58.3816, coverage_km=5.0)
    setup.save_branch(shop.hub.uow(), located, by=by, now=shop.hub.now())
    zones.archive_zone(shop.hub.uow(), shop.business.id, tigre.id, by=by, now=shop.hub.now())
    sign_in(client, shop.admin.email)
    form = client.get("/console/bookings/new")
    assert "Palermo" in text_of(form.text) and "Tigre" not in text_of(form.text)
    fields = {
        "csrf_token": csrf_of(form.text), "service": shop.full_wash.id,
        "resource": shop.washers[0].id, "date": shop.day().isoformat(), "time": "12:00",
        "name": "Walk-in", "phone": "11 4444-5555", "address": "Gorriti 4800",
    }  # fmt: skip
    refused = client.post("/console/bookings/new", data=fields | {"zone": tigre.id})
    assert refused.status_code == 422 and "Elegí una zona de la lista." in text_of(refused.text)
    made = client.post("/console/bookings/new", data=fields | {"zone": palermo.id})
    assert made.status_code == 303, text_of(made.text)
    (booking,) = list_bookings(shop.hub.uow(), shop.business.id, shop.at(0), shop.at(23))
    assert booking.zone_id == palermo.id and booking.location == palermo.centre


def test_the_travel_card_says_where_travel_times_come_from(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    from connectors.routing.engines import OsrmTable

    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    page = text_of(client.get("/console/zones").text)
    assert "Los tiempos de viaje se estiman así para cada visita." in page
    # A deployment with TURNERO_ROUTING=osrm: the estimate is only the fall back.
    shop.hub.core = replace(shop.hub.core, travel_times=OsrmTable("http://127.0.0.1:9"))
    page = text_of(client.get("/console/zones").text)
    assert "salen de las calles (OSRM), más la demora fija" in page
