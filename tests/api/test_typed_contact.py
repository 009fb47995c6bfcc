"""A phone number already on file reveals nothing: a client who books typing another name
with that phone is answered, shown and written to with the name they typed — over the
public API, on the manage page and in the booking's .ics — while the business sees the
customer record it was matched to and the name as typed (SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.api.conftest import LiveHub


def test_a_known_phone_does_not_disclose_the_stored_customer(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    with tenant.client() as crm, live_hub.client() as stranger:
        stored = crm.post(
            "/api/v1/bookings",
            json=tenant.booking_body(
                10,
                customer={
                    "name": "Rosa Quiroga",
                    "phone": "+54 9 11 2345-6789",
                    "email": "rosa.quiroga@example.com",
                },
            ),
        )
        assert stored.status_code == 201, stored.text
        customer_id = stored.json()["customer_id"]

        answer = stranger.post(
            f"/api/v1/public/businesses/{tenant.slug}/bookings",
            json={
                "service": tenant.service.id,
                "start": tenant.at(12).isoformat(),
                "customer": {"name": "Marta Otra Persona", "phone": "11 2345-6789"},
            },
        )
        assert answer.status_code == 201, answer.text
        public = answer.json()
        assert public["customer_name"] == "Marta Otra Persona"
        token = public["token"]
        for seen in (
            answer.text,
            stranger.get(f"/api/v1/public/bookings/{token}").text,
            stranger.get(f"/api/v1/public/bookings/{token}/booking.ics").text,
            stranger.get(f"/book/manage/{token}").text,
            stranger.get(f"/book/manage/{token}/booking.ics").text,
        ):
            assert "Rosa" not in seen and "Quiroga" not in seen
            assert "rosa.quiroga@example.com" not in seen
        assert "Marta Otra Persona" in stranger.get(f"/book/manage/{token}").text

        # The business sees both: the record the phone matched, and the name as typed.
        private = crm.get(f"/api/v1/bookings/{public['id']}").json()
        assert private["customer_id"] == customer_id
        assert private["customer"]["name"] == "Rosa Quiroga"
        assert private["contact"] == {
            "name": "Marta Otra Persona",
            "phone": "+541123456789",
            "email": None,
        }
        record = crm.get(f"/api/v1/customers/{customer_id}").json()
        assert record["name"] == "Rosa Quiroga"
