"""API v1: GET /route gives the day's route per worker (suggested order, driving booked vs
suggested, moves) for the API key's business only; bad input is a 4xx."""

from __future__ import annotations

from hub.domain.geo import GeoPoint
from hub.domain.model import Service
from hub.services import setup
from hub.services.booking_create import CustomerDetails, NewBooking, create_booking
from tests.api.conftest import LiveHub
from tests.api.tenants import SETUP, Tenant


def visits(live_hub: LiveHub, tenant: Tenant) -> list[str]:
    hub, now = live_hub.hub, live_hub.now()
    service = setup.save_service(
        hub.uow(),
        Service(
            tenant.business.id,
            "Lavado a domicilio",
            30,
            group_ids=(tenant.group.id,),
            at_client_address=True,
        ),
        by=SETUP,
        now=now,
    )
    made = []
    for hour, lng in ((9, -58.41), (10, -58.47), (11, -58.42)):
        booking = create_booking(
            hub.uow(),
            NewBooking(
                tenant.business.id,
                service.id,
                tenant.at(hour),
                customer=CustomerDetails(f"Cliente {hour}", f"+54 9 11 2345-60{hour:02d}"),
                resource_id=tenant.resources[0].id,
                address=f"Calle {hour}",
                location=GeoPoint(-34.60, lng),
            ),
            by=SETUP,
            now=now,
        )
        made.append(booking.id)
    return made


def test_day_route_for_the_keys_business_only(live_hub: LiveHub) -> None:
    a, b = live_hub.tenant(), live_hub.tenant()
    made = visits(live_hub, a)
    day = a.day().isoformat()
    with a.client() as client:
        exact = client.get("/api/v1/route", params={"date": day})
        assert exact.status_code == 200, exact.text
        worker = exact.json()["workers"][0]
        assert [s["booking_id"] for s in worker["stops"]] == made
        windowed = client.get("/api/v1/route", params={"date": day, "window": "120"}).json()
        best = windowed["workers"][0]
        assert [s["booking_id"] for s in best["stops"]] == [made[0], made[2], made[1]]
        assert best["driving_minutes"] < best["booked_driving_minutes"]
        assert best["proven_optimal"] is True
        for bad in ({"date": day, "window": "45"}, {"date": "2026-02-30"}, {}):
            assert client.get("/api/v1/route", params=bad).status_code in (400, 422)
    with b.client() as other:
        theirs = other.get("/api/v1/route", params={"date": day}).json()
        assert all(not w["stops"] for w in theirs["workers"])
        assert made[0] not in str(theirs)
