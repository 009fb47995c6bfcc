"""The interactive API docs in Chromium, under their Content-Security-Policy: the page
renders the operations and the browser reports no policy violation."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.api.conftest import LiveHub
from tests.support.browser import shot


def test_docs_render_in_chromium_without_policy_violations(
    browser: Browser, live_sqlite_hub: LiveHub
) -> None:
    context = browser.new_context(base_url=live_sqlite_hub.base_url)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda error: console.append(str(error)))
    try:
        answer = page.goto("/api/docs/")
        assert (
            answer is not None and "script-src 'self'" in answer.headers["content-security-policy"]
        )
        page.locator(".swagger-ui .info .title").wait_for(timeout=20_000)
        assert "Turnero API" in page.locator(".swagger-ui .info .title").inner_text()
        operations = page.locator(".opblock")
        operations.first.wait_for(timeout=20_000)
        assert operations.count() > 10
        # "Try it out" talks to this origin, which the policy allows.
        public = page.locator(".opblock-summary-path", has_text="/public/businesses").first
        public.click()
        block = page.locator(".opblock.is-open").first
        block.locator("button.try-out__btn").click()
        block.locator("input[placeholder='q']").fill("lava")
        block.locator("button.execute").click()
        status = block.locator(".live-responses-table .response .response-col_status").first
        status.wait_for(timeout=20_000)
        assert status.inner_text().strip() == "200"
        shot(page, "api-docs")
        assert not [m for m in console if "Content Security Policy" in m], console
    finally:
        context.close()
