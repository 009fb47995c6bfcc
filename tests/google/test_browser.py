"""Real Chromium under the console's CSP against the fake Google's consent page: a staff
member connects Google Calendar from the console (first leaving calendar access unticked,
which the console explains, then ticking it), and another signs in with the login page's
Google button."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.google.conftest import World
from tests.google.site import PASSWORD, serve_site
from tests.support.browser import phone, shot
from tests.support.google import FakeGoogle

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    """Google on another loopback address than the hub: another site for Chromium, so the
    round trip crosses sites (and SameSite cookies behave) as with the real one."""
    fake = FakeGoogle(host="127.0.0.2").start()
    fake.consent = "form"  # Google shows its consent page; the test clicks through it
    yield fake
    fake.stop()


@pytest.fixture
def live(
    tmp_path: Path, sqlite_url: str, google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[World, str]]:
    with serve_site(tmp_path, sqlite_url, google, monkeypatch) as served:
        yield served


def _watch_csp(page: Page) -> list[str]:
    """What the browser says it blocked under the page's Content-Security-Policy."""
    blocked: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "violates" in message.text:
            blocked.append(message.text)

    page.on("console", heard)
    return blocked


def _sign_in(page: Page, email: str) -> None:
    page.goto("/console/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page).to_have_url(re.compile(r"/console/agenda"))


def test_connect_google_calendar_from_the_console(
    browser: Browser, live: tuple[World, str]
) -> None:
    world, base = live
    page = phone(browser, base).new_page()
    blocked = _watch_csp(page)
    _sign_in(page, world.juan.email)
    page.goto("/console/google")
    shot(page, "google-01-console")

    page.get_by_role("button", name="Conectar Google Calendar").click()
    expect(page.get_by_role("heading", name="Sign in with Google")).to_be_visible()
    calendar = page.get_by_label("See, edit, share, and permanently delete all the calendars")
    expect(calendar).not_to_be_checked()  # granular consent: unticked until ticked
    shot(page, "google-02-consent")
    page.get_by_role("button", name="Continue").click()  # calendar left unticked

    expect(page.get_by_role("alert")).to_contain_text("Google no nos dio acceso a tu calendario")
    shot(page, "google-03-no-calendar")
    page.get_by_role("button", name="Conectar Google Calendar").click()
    page.get_by_label("See, edit, share, and permanently delete all the calendars").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_text("Google Calendar conectado.")).to_be_visible()
    expect(page.get_by_text(f"Conectado como {world.juan.email}.")).to_be_visible()
    shot(page, "google-04-connected")
    assert blocked == []
    booking = world.book(world.juan, world.at(10))
    (event,) = world.google.events(world.juan.email)
    assert world.booking(booking.id).google_event_id == event["id"]


def test_sign_in_with_the_login_pages_google_button(
    browser: Browser, live: tuple[World, str]
) -> None:
    world, base = live
    page = phone(browser, base).new_page()
    blocked = _watch_csp(page)
    page.goto("/console/login")
    shot(page, "google-05-login")

    page.get_by_role("link", name="Entrar con Google").click()
    expect(page.get_by_role("heading", name="Sign in with Google")).to_be_visible()
    page.get_by_label("Email").fill(world.maria.email)
    shot(page, "google-06-sign-in")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/console/agenda(\?[^/]*)?$"))
    # Signed in as María: her name heads the console (the agenda is a calendar grid now).
    expect(page.locator("a.who")).to_have_text(re.compile(r"mar[ií]a", re.IGNORECASE))
    shot(page, "google-07-signed-in")
    assert blocked == []
