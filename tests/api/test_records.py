"""API v1: "Finalizar" straight from confirmed, the service record it writes (JSON and
CSV, per booking and over a period) and a booking's history — each for its business only."""

from __future__ import annotations

import csv
import io

from hub.domain.accounts import Role
from hub.services import accounts
from tests.api.conftest import LiveHub


def test_finish_from_confirmed_then_record_export_and_history(live_hub: LiveHub) -> None:
    a, b = live_hub.tenant(), live_hub.tenant()
    with a.client() as client:
        booking = client.post("/api/v1/bookings", json=a.booking_body(10)).json()
        if booking["status"] == "pending":
            client.post(f"/api/v1/bookings/{booking['id']}/confirm")
        assert client.get(f"/api/v1/bookings/{booking['id']}/service-record").status_code == 404
        done = client.post(f"/api/v1/bookings/{booking['id']}/complete")
        assert done.status_code == 200, done.text
        assert done.json()["status"] == "completed"
        record = client.get(f"/api/v1/bookings/{booking['id']}/service-record").json()
        assert record["charged_minor"] == 150000 and record["currency"] == "ARS"
        today = a.day(0)
        period = {"from": today.isoformat(), "to": a.day(1).isoformat()}
        listed = client.get("/api/v1/service-records", params=period).json()["items"]
        assert [r["booking_id"] for r in listed] == [booking["id"]]
        exported = client.get("/api/v1/service-records.csv", params=period)
        assert exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert [(r["booking_id"], r["charged_minor"]) for r in rows] == [(booking["id"], "150000")]
        history = client.get(f"/api/v1/bookings/{booking['id']}/history").json()["items"]
        assert history[0]["action"] == "created"
        assert history[-1]["action"] == "completed"
        assert {h["channel"] for h in history} == {"api"}
        too_long = client.get(
            "/api/v1/service-records", params={"from": "2020-01-01", "to": "2026-01-01"}
        )
        assert too_long.status_code == 422
    with b.client() as other:
        period = {"from": a.day(0).isoformat(), "to": a.day(1).isoformat()}
        assert other.get("/api/v1/service-records", params=period).json()["items"] == []
        assert booking["id"] not in other.get("/api/v1/service-records.csv", params=period).text
        assert other.get(f"/api/v1/bookings/{booking['id']}/history").status_code == 404
        assert other.get(f"/api/v1/bookings/{booking['id']}/service-record").status_code == 404


def test_search_ignores_accents_and_case_on_every_database(live_hub: LiveHub) -> None:
    """``q=maria`` finds "María López", a customer or a staff member (SQLite and PostgreSQL)."""
    tenant = live_hub.tenant()
    accounts.create_user(
        live_hub.hub.accounts_uow(),
        business_id=tenant.business.id,
        email="jose@lavadero.test",
        role=Role.EMPLOYEE,
        now=live_hub.now(),
        password="una-clave-larga",
        name="José Núñez",
    )
    other = live_hub.tenant()
    with tenant.client() as client:
        client.post(
            "/api/v1/bookings",
            json={
                **tenant.booking_body(10),
                "customer": {"name": "María López", "phone": "+54 9 11 5000-1000"},
            },
        )
        people = client.get("/api/v1/bookings/search-users", params={"q": "maria"}).json()
        staff = client.get("/api/v1/bookings/search-users", params={"q": "JOSE NUNEZ"}).json()
        listed = client.get("/api/v1/bookings", params={"q": "LOPEZ"}).json()["items"]
    with other.client() as client:
        elsewhere = client.get("/api/v1/bookings/search-users", params={"q": "maria"}).json()
    assert [(u["kind"], u["name"]) for u in people["items"]] == [("customer", "María López")]
    assert [(u["kind"], u["name"]) for u in staff["items"]] == [("staff", "José Núñez")]
    assert [b["customer"]["name"] for b in listed] == ["María López"]
    assert elsewhere["items"] == []


def test_an_integrator_moves_a_booking_to_another_resource(live_hub: LiveHub) -> None:
    """What the agenda's drag does, over the API: another resource, with or without a new
    start; another business's resource is refused and nothing changes."""
    a, b = live_hub.tenant(), live_hub.tenant()
    with a.client() as client:
        booking = client.post(
            "/api/v1/bookings", json=a.booking_body(10, resource=a.resources[0].id)
        ).json()
        url = f"/api/v1/bookings/{booking['id']}"
        foreign = client.patch(url, json={"resource_id": b.resources[0].id})
        assert foreign.status_code in (404, 422), foreign.text
        assert client.get(url).json()["resource_id"] == a.resources[0].id
        same_time = client.patch(url, json={"resource_id": a.resources[1].id})
        assert same_time.status_code == 200, same_time.text
        assert same_time.json()["resource_id"] == a.resources[1].id
        moved = client.patch(
            url, json={"resource_id": a.resources[0].id, "start": a.at(11).isoformat()}
        )
        assert moved.status_code == 200, moved.text
        assert (moved.json()["resource_id"], moved.json()["start"]) == (
            a.resources[0].id,
            a.at(11).isoformat(),
        )
