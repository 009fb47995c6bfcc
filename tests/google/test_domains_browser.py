"""Real Chromium: the admin claims the business's email domain in the console, the person
who gets the emailed link confirms it, and a newcomer on that domain signs in with the login
page's Google button and lands in the console as an employee, whom the admin then sees as
new via Google."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from hub.domain.accounts import Role
from tests.google.conftest import World
from tests.google.site import PASSWORD, serve_site
from tests.support.browser import phone, shot
from tests.support.google import FakeGoogle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DOMAIN = "estudio-acme.com.ar"
LINK = re.compile(r"https?://\S+/console/domains/verify/[A-Za-z0-9_\-]+")


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    fake = FakeGoogle(host="127.0.0.2").start()
    fake.consent = "form"
    yield fake
    fake.stop()


@pytest.fixture
def live(
    tmp_path: Path, sqlite_url: str, google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[World, str]]:
    with serve_site(tmp_path, sqlite_url, google, monkeypatch) as served:
        world, _ = served
        world.hub.settings = dataclasses.replace(world.hub.settings, mail_dir=tmp_path / "out")
        yield served


def _emailed_link(world: World, to: str) -> str:
    for path in sorted(world.hub.settings.mail_dir.glob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if message["To"] == to:
            found = LINK.search(message.get_content())
            assert found is not None
            return found.group(0)
    raise AssertionError(f"no mail to {to}")


def test_claim_a_domain_then_a_newcomer_signs_in_with_google(
    browser: Browser, live: tuple[World, str]
) -> None:
    world, base = live
    admin = phone(browser, base).new_page()
    admin.goto("/console/login")
    admin.get_by_label("Email").fill(world.admin.email)
    admin.get_by_label("Contraseña").fill(PASSWORD)
    admin.get_by_role("button", name="Ingresar").click()
    expect(admin).to_have_url(re.compile(r"/console/agenda"))

    admin.goto("/console/domains")
    admin.get_by_label("Dominio", exact=True).fill(DOMAIN)
    admin.get_by_label("Dirección en ese dominio para verificarlo").fill(f"it@{DOMAIN}")
    admin.get_by_role("button", name="Enviar enlace de verificación").click()
    expect(admin.get_by_role("status")).to_contain_text(f"verificar {DOMAIN}")
    expect(admin.get_by_text(f"sin verificar: enlace enviado a it@{DOMAIN}")).to_be_visible()
    shot(admin, "domains-01-claimed")

    mailbox = phone(browser, base).new_page()
    mailbox.goto(_emailed_link(world, f"it@{DOMAIN}"))
    mailbox.get_by_role("button", name="Confirmar dominio").click()
    expect(mailbox.get_by_role("heading", name="Dominio verificado")).to_be_visible()
    shot(mailbox, "domains-02-verified")

    newcomer = phone(browser, base).new_page()
    newcomer.goto("/console/login")
    newcomer.get_by_role("link", name="Entrar con Google").click()
    expect(newcomer.get_by_role("heading", name="Sign in with Google")).to_be_visible()
    newcomer.get_by_label("Email").fill(f"lucia@{DOMAIN}")
    newcomer.get_by_role("button", name="Continue").click()
    expect(newcomer).to_have_url(re.compile(r"/console/agenda(\?[^/]*)?$"))
    expect(newcomer.locator("a.who")).to_have_text(re.compile("lucia", re.IGNORECASE))
    shot(newcomer, "domains-03-newcomer-in")
    with world.hub.accounts_uow() as uow:
        lucia = uow.users.get_by_email(f"lucia@{DOMAIN}")
    assert lucia is not None and lucia.role is Role.EMPLOYEE
    assert lucia.business_id == world.business.id

    admin.goto("/console/staff")
    expect(admin.get_by_text("nuevo por Google")).to_be_visible()
    admin.goto("/console/domains")
    expect(admin.get_by_text("verificado", exact=True)).to_be_visible()
    shot(admin, "domains-04-staff")
