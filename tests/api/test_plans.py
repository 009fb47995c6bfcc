"""The REST API under a business's platform plan: a suspended business's keys get a clear 403
and its public endpoints offer and take nothing; past the month's quota a booking is refused
with 409 and the reason; neither touches another business."""

from __future__ import annotations

from hub.domain.booking import Actor, ChangedBy, Channel
from hub.services import platform
from tests.api.conftest import LiveHub

PLATFORM = ChangedBy(Actor.OPERATOR, Channel.CLI)


def test_a_suspended_business_keys_get_403_and_others_carry_on(live_hub: LiveHub) -> None:
    a, b = live_hub.tenant("suspendido"), live_hub.tenant("activo")
    platform.suspend_business(live_hub.hub.uow(), a.business.id, by=PLATFORM, now=live_hub.now())
    with a.client() as client:
        refused = client.get("/api/v1/bookings")
        refused_post = client.post("/api/v1/bookings", json=a.booking_body(10))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "business_suspended"
    assert refused_post.status_code == 403
    with live_hub.client() as anonymous:
        public = f"/api/v1/public/businesses/{a.slug}"
        availability = anonymous.get(
            f"{public}/availability",
            params={
                "service": a.service.id,
                "from": a.day().isoformat(),
                "to": a.day().isoformat(),
            },
        )
        booked = anonymous.post(f"{public}/bookings", json=a.booking_body(10))
    assert availability.status_code == 403
    assert availability.json()["error"]["code"] == "business_suspended"
    assert booked.status_code == 403
    with b.client() as client:
        assert client.post("/api/v1/bookings", json=b.booking_body(10)).status_code == 201
    platform.reactivate_business(live_hub.hub.uow(), a.business.id, by=PLATFORM, now=live_hub.now())
    with a.client() as client:
        assert client.post("/api/v1/bookings", json=a.booking_body(10)).status_code == 201


def test_past_the_quota_a_booking_gets_409_with_the_reason(live_hub: LiveHub) -> None:
    a, b = live_hub.tenant("con-cupo"), live_hub.tenant("sin-cupo")
    platform.set_quota(live_hub.hub.uow(), a.business.id, 1, by=PLATFORM, now=live_hub.now())
    with a.client() as client:
        assert client.post("/api/v1/bookings", json=a.booking_body(10)).status_code == 201
        refused = client.post("/api/v1/bookings", json=a.booking_body(11))
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "booking_quota_reached"
    assert error["details"] == {"rule": "monthly_quota", "quota": 1}
    with b.client() as client:
        for hour in (10, 11):
            assert client.post("/api/v1/bookings", json=b.booking_body(hour)).status_code == 201
