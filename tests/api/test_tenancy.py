"""Tenant isolation: with business A's key, nothing of business B can be seen or touched."""

from __future__ import annotations

from typing import Any

from hub.app import api_registry as registry
from hub.domain.accounts import Role
from hub.services import accounts
from tests.api.conftest import LiveHub
from tests.api.tenants import Tenant

# Bodies that pass validation, so that the answer is about the id, not the input.
VALID_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/bookings/{id}"): {"notes": "x"},
    ("PATCH", "/branches/{id}"): {"name": "x"},
    ("PATCH", "/resources/{id}"): {"name": "x"},
    ("PATCH", "/resource-groups/{id}"): {"name": "x"},
    ("PATCH", "/services/{id}"): {"name": "x"},
    ("PATCH", "/zones/{id}"): {"name": "x"},
    ("PATCH", "/customers/{id}"): {"name": "x"},
    ("PATCH", "/webhooks/{id}"): {"description": "x"},
    ("POST", "/webhooks/{id}/replay"): {"since": "2030-01-01T00:00:00Z"},
    ("POST", "/series/{id}/cancel"): {"scope": "all"},
    ("POST", "/series/{id}/reschedule"): {"scope": "all", "shift_minutes": 30},
    ("PATCH", "/staff/{id}"): {"role": "employee"},
}


def _ids_of_b(live_hub: LiveHub, b: Tenant) -> dict[str, str]:
    with b.client() as client:
        booking = client.post("/api/v1/bookings", json=b.booking_body(10)).json()
        rule = client.get("/api/v1/availability-rules").json()["items"][0]["id"]
        exception = client.post(
            "/api/v1/exceptions",
            json={
                "resource_id": b.resources[0].id,
                "start_date": b.day(10).isoformat(),
                "end_date": b.day(10).isoformat(),
            },
        ).json()["id"]
        block = client.post(
            "/api/v1/blocks",
            json={
                "resource_id": b.resources[0].id,
                "start": b.at(12).isoformat(),
                "end": b.at(13).isoformat(),
            },
        ).json()["id"]
        zone = client.post(
            "/api/v1/zones",
            json={"name": "Palermo", "centre": {"lat": -34.59, "lng": -58.43}, "radius_km": 2},
        )
        assert zone.status_code == 201, zone.text
        key = client.get("/api/v1/api-keys").json()["items"][0]["id"]
        webhook = client.post("/api/v1/webhooks", json={"url": "https://crm.example.com/hook"})
        assert webhook.status_code == 201, webhook.text
        series = client.post(
            "/api/v1/series",
            json={**b.booking_body(15), "repeat": {"frequency": "weekly", "count": 2}},
        )
        assert series.status_code == 201, series.text
    staff = accounts.create_user(
        live_hub.hub.accounts_uow(),
        business_id=b.business.id,
        email=f"staff@{b.slug}.example.com",
        role=Role.EMPLOYEE,
        now=live_hub.now(),
    )
    return {
        "series": series.json()["id"],
        "staff": staff.id,
        "webhooks": webhook.json()["id"],
        "bookings": booking["id"],
        "branches": b.branch.id,
        "resources": b.resources[0].id,
        "resource-groups": b.group.id,
        "services": b.service.id,
        "availability-rules": rule,
        "exceptions": exception,
        "blocks": block,
        "customers": booking["customer_id"],
        "api-keys": key,
        "zones": zone.json()["id"],
    }


def test_every_private_endpoint_answers_404_for_another_business_ids(live_hub: LiveHub) -> None:
    a, b = live_hub.tenant(), live_hub.tenant()
    ids = _ids_of_b(live_hub, b)
    with b.client() as client_b:
        before = client_b.get(f"/api/v1/bookings/{ids['bookings']}").json()
    checked = 0
    with a.client() as client:
        for op in registry().operations:
            if not op.auth or "{id}" not in op.path:
                continue
            kind = op.path.split("/")[1]
            url = "/api/v1" + op.path.replace("{id}", ids[kind]).replace("{delivery_id}", "d1")
            body = VALID_BODIES.get((op.method, op.path))
            answer = client.request(op.method, url, json=body)
            assert answer.status_code == 404, (op.method, op.path, answer.text)
            assert answer.json()["error"]["code"] == "not_found"
            checked += 1
        lists = {
            path: client.get(f"/api/v1/{path}").text
            for path in (
                "bookings",
                "branches",
                "resources",
                "resource-groups",
                "services",
                "availability-rules",
                "exceptions",
                "customers",
                "api-keys",
                "webhooks",
                "zones",
                "staff",
            )
        }
        blocks = client.get(
            "/api/v1/blocks", params={"from": b.at(0).isoformat(), "to": b.at(23).isoformat()}
        ).text
        uses_b_service = client.post("/api/v1/bookings", json=b.booking_body(11))
        uses_b_resource = client.post(
            "/api/v1/bookings", json=a.booking_body(11, resource=b.resources[0].id)
        )
        b_slots = client.get(
            "/api/v1/availability",
            params={
                "service": b.service.id,
                "from": b.day().isoformat(),
                "to": b.day().isoformat(),
            },
        )
    assert checked >= 25
    for text in (*lists.values(), blocks):
        assert not any(value in text for value in ids.values())
    assert uses_b_service.status_code == 404
    assert uses_b_resource.status_code in (404, 422)  # not one of this business
    assert b_slots.status_code == 404
    with b.client() as client_b:
        after = client_b.get(f"/api/v1/bookings/{ids['bookings']}").json()
        assert client_b.get("/api/v1/api-keys").json()["items"][0]["active"] is True
    assert after == before


def test_a_public_token_shows_only_its_own_booking(live_hub: LiveHub) -> None:
    a, b = live_hub.tenant(), live_hub.tenant()
    with live_hub.client() as client:
        mine = client.post(
            f"/api/v1/public/businesses/{a.slug}/bookings", json=a.booking_body(10)
        ).json()
        theirs = client.post(
            f"/api/v1/public/businesses/{b.slug}/bookings", json=b.booking_body(10)
        ).json()
        seen = client.get(f"/api/v1/public/bookings/{mine['token']}")
        # A's token with B's slug or B's service: nothing of B leaks, nothing changes.
        moved = client.post(
            f"/api/v1/public/bookings/{mine['token']}/reschedule",
            json={"start": b.at(11).isoformat()},
        )
        wrong_service = client.post(
            f"/api/v1/public/businesses/{a.slug}/bookings",
            json={**a.booking_body(12), "service": b.service.id},
        )
    assert seen.json()["business"]["slug"] == a.slug
    assert theirs["id"] not in seen.text and b.slug not in seen.text
    assert moved.json()["business"]["slug"] == a.slug
    assert wrong_service.status_code == 404
