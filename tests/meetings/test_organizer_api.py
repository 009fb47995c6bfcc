"""A CRM books on behalf of a staff member (``organizer``): the booking records them as its
organizer; a name that is not this business's active staff is refused and books nothing."""

from __future__ import annotations

from hub.domain.accounts import Role
from hub.services import accounts
from tests.api.conftest import LiveHub
from tests.pages.shop import PASSWORD


def test_a_crm_books_on_behalf_of_a_staff_member_of_its_own_business_only(
    live_hub: LiveHub,
) -> None:
    tenant, other = live_hub.tenant(), live_hub.tenant()
    hub = live_hub.hub
    mine = accounts.create_user(
        hub.accounts_uow(),
        business_id=tenant.business.id,
        email=f"ventas@{tenant.business.slug}.test",
        role=Role.EMPLOYEE,
        now=hub.now(),
        password=PASSWORD,
        name="Ventas",
    )
    theirs = accounts.create_user(
        hub.accounts_uow(),
        business_id=other.business.id,
        email=f"ventas@{other.business.slug}.test",
        role=Role.EMPLOYEE,
        now=hub.now(),
        password=PASSWORD,
        name="Ventas ajenas",
    )
    with tenant.client() as client:
        by_email = client.post(
            "/api/v1/bookings", json=tenant.booking_body(10, organizer=mine.email.upper())
        )
        assert by_email.status_code == 201, by_email.text
        assert by_email.json()["organizer_id"] == mine.id
        read = client.get(f"/api/v1/bookings/{by_email.json()['id']}").json()
        assert read["organizer_id"] == mine.id
        for foreign in (theirs.id, theirs.email, "nadie@example.com"):
            refused = client.post(
                "/api/v1/bookings", json=tenant.booking_body(11, organizer=foreign)
            )
            assert refused.status_code == 422, refused.text
            assert "organizer" in refused.text
        plain = client.post("/api/v1/bookings", json=tenant.booking_body(12))
        assert plain.json()["organizer_id"] is None
        assert len(client.get("/api/v1/bookings").json()["items"]) == 2
