"""Real Chromium: a business admin opens "Mi calendario", creates a washer's subscription
link there, sees it with its copy button, and reads the connection steps; shot at 390 px and
1280 px under ``test-artifacts/pages/``, with nothing wider than the screen."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from hub.app import create_app
from hub.bootstrap import Hub
from tests.pages.conftest import make_hub
from tests.pages.shop import PASSWORD, Shop, create_shop
from tests.support.browser import phone, shot
from tests.support.clock import Clock
from tests.support.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def live(database_file: str, clock: Clock, served: LiveServer) -> Iterator[Hub]:
    hub = make_hub(database_file, clock, base_url=served.base_url)
    served.start(create_app(hub))
    yield hub
    hub.close()


@pytest.fixture
def shop(live: Hub) -> Shop:
    return create_shop(live, staff=True)


def test_my_calendar_shows_links_and_connection_steps(
    browser: Browser, shop: Shop, served: LiveServer
) -> None:
    assert shop.admin is not None
    washer = shop.washers[0]
    wide_context = browser.new_context(
        base_url=served.base_url, viewport={"width": 1280, "height": 900}, locale="es-AR"
    )
    for context, size in ((phone(browser, served.base_url), 390), (wide_context, 1280)):
        page = context.new_page()
        page.goto("/console/login")
        page.locator("#email").fill(shop.admin.email)
        page.locator("#password").fill(PASSWORD)
        page.get_by_role("button", name="Ingresar").click()
        expect(page).to_have_url(re.compile("/console/agenda"))
        page.goto("/console/calendar-app")
        if size == 390:
            page.locator(f"#feed-{washer.id}").get_by_role("button", name="Crear enlace").click()
        link = page.locator(f"#feed-url-{washer.id}")
        expect(link).to_have_value(re.compile(r"/dav/feeds/.+\.ics$"))
        expect(page.locator(f'[data-copy="feed-url-{washer.id}"]')).to_be_visible()
        expect(page.get_by_role("heading", name="DAVx5 (Android)")).to_be_visible()
        expect(page.locator("main")).to_contain_text(f"{served.base_url}/.well-known/caldav")
        shot(page, f"calendar-app-{size}")
        overflow = page.evaluate(
            "[...document.querySelectorAll('main *')].filter(e => "
            "e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
            ".map(e => e.tagName + '#' + e.id)"
        )
        assert overflow == [], f"overflows at {size} px: {overflow[:5]}"
        context.close()
