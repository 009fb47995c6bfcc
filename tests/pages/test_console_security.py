"""Console sessions and sign-in under attack, over HTTP: a cookie forged with the secret
that used to ship in the source, a copied cookie after sign-out, other browsers after a
password change, a removed staff member, a stranger guessing passwords from another
address, and whether a guess tells known emails from unknown ones."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import httpx
import pytest
from itsdangerous import URLSafeTimedSerializer

from hub.bootstrap import build_hub
from hub.config import Settings
from hub.domain.accounts import Role
from hub.services import accounts
from tests.pages.conftest import pages_app
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import PASSWORD, Shop, create_shop
from tests.support.clock import Clock
from tests.support.live import LiveServer

OLD_DEFAULT_SECRET = "dev-insecure-secret-change-me"  # what main shipped in hub/config.py
STRANGER = {"X-Forwarded-For": "203.0.113.9"}  # as the reverse proxy on loopback says


def sign_in(
    client: httpx.Client,
    email: str,
    password: str = PASSWORD,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    spanish = {"Accept-Language": "es-AR,es;q=0.9", **(headers or {})}
    page = client.get("/console/login", headers=spanish)
    return client.post(
        "/console/login",
        headers=spanish,
        data={
            "csrf_token": csrf_of(page.text),
            "email": email,
            "password": password,
            "next": "/console/agenda",
        },
    )


def browser(served: LiveServer) -> httpx.Client:
    return httpx.Client(base_url=served.base_url, timeout=30)


def test_a_cookie_minted_with_the_old_default_secret_does_not_sign_in(
    served: LiveServer, sqlite_url: str, tmp_path: Path
) -> None:
    """The hub as a new user runs it: TURNERO_SECRET_KEY unset. Knowing an admin's id (any
    CRM key can list staff) and the secret that was in the source used to be enough."""
    settings = Settings.from_env(
        {
            "TURNERO_DATA_DIR": str(tmp_path),
            "TURNERO_DATABASE_URL": sqlite_url,
            "TURNERO_BASE_URL": served.base_url,
        }
    )
    hub = build_hub(settings, clock=Clock())
    served.start(pages_app(hub))
    try:
        shop = create_shop(hub)
        # Signed in with Google only: no password, so the old fingerprint was a constant.
        owner = accounts.create_user(
            hub.accounts_uow(),
            business_id=shop.business.id,
            email="owner@lavadero.test",
            role=Role.BUSINESS_ADMIN,
            now=hub.now(),
        )
        old = URLSafeTimedSerializer(OLD_DEFAULT_SECRET, salt="turnero-console")
        empty = hashlib.sha256(b"").hexdigest()[:16]
        for payload in ({"u": owner.id, "f": empty}, {"s": owner.id}, {"u": owner.id}):
            with browser(served) as forger:
                forger.cookies.set("turnero_console", old.dumps(payload), path="/console")
                answer = forger.get("/console/agenda")
                assert answer.status_code == 303
                assert answer.headers["location"].startswith("/console/login")
        # The key the hub made for itself is in the data directory, readable by it only.
        key_file = tmp_path / "secret_key"
        assert key_file.stat().st_mode & 0o777 == 0o600
        assert hub.settings.secret_key == key_file.read_text().strip() != OLD_DEFAULT_SECRET
    finally:
        hub.close()


def test_a_copied_cookie_stops_working_at_sign_out(
    served: LiveServer, staffed_shop: Shop, client: httpx.Client
) -> None:
    assert staffed_shop.admin is not None
    assert sign_in(client, staffed_shop.admin.email).status_code == 303
    copied = client.cookies.get("turnero_console", path="/console")
    assert copied
    page = client.get("/console/agenda")
    assert page.status_code == 200
    client.post("/console/logout", data={"csrf_token": csrf_of(page.text)})
    with browser(served) as thief:
        thief.cookies.set("turnero_console", copied, path="/console")
        answer = thief.get("/console/agenda")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/login")


def test_changing_the_password_signs_out_every_other_browser(
    served: LiveServer, staffed_shop: Shop, client: httpx.Client
) -> None:
    shop = staffed_shop
    assert shop.employee is not None
    with browser(served) as laptop:
        assert sign_in(laptop, shop.employee.email).status_code == 303
        assert sign_in(client, shop.employee.email).status_code == 303
        page = client.get("/console/account")
        assert page.status_code == 200 and shop.employee.email in page.text
        form = {
            "csrf_token": csrf_of(page.text),
            "current_password": "not-it",
            "new_password": "otra-clave-larga",
            "repeat_password": "otra-clave-larga",
        }
        refused = client.post("/console/account/password", data=form)
        assert refused.status_code == 422
        assert "La contraseña actual no es correcta." in text_of(refused.text)
        assert laptop.get("/console/agenda").status_code == 200
        changed = client.post(
            "/console/account/password", data={**form, "current_password": PASSWORD}
        )
        assert changed.status_code == 303
        # This browser carries on, with a new session; the laptop is signed out.
        done = client.get(changed.headers["location"])
        assert done.status_code == 200
        assert "Se cerraron tus sesiones en otros navegadores." in text_of(done.text)
        assert laptop.get("/console/agenda").status_code == 303
    assert sign_in(client, shop.employee.email).status_code == 401
    assert sign_in(client, shop.employee.email, "otra-clave-larga").status_code == 303


def test_removing_a_staff_member_ends_their_sessions_and_app_passwords(
    served: LiveServer, staffed_shop: Shop, client: httpx.Client
) -> None:
    shop = staffed_shop
    hub = shop.hub
    assert shop.admin is not None and shop.employee is not None
    app_password = accounts.create_app_password(hub.accounts_uow(), shop.employee.id, hub.now())
    with browser(served) as theirs:
        assert sign_in(theirs, shop.employee.email).status_code == 303
        assert theirs.get("/console/agenda").status_code == 200
        sign_in(client, shop.admin.email)
        page = client.get("/console/staff")
        assert f"/console/staff/{shop.admin.id}/remove" not in page.text  # not oneself
        removed = client.post(
            f"/console/staff/{shop.employee.id}/remove", data={"csrf_token": csrf_of(page.text)}
        )
        assert removed.status_code == 303
        listing = client.get(removed.headers["location"])
        assert "Se quitó el acceso" in text_of(listing.text)
        assert theirs.get("/console/agenda").status_code == 303
        assert sign_in(theirs, shop.employee.email).status_code == 401
    assert accounts.list_app_passwords(hub.accounts_uow(), shop.employee.id) == []
    with pytest.raises(accounts.AuthenticationError):
        accounts.authenticate_app_password(
            hub.accounts_uow(),
            shop.employee.email,
            app_password,
            hub.now(),
            throttle=hub.login_throttle,
            address="127.0.0.1",
        )


def test_a_strangers_guesses_from_another_address_do_not_lock_the_owner_out(
    staffed_shop: Shop, client: httpx.Client, served: LiveServer
) -> None:
    assert staffed_shop.admin is not None
    email = staffed_shop.admin.email
    with browser(served) as stranger:
        for _ in range(5):
            assert sign_in(stranger, email, "guess", STRANGER).status_code == 401
        for _ in range(3):  # and again, later: they stay throttled, the owner never is
            assert sign_in(stranger, email, PASSWORD, STRANGER).status_code == 429
            owner = sign_in(client, email)
            assert owner.status_code == 303, text_of(owner.text)
            assert client.get("/console/agenda").status_code == 200
            client.cookies.clear()


def test_guesses_at_known_and_unknown_emails_get_the_same_answers(
    staffed_shop: Shop, served: LiveServer
) -> None:
    assert staffed_shop.admin is not None

    def answers(email: str) -> list[tuple[int, str]]:
        seen = []
        with browser(served) as guesser:
            for _ in range(7):
                answer = sign_in(guesser, email, "guess", STRANGER)
                page = answer.text.replace(email, "EMAIL")
                page = re.sub(r'name="csrf_token" value="[^"]+"', "CSRF", page)
                seen.append((answer.status_code, page))
        return seen

    known, unknown = answers(staffed_shop.admin.email), answers("nadie@lavadero.test")
    assert [status for status, _ in known] == [401] * 5 + [429] * 2
    assert known == unknown
