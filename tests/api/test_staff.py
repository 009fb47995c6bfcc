"""The business's staff over the API: an integrator lists them, invites one by email (they set
their own password from the link), changes role and linked resources, and removes one (their
sessions and calendar app passwords end). Same rules as the console; another business's
staff are not there."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path

import httpx
import pytest

from hub.domain.accounts import Role
from hub.services import accounts, sessions
from tests.api.conftest import LiveHub, serve_hub
from tests.api.tenants import Tenant

LINK = re.compile(r"/console/set-password/([A-Za-z0-9_\-.]+)")


@pytest.fixture
def live(database_url: str, tmp_path: Path) -> Iterator[LiveHub]:
    served_hub, served = serve_hub(database_url, mail_dir=tmp_path / "mail")
    try:
        yield served_hub
    finally:
        served.stop()
        served_hub.hub.close()


def _mails(live: LiveHub, to: str) -> list[str]:
    found = []
    for path in sorted(live.hub.settings.mail_dir.glob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if message["To"] == to:
            found.append(str(message["Subject"]) + "\n" + message.get_content())
    return found


def _admin(tenant: Tenant, email: str = "duena@example.com") -> str:
    hub = tenant.live.hub
    user = accounts.create_user(
        hub.accounts_uow(),
        business_id=tenant.business.id,
        email=email,
        role=Role.BUSINESS_ADMIN,
        password="una-clave-larga",
        now=hub.now(),
    )
    return user.id


def test_invite_list_change_and_remove_staff(live: LiveHub) -> None:
    tenant = live.tenant()
    _admin(tenant)
    with tenant.client() as client:
        invited = client.post(
            "/api/v1/staff",
            json={
                "email": "Carla@Example.com",
                "name": "Carla",
                "role": "employee",
                "resource_ids": [tenant.resources[0].id],
            },
        )
        assert invited.status_code == 201, invited.text
        carla = invited.json()
        assert carla["email"] == "carla@example.com" and carla["role"] == "employee"
        assert carla["resource_ids"] == [tenant.resources[0].id]
        assert carla["active"] is True and carla["has_password"] is False
        # The invitation arrives by email, in the business's language, with a working link.
        (mail,) = _mails(live, "carla@example.com")
        assert "te invitó" in mail and "72 horas" in mail
        token = LINK.search(mail)
        assert token is not None
        with live.client() as browser:
            assert browser.get(f"/console/set-password/{token.group(1)}").status_code == 200

        listed = client.get("/api/v1/staff").json()["items"]
        assert {u["email"] for u in listed} == {"duena@example.com", "carla@example.com"}
        assert client.get(f"/api/v1/staff/{carla['id']}").json() == carla

        changed = client.patch(
            f"/api/v1/staff/{carla['id']}",
            json={"resource_ids": [tenant.resources[1].id, tenant.resources[0].id]},
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["resource_ids"] == [tenant.resources[1].id, tenant.resources[0].id]
        assert changed.json()["role"] == "employee"
        promoted = client.patch(f"/api/v1/staff/{carla['id']}", json={"role": "business_admin"})
        assert promoted.json()["role"] == "business_admin"

        # Carla set a password, signed in, and linked a calendar app; removing her ends both.
        hub = live.hub
        accounts.set_password(hub.accounts_uow(), carla["id"], "lavar-autos-2")
        session = sessions.start_session(hub.accounts_uow(), carla["id"], hub.now())
        accounts.create_app_password(hub.accounts_uow(), carla["id"], hub.now())
        removed = client.delete(f"/api/v1/staff/{carla['id']}")
        assert removed.status_code == 200, removed.text
        assert removed.json()["active"] is False
        assert sessions.resume_session(hub.accounts_uow(), session, hub.now()) is None
        assert accounts.list_app_passwords(hub.accounts_uow(), carla["id"]) == []
        listed = {u["email"]: u for u in client.get("/api/v1/staff").json()["items"]}
        assert listed["carla@example.com"]["active"] is False
        again = client.patch(f"/api/v1/staff/{carla['id']}", json={"role": "employee"})
        assert again.status_code == 409


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"email": "not-an-email", "role": "employee"}, 422, None),
        ({"email": "x@example.com", "role": "platform_admin"}, 422, None),
        ({"email": "x@example.com"}, 422, None),
        ({"email": "x@example.com", "role": "employee", "password": "x"}, 422, None),
        ({"email": "x@example.com", "role": "employee", "resource_ids": ["nope"]}, 422,
         "resource_ids"),
        ({"email": "duena@example.com", "role": "employee"}, 409, "email"),
    ],
)  # fmt: skip
def test_a_bad_invitation_is_refused_and_changes_nothing(
    live: LiveHub, body: dict[str, object], status: int, field: str | None
) -> None:
    tenant = live.tenant()
    _admin(tenant)
    with tenant.client() as client:
        answer = client.post("/api/v1/staff", json=body)
        assert answer.status_code == status, answer.text
        if field:
            assert answer.json()["error"]["details"]["field"] == field
        assert len(client.get("/api/v1/staff").json()["items"]) == 1
    assert _mails(live, "x@example.com") == []


def test_the_last_admin_stays_and_links_are_to_own_resources(live: LiveHub) -> None:
    tenant, other = live.tenant(), live.tenant()
    owner = _admin(tenant)
    with tenant.client() as client:
        demoted = client.patch(f"/api/v1/staff/{owner}", json={"role": "employee"})
        assert demoted.status_code == 409
        assert "admin" in demoted.json()["error"]["message"]
        assert client.delete(f"/api/v1/staff/{owner}").status_code == 409
        foreign = client.patch(
            f"/api/v1/staff/{owner}", json={"resource_ids": [other.resources[0].id]}
        )
        assert foreign.status_code == 422
        (me,) = client.get("/api/v1/staff").json()["items"]
        assert me["role"] == "business_admin" and me["active"] and me["resource_ids"] == []
        # With a second admin, the first may step down.
        second = client.post(
            "/api/v1/staff", json={"email": "socia@example.com", "role": "business_admin"}
        )
        assert second.status_code == 201
        assert client.patch(f"/api/v1/staff/{owner}", json={"role": "employee"}).status_code == 200


def test_staff_are_the_business_own(live: LiveHub) -> None:
    a, b = live.tenant(), live.tenant()
    b_admin = _admin(b, "admin-b@example.com")
    with a.client() as client:
        assert client.get("/api/v1/staff").json()["items"] == []
        for method, body in (("GET", None), ("PATCH", {"role": "employee"}), ("DELETE", None)):
            answer = client.request(method, f"/api/v1/staff/{b_admin}", json=body)
            assert answer.status_code == 404, (method, answer.text)
    with httpx.Client(base_url=live.base_url) as anonymous:
        assert anonymous.get("/api/v1/staff").status_code == 401
        assert anonymous.post("/api/v1/staff", json={}).status_code == 401
    with b.client() as client:
        (still,) = client.get("/api/v1/staff").json()["items"]
        assert still["active"] is True and still["role"] == "business_admin"


def test_staff_routes_are_in_the_openapi_document(live: LiveHub) -> None:
    document = httpx.get(f"{live.base_url}/api/v1/openapi.json").json()
    assert {"get", "post"} <= set(document["paths"]["/api/v1/staff"])
    assert {"get", "patch", "delete"} <= set(document["paths"]["/api/v1/staff/{id}"])
