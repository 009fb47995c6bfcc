"""Real Chromium on the public page of a business whose monthly quota is used up: the message
instead of any time, at a phone's 390 px and at 1280 px."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from hub.app import create_app
from hub.bootstrap import Hub
from tests.pages.conftest import make_hub
from tests.pages.shop import Shop, create_shop
from tests.pages.test_agenda_browser import DESKTOP, watch_csp
from tests.pages.test_public_quota import _quota
from tests.support.browser import PHONE, shot
from tests.support.clock import Clock
from tests.support.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def live(database_file: str, clock: Clock, served: LiveServer) -> Iterator[Hub]:
    hub = make_hub(database_file, clock, base_url=served.base_url)
    served.start(create_app(hub))
    yield hub
    hub.close()


@pytest.mark.parametrize(("width", "viewport"), [("1280", DESKTOP), ("390", PHONE)])
def test_quota_used_up_is_said_instead_of_times(
    browser: Browser, live: Hub, served: LiveServer, width: str, viewport: dict[str, int]
) -> None:
    shop: Shop = create_shop(live)
    _quota(shop, 0)
    context = browser.new_context(base_url=served.base_url, viewport=viewport, locale="es-AR")  # type: ignore[arg-type]
    page = context.new_page()
    violations = watch_csp(page)
    page.goto(f"/book/{shop.slug}")
    expect(page.get_by_role("heading", name="Lavadero Demo")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("ya tomó todos los turnos que puede este mes")
    expect(page.locator("a.time")).to_have_count(0)
    shot(page, f"public-quota-used-up-{width}")
    assert violations == []
    context.close()
