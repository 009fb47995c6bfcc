"""A business's email domains over the API: an integrator claims one, the link emailed to an
address at the domain verifies it (once, while fresh), the list says so, and it can be given
up. Public mail providers and malformed names are refused; a domain another business
verified is a 409 that does not say which business."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import LiveHub, serve_hub
from tests.pages.helpers import csrf_of, text_of

LINK = re.compile(r"/console/domains/verify/([A-Za-z0-9_\-]+)")
DOMAIN = "estudio-acme.com.ar"


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


def _last_token(live: LiveHub, to: str) -> str:
    found = LINK.search(_mails(live, to)[-1])
    assert found is not None
    return found.group(1)


def _open_link(live: LiveHub, token: str) -> httpx.Response:
    """Whoever got the email opens the link and presses the button."""
    with httpx.Client(base_url=live.base_url, headers={"Accept-Language": "es-AR"}) as browser:
        page = browser.get(f"/console/domains/verify/{token}")
        assert page.status_code == 200
        return browser.post(
            f"/console/domains/verify/{token}", data={"csrf_token": csrf_of(page.text)}
        )


def _claim(client: httpx.Client, domain: str = DOMAIN, address: str = "") -> httpx.Response:
    return client.post(
        "/api/v1/domains", json={"domain": domain, "address": address or f"it@{domain}"}
    )


def test_claim_verify_by_the_emailed_link_and_give_it_up(live: LiveHub) -> None:
    tenant = live.tenant()
    with tenant.client() as client:
        claimed = _claim(client, "Estudio-Acme.com.ar", "IT@estudio-acme.com.ar")
        assert claimed.status_code == 201, claimed.text
        assert claimed.json()["domain"] == DOMAIN and claimed.json()["verified"] is False
        (mail,) = _mails(live, "it@estudio-acme.com.ar")
        assert DOMAIN in mail and "48 horas" in mail  # in the business's language
        token = _last_token(live, "it@estudio-acme.com.ar")
        # Fetching the link (as a mail scanner does) verifies nothing.
        httpx.get(f"{live.base_url}/console/domains/verify/{token}")
        assert client.get("/api/v1/domains").json()["items"][0]["verified"] is False

        done = _open_link(live, token)
        assert done.status_code == 200
        assert DOMAIN in text_of(done.text) and "verificado" in text_of(done.text)
        (item,) = client.get("/api/v1/domains").json()["items"]
        assert item["verified"] is True and item["verified_at"] is not None
        # The link works once.
        assert _open_link(live, token).status_code == 410
        # Claiming it again changes nothing and sends nothing.
        again = _claim(client)
        assert again.status_code == 200 and again.json()["verified"] is True
        assert len(_mails(live, f"it@{DOMAIN}")) == 1

        # Someone on the domain signs in with Google: the staff list says how they came.
        joined = live.hub.core.sign_in_with_google(f"lucia@{DOMAIN}", email_verified=True)
        assert joined is not None and joined.business_id == tenant.business.id
        staff = {u["email"]: u for u in client.get("/api/v1/staff").json()["items"]}
        assert staff[f"lucia@{DOMAIN}"]["role"] == "employee"
        assert staff[f"lucia@{DOMAIN}"]["joined_via"] == "google_domain"

        gone = client.delete(f"/api/v1/domains/{DOMAIN}")
        assert gone.status_code == 200
        assert client.get("/api/v1/domains").json()["items"] == []
        assert client.delete(f"/api/v1/domains/{DOMAIN}").status_code == 404


def test_an_old_link_is_refused_and_a_new_one_replaces_it(live: LiveHub) -> None:
    tenant = live.tenant()
    with tenant.client() as client:
        assert _claim(client).status_code == 201
        first = _last_token(live, f"it@{DOMAIN}")
        live.travel(timedelta(hours=49))
        expired = _open_link(live, first)
        assert expired.status_code == 410
        assert "ya no sirve" in text_of(expired.text)
        # Sending it again (to another address at the domain) gives a link that works; the
        # old one stays dead.
        assert _claim(client, DOMAIN, f"sistemas@{DOMAIN}").status_code == 201
        second = _last_token(live, f"sistemas@{DOMAIN}")
        assert second != first
        assert _open_link(live, first).status_code == 410
        assert _open_link(live, second).status_code == 200
        assert client.get("/api/v1/domains").json()["items"][0]["verified"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"domain": "gmail.com", "address": "yo@gmail.com"}, "domain"),
        ({"domain": "yahoo.com.ar", "address": "yo@yahoo.com.ar"}, "domain"),
        ({"domain": "hotmail.es", "address": "yo@hotmail.es"}, "domain"),
        ({"domain": "outlook.com", "address": "yo@outlook.com"}, "domain"),
        ({"domain": "icloud.com", "address": "yo@icloud.com"}, "domain"),
        ({"domain": "proton.me", "address": "yo@proton.me"}, "domain"),
        ({"domain": "acme", "address": "it@acme"}, "domain"),
        ({"domain": "acme..com", "address": "it@acme.com"}, "domain"),
        ({"domain": "-acme.com", "address": "it@acme.com"}, "domain"),
        ({"domain": "acme.com/x", "address": "it@acme.com"}, "domain"),
        ({"domain": "acme.com", "address": "it@otra.com"}, "address"),
        ({"domain": "acme.com", "address": "it@ventas.acme.com"}, "address"),
        ({"domain": "acme.com"}, None),
        ({"domain": "acme.com", "address": "it@acme.com", "extra": 1}, None),
    ],
)
def test_public_or_malformed_domains_are_refused(
    live: LiveHub, body: dict[str, object], field: str | None
) -> None:
    tenant = live.tenant()
    with tenant.client() as client:
        refused = client.post("/api/v1/domains", json=body)
        assert refused.status_code == 422, refused.text
        if field is not None:
            assert refused.json()["error"]["details"]["field"] == field
        assert client.get("/api/v1/domains").json()["items"] == []
    assert list(live.hub.settings.mail_dir.glob("*.eml")) == []


def test_a_domain_verified_elsewhere_is_409_and_names_nobody(live: LiveHub) -> None:
    first, second = live.tenant(), live.tenant()
    with first.client() as a, second.client() as b:
        # Both may have it pending; whoever verifies first keeps it.
        assert _claim(a).status_code == 201
        a_token = _last_token(live, f"it@{DOMAIN}")
        assert _claim(b, DOMAIN, f"otro@{DOMAIN}").status_code == 201
        b_token = _last_token(live, f"otro@{DOMAIN}")
        assert _open_link(live, a_token).status_code == 200

        late = _open_link(live, b_token)
        assert late.status_code == 409
        assert first.business.name not in late.text and first.slug not in late.text

        taken = _claim(b)
        assert taken.status_code == 409
        assert taken.json()["error"]["code"] == "domain_taken"
        assert first.business.name not in taken.text and first.slug not in taken.text
        assert first.business.id not in taken.text
        (pending,) = b.get("/api/v1/domains").json()["items"]
        assert pending["verified"] is False
        # The other business giving it up removes only its own pending claim.
        assert b.delete(f"/api/v1/domains/{DOMAIN}").status_code == 200
        assert a.get("/api/v1/domains").json()["items"][0]["verified"] is True
        assert b.delete(f"/api/v1/domains/{DOMAIN}").status_code == 404


def test_domains_need_an_api_key_and_are_in_the_openapi_document(live: LiveHub) -> None:
    with live.client() as anonymous:
        assert anonymous.get("/api/v1/domains").status_code == 401
        assert _claim(anonymous).status_code == 401
    document = httpx.get(f"{live.base_url}/api/v1/openapi.json").json()
    assert {"get", "post"} <= set(document["paths"]["/api/v1/domains"])
    assert "delete" in document["paths"]["/api/v1/domains/{domain}"]
