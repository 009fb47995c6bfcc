"""``/api/v1/webhooks`` over HTTP against the served app: subscriptions with a secret shown
once, the test ping and its log, secret rotation, replay, tenant isolation, SSRF refusals."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import pytest

from connectors.crm_webhooks import subscriptions
from connectors.crm_webhooks.engine import Webhooks
from tests.api.conftest import LiveHub, serve_hub
from tests.crm_webhooks.receiver import Receiver


@pytest.fixture
def live(database_url: str) -> Iterator[LiveHub]:
    served_hub, served = serve_hub(database_url)
    hub = served_hub.hub
    hub.settings = dataclasses.replace(hub.settings, webhook_allow_hosts=("127.0.0.1",))
    try:
        yield served_hub
    finally:
        served.stop()
        hub.close()


def test_subscriptions_are_managed_per_business_and_the_secret_is_shown_once(
    live: LiveHub, receiver: Receiver
) -> None:
    tenant, other = live.tenant(), live.tenant()
    with tenant.client() as api, other.client() as stranger:
        created = api.post(
            "/api/v1/webhooks",
            json={"url": receiver.url, "event_types": ["booking.created"], "description": "CRM"},
        )
        assert created.status_code == 201, created.text
        hook = created.json()
        assert hook["secret"].startswith("whsec_")
        assert hook["event_types"] == ["booking.created"] and hook["active"] is True

        shown = api.get(f"/api/v1/webhooks/{hook['id']}").json()
        assert "secret" not in shown and shown["url"] == receiver.url
        assert [h["id"] for h in api.get("/api/v1/webhooks").json()["items"]] == [hook["id"]]

        changed = api.patch(f"/api/v1/webhooks/{hook['id']}", json={"event_types": ["*"]})
        assert changed.status_code == 200 and changed.json()["event_types"] == ["*"]
        bad = api.post("/api/v1/webhooks", json={"url": receiver.url, "event_types": ["nope"]})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"

        # Another business sees nothing and can change nothing.
        assert stranger.get("/api/v1/webhooks").json()["items"] == []
        for method in ("GET", "PATCH", "DELETE"):
            answer = stranger.request(
                method, f"/api/v1/webhooks/{hook['id']}", json={} if method == "PATCH" else None
            )
            assert answer.status_code == 404, method
            assert answer.json()["error"]["code"] == "not_found"
        assert stranger.post(f"/api/v1/webhooks/{hook['id']}/test").status_code == 404
        with live.client() as anonymous:
            assert anonymous.get("/api/v1/webhooks").status_code == 401

        assert api.delete(f"/api/v1/webhooks/{hook['id']}").status_code == 200
        assert api.get(f"/api/v1/webhooks/{hook['id']}").status_code == 404


def test_ping_is_signed_and_logged_and_rotation_keeps_both_secrets_for_a_day(
    live: LiveHub, receiver: Receiver
) -> None:
    tenant = live.tenant()
    with tenant.client() as api:
        hook = api.post("/api/v1/webhooks", json={"url": receiver.url}).json()
        old = hook["secret"]
        receiver.secrets = [old]
        ping = api.post(f"/api/v1/webhooks/{hook['id']}/test")
        assert ping.status_code == 200, ping.text
        delivery = ping.json()
        assert delivery["event_type"] == "ping" and delivery["status"] == "delivered"
        [line] = delivery["log"]
        assert line["status_code"] == 200 and line["latency_ms"] >= 0
        assert '"ok": true' in line["response"]
        assert receiver.received[-1].webhook_id == delivery["id"]

        rotated = api.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret").json()
        new = rotated["secret"]
        assert new != old and rotated["previous_secret_valid_until"] is not None
        receiver.secrets = [new]  # a receiver already on the new secret
        assert api.post(f"/api/v1/webhooks/{hook['id']}/test").json()["status"] == "delivered"
        receiver.secrets = [old]  # one still on the old secret
        assert api.post(f"/api/v1/webhooks/{hook['id']}/test").json()["status"] == "delivered"
        assert receiver.received[-1].signatures == 2

        log = api.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()["items"]
        assert len(log) == 3 and all(d["status"] == "delivered" for d in log)

    # A day later only the new secret signs.
    subscriptions.rotate_secret(
        live.hub.database, tenant.business.id, hook["id"], live.now() - timedelta(hours=25)
    )
    row = subscriptions.get(live.hub.database, tenant.business.id, hook["id"])
    webhooks = Webhooks(live.hub.database, live.hub.settings)
    try:
        receiver.secrets = [old, new, row.secret]
        webhooks.ping(tenant.business.id, hook["id"])
    finally:
        webhooks.close()
    last = receiver.received[-1]
    assert last.signatures == 1 and last.verified_with == row.secret


def test_replay_sends_a_delivery_again_with_its_webhook_id(
    live: LiveHub, receiver: Receiver
) -> None:
    tenant = live.tenant()
    with tenant.client() as api:
        hook = api.post("/api/v1/webhooks", json={"url": receiver.url}).json()
        receiver.secrets = [hook["secret"]]
        receiver.mode = "down"
        failed = api.post(f"/api/v1/webhooks/{hook['id']}/test").json()
        assert failed["status"] == "failed" and failed["log"][0]["status_code"] == 503
        receiver.mode = "up"

        one = api.post(f"/api/v1/webhooks/{hook['id']}/deliveries/{failed['id']}/replay")
        assert one.status_code == 202 and one.json()["ids"] == [failed["id"]]
        since = (live.now() - timedelta(hours=1)).isoformat()
        every = api.post(f"/api/v1/webhooks/{hook['id']}/replay", json={"since": since})
        assert every.status_code == 202
        assert every.json()["replayed"] == 0  # already pending again, not failed

    webhooks = Webhooks(live.hub.database, live.hub.settings)
    try:
        assert webhooks.drain().delivered == 1
    finally:
        webhooks.close()
    assert [r.webhook_id for r in receiver.received] == [failed["id"], failed["id"]]
    with tenant.client() as api:
        shown = api.get(f"/api/v1/webhooks/{hook['id']}/deliveries/{failed['id']}").json()
    assert shown["status"] == "delivered"
    assert [a["status_code"] for a in shown["log"]] == [503, 200]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]/x"]
)
def test_private_addresses_are_refused_without_the_allow_list(live: LiveHub, url: str) -> None:
    live.hub.settings = dataclasses.replace(live.hub.settings, webhook_allow_hosts=())
    tenant = live.tenant()
    with tenant.client() as api:
        answer = api.post("/api/v1/webhooks", json={"url": url})
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "url_refused"


def test_the_resolved_address_is_checked_at_send_time(live: LiveHub, receiver: Receiver) -> None:
    tenant = live.tenant()
    with tenant.client() as api:
        # "localhost" passes the check on save (a name); it resolves to loopback when sent.
        url = receiver.url.replace("127.0.0.1", "localhost")
        hook = api.post("/api/v1/webhooks", json={"url": url}).json()
        live.hub.settings = dataclasses.replace(live.hub.settings, webhook_allow_hosts=())
        refused = api.post(f"/api/v1/webhooks/{hook['id']}/test").json()
    assert refused["status"] == "failed"
    assert refused["log"][0]["status_code"] is None
    assert "refused" in refused["log"][0]["error"]
    assert receiver.requests == 0


def test_a_redirect_is_not_followed(live: LiveHub, receiver: Receiver) -> None:
    tenant = live.tenant()
    with tenant.client() as api:
        hook = api.post("/api/v1/webhooks", json={"url": receiver.url}).json()
        receiver.secrets = [hook["secret"]]
        receiver.mode = "redirect"
        answer = api.post(f"/api/v1/webhooks/{hook['id']}/test").json()
    assert answer["status"] == "failed" and answer["log"][0]["status_code"] == 307
    assert receiver.requests == 1
