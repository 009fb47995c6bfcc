"""Health, metrics, the OpenAPI document and the offline docs page, served for real."""

from __future__ import annotations

import re
from pathlib import Path

import anyio
import anyio.to_thread
import pytest

from hub.app import create_app
from hub.bootstrap import build_hub
from hub.config import Settings
from tests.api.conftest import LiveHub, serve_hub
from tests.conftest import _admin_execute


def test_healthz_reports_a_reachable_database(live_hub: LiveHub) -> None:
    with live_hub.client() as client:
        answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


@pytest.mark.postgres
def test_healthz_answers_503_when_the_database_goes_away(
    fresh_postgres_url: str, postgres_server_url: str
) -> None:
    live, served = serve_hub(fresh_postgres_url)
    try:
        with live.client() as client:
            assert client.get("/healthz").status_code == 200
            name = fresh_postgres_url.rsplit("/", 1)[1]
            _admin_execute(postgres_server_url, f'DROP DATABASE "{name}" WITH (FORCE)')
            answer = client.get("/healthz")
            search = client.get("/api/v1/public/businesses", params={"q": "x"})
        assert answer.status_code == 503
        assert answer.json()["status"] == "unavailable"
        # Any other request answers "try again", not a 500, while the database is away.
        assert search.status_code == 503
        assert search.json()["error"]["code"] == "unavailable"
        assert search.headers["retry-after"] == "5"
    finally:
        served.stop()
        live.hub.close()


def test_openapi_document_is_3_1_and_lists_the_contract_paths(live_hub: LiveHub) -> None:
    with live_hub.client() as client:
        doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"] == "3.1.0"
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_docs_page_and_its_assets_are_served_locally(live_hub: LiveHub) -> None:
    with live_hub.client(follow_redirects=True) as client:
        page = client.get("/api/docs")
        assert page.status_code == 200
        start = client.get("/api/docs/start.js")
        assert "/api/v1/openapi.json" in start.text
        assert "https://" not in page.text + start.text  # nothing from a CDN
        bundle = client.get("/api/docs/static/swagger-ui-bundle.js")
        css = client.get("/api/docs/static/swagger-ui.css")
    assert bundle.status_code == 200
    assert "SwaggerUIBundle" in bundle.text
    assert css.status_code == 200


def test_docs_page_runs_under_a_content_security_policy(live_hub: LiveHub) -> None:
    with live_hub.client(follow_redirects=True) as client:
        page = client.get("/api/docs")
    policy = dict(
        part.strip().split(" ", 1)
        for part in page.headers["content-security-policy"].split(";")
        if " " in part.strip()
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["connect-src"] == f"'self' {live_hub.base_url}"
    # Every script is a file of this origin, so 'self' lets the page run (no inline code).
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, flags=re.S)
    assert scripts and all('src="/api/docs/' in attrs and not body for attrs, body in scripts)


def test_metrics_are_not_public(live_hub: LiveHub) -> None:
    with live_hub.client() as client:
        # Through a reverse proxy, the request comes from elsewhere: refused.
        relayed = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"})
        assert relayed.status_code == 403
        assert "TURNERO_METRICS_TOKEN" in relayed.text
        assert client.get("/metrics", headers={"X-Real-IP": "203.0.113.5"}).status_code == 403
        # Prometheus on the machine itself reads them.
        assert client.get("/metrics").status_code == 200


def test_metrics_behind_a_token(sqlite_url: str) -> None:
    live, served = serve_hub(sqlite_url, metrics_token="m3trics-t0ken-for-prometheus")
    try:
        with live.client() as client:
            assert client.get("/metrics").status_code == 401
            wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
            assert wrong.headers["www-authenticate"].startswith("Bearer")
            bearer = {"Authorization": "Bearer m3trics-t0ken-for-prometheus"}
            right = client.get("/metrics", headers={**bearer, "X-Forwarded-For": "203.0.113.5"})
        assert right.status_code == 200
        assert "turnero_http_requests_total" in right.text
    finally:
        served.stop()
        live.hub.close()


def test_unknown_api_path_is_a_json_404(live_hub: LiveHub) -> None:
    with live_hub.client() as client:
        answer = client.get("/api/v1/no-such-thing")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_metrics_count_requests_by_route_template(live_hub: LiveHub) -> None:
    with live_hub.client() as client:
        client.get("/healthz")
        client.get("/api/v1/openapi.json")
        text = client.get("/metrics").text
    assert 'turnero_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in text
    assert 'route="/api/v1/openapi.json"' in text
    assert "turnero_http_request_duration_seconds_bucket" in text


def test_metrics_count_bookings_created(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    with tenant.client() as client:
        made = client.post("/api/v1/bookings", json=tenant.booking_body(10)).json()
        client.get(f"/api/v1/bookings/{made['id']}")
        client.post(
            f"/api/v1/public/businesses/{tenant.slug}/bookings", json=tenant.booking_body(11)
        )
        client.post("/api/v1/bookings", json=tenant.booking_body(20))  # refused: not counted
        text = client.get("/metrics").text
    assert 'turnero_bookings_created_total{channel="api"} 1.0' in text
    assert 'turnero_bookings_created_total{channel="public_api"} 1.0' in text
    assert 'route="/api/v1/bookings/{id}"' in text
    assert made["id"] not in text  # labelled by template, never by raw path
    assert (
        'turnero_http_requests_total{method="POST",route="/api/v1/bookings",status="409"} 1.0'
        in text
    )


def test_web_threads_bound_the_requests_doing_database_work_at_once(tmp_path: Path) -> None:
    settings = Settings.from_env({"TURNERO_DATA_DIR": str(tmp_path), "TURNERO_WEB_THREADS": "3"})
    hub = build_hub(settings)
    app = create_app(hub)

    async def tokens_while_serving() -> float:
        async with app.router.lifespan_context(app):
            return anyio.to_thread.current_default_thread_limiter().total_tokens

    try:
        assert anyio.run(tokens_while_serving) == 3
    finally:
        hub.close()
    assert Settings.from_env({"TURNERO_DATA_DIR": str(tmp_path)}).web_threads == 8
