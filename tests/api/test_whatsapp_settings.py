"""``/api/v1/whatsapp``: an integrator sets a business's WhatsApp number and credentials
(sealed, never returned) and reads the webhook URL and template status; another business's
key never sees or changes them; bad input is a clear 4xx that changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet

from hub.services import setup
from tests.api.conftest import LiveHub, serve_hub
from tests.api.tenants import Tenant, create_tenant

TOKEN = "EAAG-integrator-token"


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
    config = business.settings.get("whatsapp")
    return dict(config) if isinstance(config, dict) else {}


def test_an_integrator_sets_whatsapp_and_never_reads_the_secrets(live: LiveHub) -> None:
    ours = create_tenant(live, timezone="America/Argentina/Buenos_Aires")
    theirs = create_tenant(live, timezone="America/Argentina/Buenos_Aires")
    with ours.client() as api:
        put = api.put(
            "/api/v1/whatsapp",
            json={
                "phone_number_id": "106540352242922",
                "waba_id": "102290129340398",
                "token": TOKEN,
                "app_secret": "s3cret",
            },
        )
        assert put.status_code == 200, put.text
        shown = put.json()
        assert TOKEN not in put.text and "s3cret" not in put.text
        assert shown["token_set"] and shown["app_secret_set"] and not shown["verify_token_set"]
        assert shown["webhook_url"].endswith(f"/connectors/whatsapp/webhook/{ours.business.id}")
        reminder = next(
            t for t in shown["templates"] if (t["kind"], t["language"]) == ("reminder", "es")
        )
        assert (reminder["name"], reminder["code"]) == ("turnero_reminder", "es_AR")
        # Leaving the token out keeps it.
        again = api.put("/api/v1/whatsapp", json={"phone_number_id": "106540352242999"})
        assert again.status_code == 200 and again.json()["token_set"]
        spec = api.get("/api/v1/openapi.json").json()
        assert "/api/v1/whatsapp" in spec["paths"]
    config = stored(ours)
    assert str(config["token"]).startswith("fernet:") and TOKEN not in str(config)
    assert config["phone_number_id"] == "106540352242999"

    with theirs.client() as other:
        seen = other.get("/api/v1/whatsapp").json()
        assert seen["phone_number_id"] == "" and not seen["token_set"]
    assert stored(theirs) == {}


def test_bad_input_is_refused_and_changes_nothing(live: LiveHub) -> None:
    tenant = create_tenant(live, timezone="America/Argentina/Buenos_Aires")
    with tenant.client() as api:
        letters = api.put("/api/v1/whatsapp", json={"phone_number_id": "12ab", "token": TOKEN})
        assert letters.status_code == 422
        no_token = api.put("/api/v1/whatsapp", json={"phone_number_id": "106540352242922"})
        assert no_token.status_code == 422
        assert no_token.json()["error"]["details"]["field"] == "token"
        assert api.put("/api/v1/whatsapp", content=b"{").status_code == 400
    assert stored(tenant) == {}
    with live.client() as anonymous:
        assert anonymous.get("/api/v1/whatsapp").status_code == 401


def test_secrets_need_the_encryption_key(database_url: str) -> None:
    # In production the sealing key comes only from the environment (elsewhere the hub makes
    # one in its data directory): without it nothing is stored in the clear.
    hub, served = serve_hub(database_url, production=True, secret_key="s" * 40)
    try:
        tenant = create_tenant(hub, timezone="America/Argentina/Buenos_Aires")
        with tenant.client() as api:
            refused = api.put(
                "/api/v1/whatsapp", json={"phone_number_id": "106540352242922", "token": TOKEN}
            )
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "encryption_key_missing"
        assert stored(tenant) == {}
    finally:
        served.stop()
        hub.hub.close()


def test_which_messages_go_by_whatsapp_is_set_per_kind(live: LiveHub) -> None:
    ours = create_tenant(live, timezone="America/Argentina/Buenos_Aires")
    theirs = create_tenant(live, timezone="America/Argentina/Buenos_Aires")
    with ours.client() as api:
        assert api.get("/api/v1/whatsapp").json()["messages_off"] == []
        bad = api.put("/api/v1/whatsapp", json={"messages_off": ["reminder", "gossip"]})
        assert bad.status_code == 422
        assert "messages_off" not in stored(ours)
        put = api.put("/api/v1/whatsapp", json={"messages_off": ["thank_you", "reminder"]})
        assert put.status_code == 200, put.text
        assert put.json()["messages_off"] == ["reminder", "thank_you"]
        # Setting credentials later leaves the choice as it was.
        api.put("/api/v1/whatsapp", json={"phone_number_id": "106540352242922", "token": TOKEN})
        assert api.get("/api/v1/whatsapp").json()["messages_off"] == ["reminder", "thank_you"]
    with theirs.client() as api:
        assert api.get("/api/v1/whatsapp").json()["messages_off"] == []
