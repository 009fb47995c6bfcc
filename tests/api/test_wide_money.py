"""Every amount the API documents is stored: prices up to 10^12 minor units on services and
resources, and a per-person price for 100 persons (10^14) on a public booking — on SQLite
and PostgreSQL, whose INTEGER used to stop at 2^31 - 1 and answer 500."""

from __future__ import annotations

from tests.api.conftest import LiveHub

MAX_PRICE = 10**12  # the maximum the OpenAPI document gives for price_minor


def test_the_documented_maximum_price_is_kept(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    with tenant.client() as client:
        service = client.post(
            "/api/v1/services",
            json={"name": "Flota completa", "duration_minutes": 30, "price_minor": MAX_PRICE},
        )
        assert service.status_code == 201, service.text
        resource = client.post(
            "/api/v1/resources", json={"name": "Camión", "price_minor": 2**31 + 1}
        )
        assert resource.status_code == 201, resource.text
        assert client.get(f"/api/v1/services/{service.json()['id']}").json()["price_minor"] == (
            MAX_PRICE
        )
        assert client.get(f"/api/v1/resources/{resource.json()['id']}").json()["price_minor"] == (
            2**31 + 1
        )


def test_a_per_person_price_for_a_hundred_persons_can_be_booked(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    with tenant.client() as client:
        service = client.post(
            "/api/v1/services",
            json={
                "name": "Excursión",
                "duration_minutes": 30,
                "price_minor": MAX_PRICE,
                "pricing": "per_person",
                "max_persons": 100,
                "group_ids": [tenant.group.id],
            },
        )
        assert service.status_code == 201, service.text
        body = tenant.booking_body(service=service.json()["id"], persons=100)
        booked = client.post(f"/api/v1/public/businesses/{tenant.slug}/bookings", json=body)
        assert booked.status_code == 201, booked.text
        stored = client.get(f"/api/v1/bookings/{booked.json()['id']}").json()
    assert stored["persons"] == 100
    assert stored["price_minor"] == 100 * MAX_PRICE
