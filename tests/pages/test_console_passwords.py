"""Staff invited by email set their password with a link that works once and expires; anyone
can ask for a reset link from the login page (the answer never tells who has an account);
invitations are an admin's, for their own business's staff only."""

from __future__ import annotations

import re
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import httpx

from hub.services import accounts
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import PASSWORD, Shop, create_shop
from tests.pages.test_console import sign_in
from tests.support.clock import Clock

LINK = re.compile(r"http://[^\s]+/console/set-password/([A-Za-z0-9_\-.]+)")


def _mails(shop: Shop, to: str) -> list[str]:
    folder = shop.hub.settings.mail_dir
    found = []
    for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if message["To"] == to:
            found.append(str(message["Subject"]) + "\n" + message.get_content())
    return found


def _link(shop: Shop, to: str) -> str:
    (mail,) = _mails(shop, to)[-1:]
    found = LINK.search(mail)
    assert found, mail
    return f"/console/set-password/{found.group(1)}"


def _set(
    client: httpx.Client, path: str, password: str, again: str | None = None
) -> httpx.Response:
    client.headers["Accept-Language"] = "es-AR,es;q=0.9"  # a browser in Argentina
    page = client.get(path)
    return client.post(
        path,
        data={"csrf_token": csrf_of(page.text), "password": password, "again": again or password},
    )


def test_an_invited_employee_sets_a_password_once(client: httpx.Client, staffed_shop: Shop) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    page = client.get("/console/staff")
    invited = client.post(
        "/console/staff",
        data={
            "csrf_token": csrf_of(page.text),
            "name": "Carla",
            "email": "carla@example.com",
            "password": "",
            "role": "employee",
            "resource": shop.washers[1].id,
        },
    )
    assert invited.status_code == 303
    staff_page = text_of(client.get(invited.headers["location"]).text)
    assert "Invitación enviada" in staff_page and "invitado, sin contraseña todavía" in staff_page
    (mail,) = _mails(shop, "carla@example.com")
    assert "Lavadero Demo te invitó" in mail and "72 horas" in mail
    link = _link(shop, "carla@example.com")

    client.cookies.clear()
    assert _set(client, link, "corto").status_code == 422
    assert "no coinciden" in text_of(_set(client, link, "lavar-autos-2", "otra-cosa-2").text)
    done = _set(client, link, "lavar-autos-2")
    assert done.status_code == 303 and done.headers["location"] == "/console/login?password=set"
    assert "ya podés ingresar" in text_of(client.get(done.headers["location"]).text)
    signed = sign_in(client, "carla@example.com", "lavar-autos-2")
    assert signed.status_code == 303
    carla = accounts.find_user(shop.hub.accounts_uow(), "carla@example.com")
    assert carla.resource_ids == (shop.washers[1].id,)

    client.cookies.clear()
    again = client.get(link, headers={"Accept-Language": "es-AR"})
    assert again.status_code == 410 and "ya no sirve" in text_of(again.text), "single use"


def test_a_reset_link_from_the_login_page_expires(
    client: httpx.Client, staffed_shop: Shop, clock: Clock
) -> None:
    shop = staffed_shop
    assert shop.employee is not None
    client.headers["Accept-Language"] = "es-AR,es;q=0.9"
    login = client.get("/console/login")
    assert "¿Olvidaste tu contraseña?" in text_of(login.text)
    form = client.get("/console/forgot")
    for email in (shop.employee.email, "nadie@example.com"):
        answer = client.post(
            "/console/forgot", data={"csrf_token": csrf_of(form.text), "email": email}
        )
        assert answer.status_code == 200
        assert "Si " + email + " tiene una cuenta" in text_of(answer.text)
    assert _mails(shop, "nadie@example.com") == []
    link = _link(shop, shop.employee.email)

    clock.offset += timedelta(minutes=61)
    assert client.get(link).status_code == 410, "an hour later the link is gone"

    form = client.get("/console/forgot")
    client.post(
        "/console/forgot", data={"csrf_token": csrf_of(form.text), "email": shop.employee.email}
    )
    fresh = _link(shop, shop.employee.email)
    assert _set(client, fresh, "nueva-clave-9").status_code == 303
    assert sign_in(client, shop.employee.email, PASSWORD).status_code == 401
    assert sign_in(client, shop.employee.email, "nueva-clave-9").status_code == 303


def test_a_forged_or_foreign_link_does_nothing(client: httpx.Client, staffed_shop: Shop) -> None:
    shop = staffed_shop
    other = create_shop(shop.hub, staff=True)
    assert shop.admin is not None and other.admin is not None and shop.employee is not None
    for token in ("x", "abc.def", "a" * 500, "Zm9vfGludml0ZXwxOTk5OTk5OTk5.forged"):
        assert client.get(f"/console/set-password/{token}").status_code == 410
    sign_in(client, shop.admin.email)
    token = csrf_of(client.get("/console/staff").text)
    # Another business's admin cannot be re-invited (or reset) from here.
    assert (
        client.post(
            f"/console/staff/{other.admin.id}/invite", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert _mails(shop, other.admin.email) == []
    client.cookies.clear()
    sign_in(client, shop.employee.email)
    token = csrf_of(client.get("/console/agenda").text)
    refused = client.post(
        "/console/staff",
        data={
            "csrf_token": token,
            "email": "intruso@example.com",
            "password": "",
            "role": "business_admin",
        },
    )
    assert refused.status_code == 404
    assert _mails(shop, "intruso@example.com") == []


def test_an_admin_changes_a_staff_members_role_and_resources(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    other = create_shop(shop.hub, staff=True)
    assert shop.admin is not None and shop.employee is not None and other.admin is not None
    sign_in(client, shop.admin.email)
    token = csrf_of(client.get("/console/staff").text)
    both = {f"resource:{w.id}": "1" for w in shop.washers}
    changed = client.post(
        f"/console/staff/{shop.employee.id}",
        data={"csrf_token": token, "role": "employee", **both},
    )
    assert changed.status_code == 303
    juan = accounts.find_user(shop.hub.accounts_uow(), shop.employee.email)
    assert set(juan.resource_ids) == {w.id for w in shop.washers}
    foreign = client.post(
        f"/console/staff/{shop.employee.id}",
        data={"csrf_token": token, "role": "employee", f"resource:{other.washers[0].id}": "1"},
    )
    assert foreign.status_code == 422
    assert (
        client.post(
            f"/console/staff/{other.admin.id}", data={"csrf_token": token, "role": "employee"}
        ).status_code
        == 404
    )
    myself = client.post(
        f"/console/staff/{shop.admin.id}", data={"csrf_token": token, "role": "employee"}
    )
    assert myself.status_code == 422 and "administrador" in text_of(myself.text)
    assert accounts.find_user(shop.hub.accounts_uow(), other.admin.email).role.value == (
        "business_admin"
    )
    promoted = client.post(
        f"/console/staff/{shop.employee.id}", data={"csrf_token": token, "role": "business_admin"}
    )
    assert promoted.status_code == 303
    client.cookies.clear()
    sign_in(client, shop.employee.email)
    assert client.get("/console/settings").status_code == 200, "now an admin"
