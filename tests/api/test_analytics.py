"""API v1: GET /analytics gives the console's figures for a week or month and the period
before, for the API key's business only; bad input is a 4xx."""

from __future__ import annotations

from tests.api.conftest import LiveHub


def test_week_figures_for_the_keys_business_only(live_hub: LiveHub) -> None:
    a, b = live_hub.tenant(), live_hub.tenant()
    with a.client() as client:
        made = [client.post("/api/v1/bookings", json=a.booking_body(h)).json() for h in (10, 11)]
        cancelled = client.delete(f"/api/v1/bookings/{made[1]['id']}")
        assert cancelled.status_code == 200, cancelled.text
        day = made[0]["start"][:10]
        answer = client.get("/api/v1/analytics", params={"period": "week", "date": day})
        assert answer.status_code == 200, answer.text
        week = answer.json()
        assert week["period"] == "week"
        now = week["current"]
        assert (now["bookings"], now["cancelled"], now["no_shows"]) == (2, 1, 0)
        assert now["from"] <= day <= now["to"]
        assert week["previous"]["to"] < now["from"]
        assert sum(d["bookings"] for d in now["per_day"]) == 2 and len(now["per_day"]) == 7
        month = client.get("/api/v1/analytics", params={"period": "month", "date": day}).json()
        assert month["current"]["bookings"] == 2 and month["current"]["from"].endswith("-01")
        for bad in ({"period": "year", "date": day}, {"period": "week", "date": "2026-02-30"}, {}):
            assert client.get("/api/v1/analytics", params=bad).status_code in (400, 422)
    with b.client() as other:
        theirs = other.get("/api/v1/analytics", params={"period": "week", "date": day}).json()
        assert theirs["current"]["bookings"] == 0
