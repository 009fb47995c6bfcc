"""With TURNERO_ROUTING=osrm the hub's day's route (GET /api/v1/route, as the console's
route page shows it) counts the engine's road minutes plus the business's overhead."""

from __future__ import annotations

from tests.api.conftest import serve_hub
from tests.api.test_day_route import visits
from tests.support.routing import serve_routing

A, B, C = (-34.60, -58.41), (-34.60, -58.47), (-34.60, -58.42)


def test_the_route_drives_by_the_configured_engine(database_url: str) -> None:
    roads: dict[tuple[tuple[float, float], tuple[float, float]], float | None] = {
        (A, B): 40 * 60,
        (B, C): 30 * 60,
    }
    with serve_routing(roads=roads) as fake:
        live, served = serve_hub(database_url, routing="osrm", routing_url=fake.base_url)
        try:
            tenant = live.tenant()
            visits(live, tenant)
            with tenant.client() as client:
                found = client.get("/api/v1/route", params={"date": tenant.day().isoformat()})
            assert found.status_code == 200, found.text
            worker = found.json()["workers"][0]
            # Booked order A, B, C: 40 + 30 minutes by road, 5 minutes' overhead each leg.
            assert worker["booked_driving_minutes"] == 80
            assert any(s.engine == "osrm" for s in fake.seen)
        finally:
            served.stop()
            live.hub.close()
