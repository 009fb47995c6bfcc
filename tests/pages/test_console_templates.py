"""The console's message texts: an admin edits a message per language, previews it on a
sample booking, sees the placeholders, resets it and sets the survey link; a broken text is
refused naming the problem and nothing is saved; employees get 404; another business keeps
the shipped texts."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, expect

from hub.bootstrap import Hub
from hub.services import message_texts as mt
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import PASSWORD, Shop, create_shop
from tests.pages.test_console import sign_in
from tests.support.browser import ARTIFACTS, launch, phone
from tests.support.live import LiveServer

PAGE = "/console/templates?language=es&kind=confirmed"


def _form(client: httpx.Client, action: str, **texts: str) -> dict[str, str]:
    page = client.get(PAGE).text
    return {
        "csrf_token": csrf_of(page),
        "kind": "confirmed",
        "language": "es",
        "action": action,
        "email.subject.txt": "Turno confirmado: {{ service_name }}",
        "email.txt": "Hola {{ customer_name }}",
        "whatsapp.txt": "✅ {{ short_date_text }} {{ time_text }}",
        **texts,
    }


def _texts(shop: Shop) -> mt.MessageTexts:
    return mt.get_texts(shop.hub.uow(), shop.business.id)


def test_admin_previews_saves_and_resets_a_message(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    first = client.get(PAGE)
    assert first.status_code == 200
    shown = text_of(first.text)
    assert "Textos de mensajes" in shown
    assert "{{ customer_name }}" in shown and "{{ deposit_text }}" in shown  # its placeholders
    assert "Tu turno en {{ business_name }} está confirmado" in first.text  # the default
    preview = client.post(
        "/console/templates",
        data=_form(client, "preview", **{"email.txt": "Hola {{ customer_name }}, te esperamos"}),
    )
    assert preview.status_code == 200
    assert "Hola María López, te esperamos" in text_of(preview.text)
    assert _texts(shop).texts == {}  # a preview saves nothing
    saved = client.post("/console/templates", data=_form(client, "save"))
    assert saved.status_code == 303
    assert _texts(shop).texts == {"es/confirmed.email.txt": "Hola {{ customer_name }}"} | {
        "es/confirmed.email.subject.txt": "Turno confirmado: {{ service_name }}",
        "es/confirmed.whatsapp.txt": "✅ {{ short_date_text }} {{ time_text }}",
    }
    assert "Hola {{ customer_name }}</textarea>" in client.get(PAGE).text
    assert client.post("/console/templates", data=_form(client, "reset")).status_code == 303
    assert _texts(shop).texts == {}
    assert "Tu turno en {{ business_name }} está confirmado" in client.get(PAGE).text
    survey = _form(client, "survey") | {"survey_url": "https://encuesta.example/x"}
    assert client.post("/console/templates", data=survey).status_code == 303
    assert _texts(shop).survey_url == "https://encuesta.example/x"


def test_broken_texts_are_named_and_nothing_is_saved(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    for texts, named in (
        ({"email.txt": "Hola {{ nombre }}"}, "unknown placeholder {{ nombre }}"),
        ({"whatsapp.txt": "Hola {{ customer_name }"}, "unbalanced braces"),
        ({"email.subject.txt": "x" * 201}, "at most 200"),
        ({"email.txt": "Hola {% if survey_url %}"}, "{% if %} is never closed"),
        ({"email.txt": "Hola {{ customer_name | attr(1) }}"}, "template"),
    ):
        refused = client.post("/console/templates", data=_form(client, "save", **texts))
        assert refused.status_code == 422, texts
        assert named in text_of(refused.text)
        assert next(iter(texts.values())) in text_of(refused.text)  # what was typed is kept
        assert _texts(shop).texts == {}
    bad = _form(client, "survey") | {"survey_url": "javascript:alert(1)"}
    assert client.post("/console/templates", data=bad).status_code == 422
    assert _texts(shop).survey_url is None


def test_only_the_admin_of_the_business_edits_them(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    other = create_shop(shop.hub)
    assert shop.admin is not None and shop.employee is not None
    sign_in(client, shop.admin.email)
    assert client.post("/console/templates", data=_form(client, "save")).status_code == 303
    assert mt.get_texts(other.hub.uow(), other.business.id).texts == {}
    client.cookies.clear()
    sign_in(client, shop.employee.email)
    token = csrf_of(client.get("/console/agenda").text)
    assert client.get(PAGE).status_code == 404
    refused = client.post(
        "/console/templates",
        data={"csrf_token": token, "kind": "confirmed", "language": "es", "action": "reset"},
    )
    assert refused.status_code == 404
    assert len(_texts(shop).texts) == 3


@pytest.mark.browser
def test_the_screen_at_390_and_1280_px(hub: Hub, served: LiveServer) -> None:
    shop = create_shop(hub, staff=True)
    assert shop.admin is not None
    for browser in launch():
        run_screens(browser, served, shop)


def run_screens(browser: Browser, served: LiveServer, shop: Shop) -> None:
    assert shop.admin is not None
    for width in (390, 1280):
        context = phone(browser, served.base_url)
        if width == 1280:
            context.close()
            context = browser.new_context(
                base_url=served.base_url, viewport={"width": 1280, "height": 900}, locale="es-AR"
            )
        page = context.new_page()
        page.goto("/console/login")
        page.fill("#email", shop.admin.email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.goto("/console/agenda")
        page.get_by_role("navigation").get_by_text("Configuración").click()
        page.get_by_role("navigation").get_by_role("link", name="Textos de mensajes").click()
        page.select_option("#tk", "thank_you")
        page.click("form[method=get] button[type=submit]")
        expect(page.locator("#tx-2")).to_contain_text("Gracias por elegirnos")
        page.fill("#tx-2", "🙏 Gracias {{ customer_name }}! {{ survey_url }}")
        page.click("button[value=preview]")
        expect(page.locator(".preview-whatsapp")).to_contain_text("🙏 Gracias María López!")
        if width == 390:
            page.fill("#tx-2", "Gracias {{ cliente }}")
            page.click("button[value=save]")
            expect(page.get_by_role("alert")).to_contain_text("{{ cliente }}")
        # The screen sits in the Setup group of the menu, which shows it as the current page.
        page.get_by_role("navigation").get_by_text("Configuración").click()
        nav = page.get_by_role("navigation").get_by_role("link", name="Textos de mensajes")
        expect(nav).to_have_attribute("aria-current", "page")
        page.keyboard.press("Escape")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(ARTIFACTS.parent / f"console-templates-{width}.png"), full_page=True
        )
        context.close()
