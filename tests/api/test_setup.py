"""Private CRUD of a business's setup, customers and API keys, served for real."""

from __future__ import annotations

from tests.api.conftest import LiveHub


def test_branches_resources_groups_and_services_crud(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    with tenant.client() as client:
        branch = client.post(
            "/api/v1/branches",
            json={"name": "Palermo", "hours": [{"weekday": 0, "start": "08:00", "end": "24:00"}]},
        )
        assert branch.status_code == 201, branch.text
        branch_id = branch.json()["id"]
        assert branch.json()["hours"] == [{"weekday": 0, "start": "08:00", "end": "00:00"}]

        resource = client.post(
            "/api/v1/resources",
            json={"name": "Hidrolavadora", "kind": "equipment", "branch_ids": [branch_id]},
        )
        assert resource.status_code == 201, resource.text
        resource_id = resource.json()["id"]
        patched = client.patch(f"/api/v1/resources/{resource_id}", json={"capacity": 2})
        assert patched.json()["capacity"] == 2
        assert patched.json()["name"] == "Hidrolavadora"
        bad = client.patch(f"/api/v1/resources/{resource_id}", json={"capacity": 0})
        assert bad.status_code == 422
        assert bad.json()["error"]["details"]["field"] == "capacity"

        group = client.post(
            "/api/v1/resource-groups", json={"name": "Equipos", "resource_ids": [resource_id]}
        )
        assert group.status_code == 201
        foreign = client.post(
            "/api/v1/resource-groups", json={"name": "x", "resource_ids": ["not-ours"]}
        )
        assert foreign.status_code == 422

        service = client.post(
            "/api/v1/services",
            json={"name": "Encerado", "duration_minutes": 45, "resource_ids": [resource_id]},
        )
        assert service.status_code == 201, service.text
        service_id = service.json()["id"]
        assert service.json()["currency"] == "ARS"
        in_use = client.delete(f"/api/v1/resource-groups/{tenant.group.id}")
        assert in_use.status_code == 409  # the tenant's service uses it

        names = {s["name"] for s in client.get("/api/v1/services").json()["items"]}
        assert names == {"Lavado completo", "Encerado"}
        assert client.delete(f"/api/v1/services/{service_id}").status_code == 204
        assert client.get(f"/api/v1/services/{service_id}").json()["active"] is False
        assert client.delete(f"/api/v1/branches/{branch_id}").status_code == 204
        assert client.get(f"/api/v1/branches/{branch_id}").status_code == 404
        assert client.get(f"/api/v1/resources/{resource_id}").json()["branch_ids"] == []
        missing = client.post("/api/v1/services", json={"name": "x"})
        assert missing.status_code == 422
        assert missing.json()["error"]["details"]["field"] == "duration_minutes"


def test_rules_exceptions_and_blocks_shape_availability(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    juan = tenant.resources[0].id
    day = tenant.day()

    def juan_slots(client: object) -> list[str]:
        answer = client.get(  # type: ignore[attr-defined]
            "/api/v1/availability",
            params={
                "service": tenant.service.id,
                "resource": juan,
                "from": day.isoformat(),
                "to": day.isoformat(),
            },
        )
        return [s["start"][11:16] for s in answer.json()["slots"]]

    with tenant.client() as client:
        rules = client.get("/api/v1/availability-rules", params={"resource": juan}).json()["items"]
        assert len(rules) == 7
        for rule in rules:
            assert client.delete(f"/api/v1/availability-rules/{rule['id']}").status_code == 204
        assert juan_slots(client) == []
        added = client.post(
            "/api/v1/availability-rules",
            json={"resource_id": juan, "weekday": day.weekday(), "start": "10:00", "end": "11:00"},
        )
        assert added.status_code == 201
        assert client.get(f"/api/v1/availability-rules/{added.json()['id']}").status_code == 200
        assert juan_slots(client) == ["10:00", "10:30"]

        block = client.post(
            "/api/v1/blocks",
            json={
                "resource_id": juan,
                "start": tenant.at(10).isoformat(),
                "end": tenant.at(10, 30).isoformat(),
                "reason": "service",
            },
        )
        assert block.status_code == 201
        assert juan_slots(client) == ["10:30"]
        listed = client.get(
            "/api/v1/blocks",
            params={"from": tenant.at(0).isoformat(), "to": tenant.at(23).isoformat()},
        ).json()["items"]
        assert [b["id"] for b in listed] == [block.json()["id"]]
        assert client.delete(f"/api/v1/blocks/{block.json()['id']}").status_code == 204

        closed = client.post(
            "/api/v1/exceptions",
            json={
                "resource_id": juan,
                "start_date": day.isoformat(),
                "end_date": day.isoformat(),
                "reason": "feriado",
            },
        )
        assert closed.status_code == 201
        assert juan_slots(client) == []
        assert client.delete(f"/api/v1/exceptions/{closed.json()['id']}").status_code == 204
        assert juan_slots(client) == ["10:00", "10:30"]

        backwards = client.post(
            "/api/v1/blocks",
            json={
                "resource_id": juan,
                "start": tenant.at(11).isoformat(),
                "end": tenant.at(10).isoformat(),
            },
        )
        assert backwards.status_code == 422
        assert backwards.json()["error"]["details"]["field"] == "end"


def test_customers_and_api_keys(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    with tenant.client() as client:
        created = client.post("/api/v1/customers", json={"name": "Lucía", "phone": "011 2345-6789"})
        assert created.status_code == 201, created.text
        assert created.json()["phone"] == "+541123456789"
        again = client.post("/api/v1/customers", json={"name": "Lucía", "phone": "+541123456789"})
        assert again.json()["id"] == created.json()["id"]
        changed = client.patch(
            f"/api/v1/customers/{created.json()['id']}", json={"email": "lucia@example.com"}
        )
        assert changed.json()["email"] == "lucia@example.com"
        assert changed.json()["name"] == "Lucía"
        bad_phone = client.post("/api/v1/customers", json={"name": "X", "phone": "abc"})
        assert bad_phone.status_code == 422

        key = client.post("/api/v1/api-keys", json={"name": "CRM"})
        assert key.status_code == 201
        raw = key.json()["key"]
        listed = client.get("/api/v1/api-keys").text
        assert raw not in listed  # shown once
    with live_hub.client(raw) as crm:
        assert crm.get("/api/v1/customers").status_code == 200
        assert crm.get(f"/api/v1/api-keys/{key.json()['id']}").json()["name"] == "CRM"
