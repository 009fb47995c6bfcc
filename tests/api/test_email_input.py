"""Over the API, an address with a line break (a "Bcc:" smuggled after CR/LF) is a 422
naming the field, on booking and on edit, and changes nothing."""

from __future__ import annotations

from tests.api.conftest import LiveHub

HOSTILE = [
    "maria@example.com\r\nBcc:evil@attacker.example",
    "maria@example.com\nBcc:evil@attacker.example",
]


def test_the_api_names_the_field_of_an_address_with_a_line_break(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    with tenant.client() as client:
        for body, field in (
            (tenant.booking_body(10, customer={"name": "Ana", "email": HOSTILE[0]}), "email"),
            (tenant.booking_body(10, invitees=["ok@example.com", HOSTILE[1]]), "invitees"),
        ):
            refused = client.post("/api/v1/bookings", json=body)
            assert refused.status_code == 422, refused.text
            assert field in refused.json()["error"]["details"]["field"]
        created = client.post("/api/v1/bookings", json=tenant.booking_body(10))
        assert created.status_code == 201
        edited = client.patch(
            f"/api/v1/bookings/{created.json()['id']}", json={"invitees": [HOSTILE[0]]}
        )
        assert edited.status_code == 422
        assert "invitees" in edited.json()["error"]["details"]["field"]
        assert client.get("/api/v1/bookings").json()["items"][0]["invitees"] == []
