"""The map over the API: zones, a branch's coverage, travel settings, and bookings of an
at-address service located by coordinates or zone (422 ``outside_coverage`` outside)."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import LiveHub
from tests.api.tenants import Tenant

PALERMO = {"lat": -34.5889, "lng": -58.4306}
CORDOBA = {"latitude": -31.4201, "longitude": -64.1888}


def _at_home(t: Tenant, mode: str = "refuse") -> str:
    """Make the tenant's service at-address, its branch based in the Obelisco with 5 km of
    coverage; returns a Palermo zone's id."""
    with t.client() as client:
        assert (
            client.patch(f"/api/v1/services/{t.service.id}", json={"at_client_address": True})
        ).status_code == 200
        branch = client.patch(
            f"/api/v1/branches/{t.branch.id}",
            json={"lat": -34.6037, "lng": -58.3816, "coverage_km": 5, "coverage_mode": mode},
        )
        assert branch.status_code == 200, branch.text
        assert branch.json()["coverage_mode"] == mode
        zone = client.post("/api/v1/zones", json={"name": "Palermo", "centre": PALERMO,
                                                  "radius_km": 2})  # fmt: skip
        assert zone.status_code == 201, zone.text
        return str(zone.json()["id"])


def _book(t: Tenant, **visit: Any) -> Any:
    with t.client() as client:
        return client.post("/api/v1/bookings", json=t.booking_body(10, address="x", **visit))


def test_zones_crud_and_bad_coordinates_are_refused_clearly(live_hub: LiveHub) -> None:
    t = live_hub.tenant()
    with t.client() as client:
        square = [[-34.60, -58.45], [-34.60, -58.40], [-34.57, -58.40], [-34.57, -58.45]]
        made = client.post("/api/v1/zones", json={"name": "Norte", "polygon": square})
        assert made.status_code == 201, made.text
        zone_id = made.json()["id"]
        assert made.json()["polygon"] == square and made.json()["centre"] is None
        renamed = client.patch(f"/api/v1/zones/{zone_id}", json={"name": "Zona Norte"})
        assert renamed.json()["name"] == "Zona Norte"
        bad = [
            {"name": "X", "centre": {"lat": 95, "lng": 0}, "radius_km": 1},
            {"name": "X", "centre": {"lat": 0, "lng": -181}, "radius_km": 1},
            {"name": "X", "polygon": [[0, 0], [0, 1]]},
            {"name": "X", "polygon": [[0, 0], [0, 1], [91, 1]]},
            {"name": "X", "centre": PALERMO},
        ]
        for body in bad:
            answer = client.post("/api/v1/zones", json=body)
            assert answer.status_code == 422, (body, answer.text)
            assert answer.json()["error"]["message"]
        assert client.delete(f"/api/v1/zones/{zone_id}").status_code == 204
        listed = client.get("/api/v1/zones").json()["items"]
        assert [(z["name"], z["active"]) for z in listed] == [("Zona Norte", False)]
        based = client.patch(
            f"/api/v1/resources/{t.resources[0].id}", json={"base": {"lat": -34.6, "lng": -58.4}}
        )
        assert based.json()["base"] == {"lat": -34.6, "lng": -58.4}


def test_outside_coverage_is_422_and_nothing_is_booked(live_hub: LiveHub) -> None:
    t = live_hub.tenant()
    zone_id = _at_home(t)
    refused = _book(t, **CORDOBA)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "outside_coverage"
    half = _book(t, latitude=-34.6)
    assert half.status_code == 422 and half.json()["error"]["details"]["field"] == "longitude"
    with t.client() as client:
        assert client.get("/api/v1/bookings").json()["items"] == []
    inside = _book(t, zone_id=zone_id)
    assert inside.status_code == 201, inside.text
    body = inside.json()
    assert (body["zone_id"], body["latitude"], body["needs_review"]) == (zone_id, -34.5889, False)
    other = live_hub.tenant()
    _at_home(other)
    assert _book(other, zone_id=zone_id).json()["error"]["details"]["field"] == "zone_id"


def test_flag_mode_books_outside_with_needs_review(live_hub: LiveHub) -> None:
    t = live_hub.tenant()
    _at_home(t, mode="flag")
    flagged = _book(t, **CORDOBA)
    assert flagged.status_code == 201, flagged.text
    assert flagged.json()["needs_review"] is True


def test_travel_settings_and_gap(live_hub: LiveHub) -> None:
    t = live_hub.tenant()
    with t.client() as client:
        assert client.get("/api/v1/business/travel").json() == {
            "detour": 1.4, "speed_kmh": 25.0, "overhead_minutes": 5.0, "travel_gap_minutes": 0,
            "return_to_base": False,
        }  # fmt: skip
        changed = client.put(
            "/api/v1/business/travel", json={"speed_kmh": 30, "travel_gap_minutes": 15}
        )
        assert changed.json()["speed_kmh"] == 30 and changed.json()["travel_gap_minutes"] == 15
        bad = client.put("/api/v1/business/travel", json={"detour": 0.5})
        assert bad.status_code == 422
        assert client.get("/api/v1/business/travel").json()["detour"] == 1.4


def test_the_public_api_offers_zones_and_books_in_one(live_hub: LiveHub) -> None:
    t = live_hub.tenant()
    zone_id = _at_home(t)
    with live_hub.client() as client:
        found = client.get(f"/api/v1/public/businesses/{t.slug}").json()
        assert found["zones"] == [{"id": zone_id, "name": "Palermo"}]
        body = t.booking_body(11, address="Gorriti 4800")
        outside = client.post(f"/api/v1/public/businesses/{t.slug}/bookings", json=body | CORDOBA)
        assert outside.json()["error"]["code"] == "outside_coverage"
        booked = client.post(
            f"/api/v1/public/businesses/{t.slug}/bookings", json=body | {"zone_id": zone_id}
        )
        assert booked.status_code == 201, booked.text
        spec = client.get("/api/v1/openapi.json").json()
    new_booking = spec["paths"]["/api/v1/bookings"]["post"]["requestBody"]["content"][
        "application/json"
    ]
    assert {"latitude", "longitude", "zone_id"} <= set(new_booking["schema"]["properties"])
    assert {"/api/v1/zones", "/api/v1/business/travel"} <= set(spec["paths"])


def test_with_a_geocoder_the_typed_address_is_located(database_url: str) -> None:
    """With Nominatim configured (a loopback fake), a client who only types the address is
    located on submit: Córdoba is refused, Palermo is booked with its coordinates."""
    from tests.api.conftest import serve_hub
    from tests.support.geocoding import serve_geocoding

    with serve_geocoding() as fake:
        live, served = serve_hub(database_url, geocoder="nominatim", geocoder_url=fake.base_url)
        try:
            t = live.tenant()
            _at_home(t)
            body = t.booking_body(11)
            with live.client() as client:
                far = client.post(
                    f"/api/v1/public/businesses/{t.slug}/bookings",
                    json=body | {"address": "Av. Colón 500, Córdoba"},
                )
                near = client.post(
                    f"/api/v1/public/businesses/{t.slug}/bookings",
                    json=body | {"address": "Gorriti 4800, CABA"},
                )
            with t.client() as client:
                made = client.get("/api/v1/bookings").json()["items"]
        finally:
            served.stop()
            live.hub.close()
    assert far.status_code == 422 and far.json()["error"]["code"] == "outside_coverage"
    assert near.status_code == 201, near.text
    assert [(b["latitude"], b["longitude"], b["zone_id"] is not None) for b in made] == [
        (-34.5905, -58.43, True)
    ]
    assert [s.params["q"] for s in fake.seen] == ["Av. Colón 500, Córdoba", "Gorriti 4800, CABA"]


def test_moving_a_visit_over_the_api_is_checked_and_nan_is_refused(live_hub: LiveHub) -> None:
    t = live_hub.tenant()
    zone_id = _at_home(t)
    booking = _book(t, zone_id=zone_id).json()
    with t.client() as client:
        far = client.patch(f"/api/v1/bookings/{booking['id']}", json=CORDOBA)
        assert far.status_code == 422 and far.json()["error"]["code"] == "outside_coverage"
        moved = client.patch(
            f"/api/v1/bookings/{booking['id']}", json={"latitude": -34.6, "longitude": -58.39}
        )
        assert moved.status_code == 200, moved.text
        assert (moved.json()["latitude"], moved.json()["zone_id"]) == (-34.6, None)
        for raw in (
            '{"name": "X", "centre": {"lat": NaN, "lng": 0}, "radius_km": 1}',
            '{"name": "X", "centre": {"lat": 0, "lng": 0}, "radius_km": Infinity}',
        ):
            answer = client.post(
                "/api/v1/zones", content=raw, headers={"Content-Type": "application/json"}
            )
            assert answer.status_code in (400, 422), (raw, answer.text)
        nan_travel = client.put(
            "/api/v1/business/travel",
            content='{"detour": NaN}',
            headers={"Content-Type": "application/json"},
        )
        assert nan_travel.status_code in (400, 422)
        assert client.get("/api/v1/zones").json()["items"][0]["name"] == "Palermo"
