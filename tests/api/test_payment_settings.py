"""``/api/v1/payments``: an integrator chooses a business's payment provider and sets its
credentials (sealed, never returned) and reads the webhook URLs; another business's key never
sees or changes them; bad input is a clear 4xx that changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet

from hub.services import setup
from tests.api.conftest import LiveHub, serve_hub
from tests.api.tenants import Tenant, create_tenant

SK = "sk_live_integrator_key_1"
WHSEC = "whsec_integrator_secret"
TZ = "America/Argentina/Buenos_Aires"


@pytest.fixture
def live(database_url: str) -> Iterator[LiveHub]:
    hub, served = serve_hub(database_url, encryption_key=Fernet.generate_key().decode())
    try:
        yield hub
    finally:
        served.stop()
        hub.hub.close()


def stored(tenant: Tenant) -> dict[str, object]:
    business = setup.find_business(tenant.live.hub.uow(), business_id=tenant.business.id)
    config = business.settings.get("payments")
    return dict(config) if isinstance(config, dict) else {}


def test_an_integrator_connects_stripe_and_never_reads_the_secrets(live: LiveHub) -> None:
    ours = create_tenant(live, timezone=TZ)
    theirs = create_tenant(live, timezone=TZ)
    with ours.client() as api:
        put = api.put(
            "/api/v1/payments",
            json={"provider": "stripe", "stripe_secret_key": SK, "stripe_webhook_secret": WHSEC},
        )
        assert put.status_code == 200, put.text
        assert SK not in put.text and WHSEC not in put.text
        shown = put.json()
        assert shown["provider"] == "stripe"
        assert shown["stripe_secret_key_set"] and shown["stripe_webhook_secret_set"]
        assert not shown["mercadopago_access_token_set"]
        assert shown["webhook_urls"]["stripe"].endswith(
            f"/connectors/payments/stripe/webhook?business={ours.business.id}"
        )
        # Leaving the secrets out keeps them; the other provider is added beside.
        again = api.put(
            "/api/v1/payments",
            json={
                "mercadopago_access_token": "APP_USR-integrator",
                "mercadopago_webhook_secret": "mp-secret-1",
            },
        )
        assert again.status_code == 200
        assert again.json()["provider"] == "stripe" and again.json()["stripe_secret_key_set"]
        read = api.get("/api/v1/payments")
        assert read.status_code == 200 and "APP_USR-integrator" not in read.text
        assert read.json()["mercadopago_access_token_set"]
        spec = api.get("/api/v1/openapi.json").json()
        assert set(spec["paths"]["/api/v1/payments"]) >= {"get", "put"}
    config = stored(ours)
    assert SK not in str(config) and WHSEC not in str(config)
    assert str(config["stripe"]["secret_key"]).startswith("fernet:")  # type: ignore[index]

    with theirs.client() as other:
        seen = other.get("/api/v1/payments").json()
        assert seen["provider"] == "" and not seen["stripe_secret_key_set"]
        assert ours.business.id not in str(seen)
        assert other.put("/api/v1/payments", json={"provider": "stripe"}).status_code == 422
    assert stored(theirs) == {}
    assert stored(ours)["provider"] == "stripe"


def test_bad_input_is_refused_and_changes_nothing(live: LiveHub) -> None:
    tenant = create_tenant(live, timezone=TZ)
    with tenant.client() as api:
        unknown = api.put("/api/v1/payments", json={"provider": "paypal"})
        assert unknown.status_code == 422
        publishable = api.put(
            "/api/v1/payments",
            json={"provider": "stripe", "stripe_secret_key": "pk_test_abcdefghij"},
        )
        assert publishable.status_code == 422
        assert publishable.json()["error"]["details"]["field"] == "stripe_secret_key"
        half = api.put("/api/v1/payments", json={"provider": "stripe", "stripe_secret_key": SK})
        assert half.status_code == 422
        assert half.json()["error"]["details"]["field"] == "stripe_webhook_secret"
        assert api.put("/api/v1/payments", content=b"{").status_code == 400
        assert api.put("/api/v1/payments", json={"secret_key": SK}).status_code == 422
    assert stored(tenant) == {}
    with live.client() as anonymous:
        assert anonymous.get("/api/v1/payments").status_code == 401


def test_secrets_need_the_encryption_key(database_url: str) -> None:
    hub, served = serve_hub(database_url, production=True, secret_key="s" * 40)
    try:
        tenant = create_tenant(hub, timezone=TZ)
        with tenant.client() as api:
            refused = api.put(
                "/api/v1/payments",
                json={
                    "provider": "stripe",
                    "stripe_secret_key": SK,
                    "stripe_webhook_secret": WHSEC,
                },
            )
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "encryption_key_missing"
        assert stored(tenant) == {}
    finally:
        served.stop()
        hub.hub.close()
