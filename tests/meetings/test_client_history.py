"""Client history from any manage link: the client sees their own bookings at that business,
upcoming and past, and books the same service again in one tap; nothing about another client
(their bookings, names or links) ever shows."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.api.conftest import LiveHub


def test_any_manage_link_shows_the_clients_own_bookings_and_books_again(
    live_hub: LiveHub,
) -> None:
    tenant, other = live_hub.tenant(), live_hub.tenant()
    ana = {"name": "Ana Pérez", "phone": "+54 9 11 2345-6789"}
    with tenant.client() as client, other.client() as elsewhere:

        def book(hour: int, days: int, who: dict[str, str]) -> dict[str, str]:
            made = client.post(
                "/api/v1/bookings",
                json=tenant.booking_body(hour, days_ahead=days, customer=who),
            )
            assert made.status_code == 201, made.text
            return dict(made.json())

        earlier = book(10, 1, ana)
        later = book(11, 5, ana)
        beto = book(12, 5, {"name": "Beto Secreto", "phone": "+54 9 11 4444-0002"})
        elsewhere.post("/api/v1/bookings", json=other.booking_body(13, days_ahead=2, customer=ana))
        live_hub.travel(timedelta(days=2))  # the first booking is now past
    with httpx.Client(base_url=live_hub.base_url) as browser:
        manage = browser.get(f"/book/manage/{later['token']}")
        assert f"/book/manage/{later['token']}/history" in manage.text
        page = browser.get(f"/book/manage/{later['token']}/history")
        assert page.status_code == 200
        text = page.text
        upcoming, _, past = text.partition('id="h-past"')
        assert "Lavado completo" in upcoming and "Lavado completo" in past
        assert f"/book/{tenant.business.slug}?service={tenant.service.id}" in past
        for secret in ("Beto", beto["token"], earlier["token"], other.business.name, "2345-6789"):
            assert secret not in text
        assert browser.get("/book/manage/not-a-token/history").status_code == 404
        again = browser.get(f"/book/{tenant.business.slug}?service={tenant.service.id}")
        assert again.status_code == 200 and "Lavado completo" in again.text
