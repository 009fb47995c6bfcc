"""NUL (and the other control characters PostgreSQL or an encoder cannot take) in a path, a
query parameter, a JSON value or a form field is answered 422 naming the field — on every
API operation of the live OpenAPI document and every form the pages accept, so a route added
later is covered without touching this file. On SQLite and PostgreSQL (where NUL in text
used to reach the driver and answer 500).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.routing import Mount, Route

from hub.app import create_app
from hub.domain.accounts import Role
from hub.services import accounts
from tests.api.conftest import LiveHub
from tests.api.tenants import Tenant

NUL = "a\x00b"
CSRF = secrets.token_urlsafe(24)


def _operations(live: LiveHub) -> Iterator[tuple[str, str, dict[str, Any]]]:
    document = httpx.get(f"{live.base_url}/api/v1/openapi.json").json()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def _fill(path: str, tenant: Tenant, bad: str | None = None) -> str:
    """``path`` with its parameters filled in (the one named ``bad`` with a NUL)."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == bad:
            return "a%00b"
        return tenant.slug if name == "slug" else "x"

    return re.sub(r"{(\w+)}", value, path)


def _field(answer: httpx.Response) -> str:
    assert answer.status_code == 422, f"{answer.status_code} {answer.text[:300]}"
    return str(answer.json()["error"]["details"]["field"])


def _each(live: LiveHub, check: Any, at_least: int) -> None:
    """Run ``check`` on every operation; report every operation that fails, not the first."""
    failures = []
    count = 0
    for method, path, operation in _operations(live):
        try:
            count += check(method, path, operation)
        except AssertionError as exc:
            failures.append(f"{method} {path}: {exc}")
    assert count >= at_least, f"only {count} requests made: the document lost operations?"
    assert not failures, "\n".join(failures)


@pytest.fixture
def tenant(live_hub: LiveHub) -> Tenant:
    return live_hub.tenant()


def test_nul_in_a_path_parameter(live_hub: LiveHub, tenant: Tenant) -> None:
    def check(method: str, path: str, operation: dict[str, Any]) -> int:
        names = re.findall(r"{(\w+)}", path)
        for name in names:
            with tenant.client() as client:
                answer = client.request(method, _fill(path, tenant, bad=name), json={})
            assert _field(answer) == "path"
        return len(names)

    _each(live_hub, check, at_least=30)


def test_nul_in_a_query_parameter(live_hub: LiveHub, tenant: Tenant) -> None:
    def check(method: str, path: str, operation: dict[str, Any]) -> int:
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        for name in names:
            with tenant.client() as client:
                answer = client.request(method, _fill(path, tenant), params={name: NUL}, json={})
            assert _field(answer) == name
        return len(names)

    _each(live_hub, check, at_least=25)


def test_nul_in_a_json_value(live_hub: LiveHub, tenant: Tenant) -> None:
    def check(method: str, path: str, operation: dict[str, Any]) -> int:
        body = operation.get("requestBody")
        if body is None:
            return 0
        schema = body["content"]["application/json"]["schema"]
        names = list(schema.get("properties", {})) or ["value"]
        sent = 0
        for name in names:
            for value, field in (
                (NUL, name),
                ({"inner": NUL}, f"{name}.inner"),
                ([NUL], f"{name}.0"),
            ):
                with tenant.client() as client:
                    answer = client.request(method, _fill(path, tenant), json={name: value})
                assert _field(answer) == field
                sent += 1
        with tenant.client() as client:  # a lone surrogate cannot be stored or encoded either
            answer = client.request(
                method,
                _fill(path, tenant),
                content=b'{"%s": "\\ud800"}' % names[0].encode(),
                headers={"Content-Type": "application/json"},
            )
        assert _field(answer) == names[0]
        return sent + 1

    _each(live_hub, check, at_least=100)


def _page_forms(live: LiveHub) -> list[str]:
    """Every POST route of the pages (/book and /console), from the app's route table."""
    found: list[str] = []

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if isinstance(route, Mount):
                walk(list(route.routes), prefix + route.path)
            elif isinstance(route, Route) and "POST" in (route.methods or ()):
                found.append(prefix + route.path)

    app = create_app(live.hub)
    walk(list(app.routes), "")
    return sorted(p for p in found if p.startswith(("/book/", "/console/")))


def _signed_in(live: LiveHub, tenant: Tenant) -> httpx.Client:
    password = secrets.token_urlsafe(12)
    email = f"admin-{secrets.token_hex(3)}@{tenant.slug}.test"
    accounts.create_user(
        live.hub.accounts_uow(),
        business_id=tenant.business.id,
        email=email,
        role=Role.BUSINESS_ADMIN,
        now=live.now(),
        password=password,
    )
    client = live.client(follow_redirects=False)
    client.cookies.set("turnero_csrf", CSRF)
    answer = client.post(
        "/console/login", data={"csrf_token": CSRF, "email": email, "password": password}
    )
    assert answer.status_code == 303, answer.text[:300]
    return client


def test_nul_in_a_page_form_field(live_hub: LiveHub, tenant: Tenant) -> None:
    forms = _page_forms(live_hub)
    assert len(forms) >= 30, forms
    booking = httpx.post(
        f"{live_hub.base_url}/api/v1/public/businesses/{tenant.slug}/bookings",
        json=tenant.booking_body(),
    ).json()
    token = booking["manage_url"].rstrip("/").rsplit("/", 1)[1]
    failures = []
    refusals = 0
    client = _signed_in(live_hub, tenant)
    try:
        for form in forms:
            path = re.sub(r"{token}", token, re.sub(r"{slug}", tenant.slug, form))
            path = re.sub(r"{(\w+)(:\w+)?}", "x", path)
            for field in ("email", "notes", "name"):
                answer = client.post(path, data={"csrf_token": CSRF, field: NUL})
                # 404: the path names nothing (ids made up here), checked before the form.
                refused = answer.status_code == 422 and field in answer.text
                if not refused and answer.status_code != 404:
                    failures.append(f"{form} ({field}): {answer.status_code} {answer.text[:200]}")
                refusals += refused
    finally:
        client.close()
    assert not failures, "\n".join(failures)
    assert refusals >= 3 * 30, f"only {refusals} forms read the field"
