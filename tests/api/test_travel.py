"""At-address services over the API: with the client's coordinates (or zone), availability
offers only times a washer can drive to, and a time the travel rule forbids is refused with
409 slot_taken, reason ``unreachable``, and nothing booked."""

from __future__ import annotations

from dataclasses import replace

from hub.domain.geo import GeoPoint
from hub.services import resource_setup, setup
from tests.api.conftest import LiveHub
from tests.api.tenants import SETUP, Tenant

# The default travel model: Palermo-Quilmes is 78 minutes.
PALERMO = {"latitude": -34.5880, "longitude": -58.4300}
QUILMES = {"latitude": -34.7200, "longitude": -58.2550}


def _at_home(live_hub: LiveHub) -> Tenant:
    """A tenant whose 30-minute wash is at the client's address, both washers booked at
    noon in Quilmes."""
    tenant = live_hub.tenant()
    service = setup.save_service(
        live_hub.hub.uow(),
        replace(tenant.service, at_client_address=True),
        by=SETUP,
        now=live_hub.now(),
    )
    tenant.service = service
    with tenant.client() as client:
        for washer in tenant.resources:
            body = tenant.booking_body(12, resource=washer.id, address="Mitre 500", **QUILMES)
            assert client.post("/api/v1/bookings", json=body).status_code == 201
    return tenant


def _starts(tenant: Tenant, **place: object) -> list[str]:
    day = tenant.day().isoformat()
    params = {"service": tenant.service.id, "from": day, "to": day, **place}
    with tenant.live.client() as client:
        answer = client.get(f"/api/v1/public/businesses/{tenant.slug}/availability", params=params)
    assert answer.status_code == 200, answer.text
    return [s["start"][11:16] for s in answer.json()["slots"]]


def test_unreachable_times_are_not_offered_and_are_refused(live_hub: LiveHub) -> None:
    tenant = _at_home(live_hub)
    everywhere = _starts(tenant)
    assert "10:30" in everywhere and "13:00" in everywhere
    from_palermo = _starts(tenant, **PALERMO)
    assert from_palermo[:3] == ["09:00", "09:30", "10:00"]  # must leave for Quilmes by 10:42
    assert from_palermo[3] == "14:00"  # back from Quilmes at 13:48
    assert "12:30" in _starts(tenant, **QUILMES)  # next door, right after the noon visit

    url = f"/api/v1/public/businesses/{tenant.slug}/bookings"
    with tenant.live.client() as client:
        refused = client.post(url, json=tenant.booking_body(13, address="Thames 1500", **PALERMO))
        booked = client.post(url, json=tenant.booking_body(14, address="Thames 1500", **PALERMO))
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert (error["code"], error["details"]["reason"]) == ("slot_taken", "unreachable")
    assert booked.status_code == 201, booked.text
    with tenant.client() as client:
        listed = client.get("/api/v1/bookings").json()["items"]
    assert len(listed) == 3  # the two noon visits and the 14:00 one, not the refused one


def test_the_operator_view_takes_the_place_too(live_hub: LiveHub) -> None:
    tenant = _at_home(live_hub)
    day = tenant.day().isoformat()
    params = {"service": tenant.service.id, "from": day, "to": day, **PALERMO}
    with tenant.client() as client:
        slots = client.get("/api/v1/availability", params=params).json()["slots"]
    assert "12:30" not in [s["start"][11:16] for s in slots]


def test_bad_places_are_refused_clearly(live_hub: LiveHub) -> None:
    tenant = _at_home(live_hub)
    day = tenant.day().isoformat()
    url = f"/api/v1/public/businesses/{tenant.slug}/availability"
    base = {"service": tenant.service.id, "from": day, "to": day}
    with tenant.live.client() as client:
        answers = {
            "latitude only": client.get(url, params={**base, "latitude": "-34.5"}),
            "not a number": client.get(url, params={**base, "latitude": "x", "longitude": "1"}),
            "not finite": client.get(url, params={**base, "latitude": "nan", "longitude": "1"}),
            "off the globe": client.get(url, params={**base, "latitude": "95", "longitude": "1"}),
            "unknown zone": client.get(url, params={**base, "zone_id": "no-such-zone"}),
        }
        body = tenant.booking_body(14, address="Thames 1500", longitude=-58.43)
        half_point = client.post(f"/api/v1/public/businesses/{tenant.slug}/bookings", json=body)
    for why, answer in answers.items():
        assert answer.status_code == 422, why
        assert answer.json()["error"]["code"] == "validation_error", why
    assert half_point.status_code == 422
    assert half_point.json()["error"]["details"]["field"] == "latitude"


def test_workers_can_be_required_back_at_their_base(live_hub: LiveHub) -> None:
    """Juan and María start from a depot in Quilmes; once the business asks them to be back
    there by 18:00, a Palermo client's last times go (78 minutes' drive home)."""
    tenant = live_hub.tenant()
    setup.save_service(
        live_hub.hub.uow(),
        replace(tenant.service, at_client_address=True),
        by=SETUP,
        now=live_hub.now(),
    )
    for washer in tenant.resources:
        resource_setup.save_resource(
            live_hub.hub.uow(),
            replace(washer, base=GeoPoint(QUILMES["latitude"], QUILMES["longitude"])),
            by=SETUP,
            now=live_hub.now(),
        )
    before = _starts(tenant, **PALERMO)
    assert (before[0], before[-1]) == ("10:30", "17:30")  # 78 minutes from the depot at 9:00
    with tenant.client() as client:
        changed = client.put("/api/v1/business/travel", json={"return_to_base": True})
    assert changed.status_code == 200 and changed.json()["return_to_base"] is True
    after = _starts(tenant, **PALERMO)
    assert (after[0], after[-1]) == ("10:30", "16:00")  # 16:30 + 78 minutes = 17:48
