"""Playwright (sync API) driving Debian's Chromium at a phone viewport, for browser tests.

Browser tests skip with a clear message when ``/usr/bin/chromium`` is absent, except in CI
(``TURNERO_REQUIRE_SERVICES=1``), where they fail. Screenshots go to
``test-artifacts/pages/`` (gitignored) so a person can look at each step. The ``browser``
fixture (one Chromium per test module) is registered by ``tests/conftest.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE: ViewportSize = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pages"


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is absent (apt-get install chromium) — browser tests skipped"
    if os.environ.get("TURNERO_REQUIRE_SERVICES") == "1":
        pytest.fail(message + " and TURNERO_REQUIRE_SERVICES=1")
    pytest.skip(message)


def launch() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def phone(browser: Browser, base_url: str, *, javascript: bool = True) -> BrowserContext:
    return browser.new_context(
        base_url=base_url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="es-AR",
        java_script_enabled=javascript,
    )


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
