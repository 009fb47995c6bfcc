"""The console's WhatsApp screen against the fake Cloud API: an admin enters the number and
credentials (stored sealed, never shown again), copies the webhook URL, sends a test message
to their phone, creates our templates through the Business Management API and sees Meta's
review; employees and other businesses never see it. Walked in Chromium at 390 and 1280 px.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Browser, expect

from booking_pages.web import CSRF_FIELD
from hub.app import create_app
from hub.bootstrap import Hub, build_hub
from hub.config import Settings
from hub.domain.model import Business
from hub.services import setup
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import Shop, create_shop
from tests.pages.test_console import sign_in
from tests.support.browser import ARTIFACTS, launch, phone
from tests.support.clock import Clock
from tests.support.live import LiveServer
from tests.support.whatsapp import FakeWhatsAppGraph

TOKEN = "EAAG-secret-access-token"
APP_SECRET = "meta-app-secret-123"


@pytest.fixture
def graph() -> Iterator[FakeWhatsAppGraph]:
    fake = FakeWhatsAppGraph(TOKEN, waba_id="102290129340398").start()
    yield fake
    fake.stop()


@pytest.fixture
def hub(
    database_file: str, clock: Clock, served: LiveServer, tmp_path: Path, graph: FakeWhatsAppGraph
) -> Iterator[Hub]:
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_file,
        base_url=served.base_url,
        secret_key="pages-test-secret",
        mail_dir=tmp_path / "outbox-mail",
        encryption_key=Fernet.generate_key().decode(),
        whatsapp_graph_url=graph.url,
    )
    built = build_hub(settings, clock=clock)
    served.start(create_app(built))
    yield built
    built.close()


def business(shop: Shop) -> Business:
    return setup.find_business(shop.hub.uow(), business_id=shop.business.id)


def admin_page(client: httpx.Client, shop: Shop) -> str:
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    page = client.get("/console/whatsapp")
    assert page.status_code == 200
    return page.text


def save(client: httpx.Client, html: str, **fields: str) -> httpx.Response:
    return client.post("/console/whatsapp", data={CSRF_FIELD: csrf_of(html), **fields})


def connect(client: httpx.Client, shop: Shop) -> str:
    html = admin_page(client, shop)
    saved = save(
        client,
        html,
        phone_number_id="106540352242922",
        waba_id="102290129340398",
        token=TOKEN,
        app_secret=APP_SECRET,
        verify_token="mi-palabra",
    )
    assert saved.status_code == 303
    return client.get("/console/whatsapp").text


def test_an_admin_connects_whatsapp_and_secrets_are_never_shown_again(
    client: httpx.Client, hub: Hub
) -> None:
    shop = create_shop(hub, staff=True)
    html = connect(client, shop)
    text = text_of(html)
    assert "La configuración de WhatsApp quedó guardada" not in text  # only after the redirect
    assert TOKEN not in html and APP_SECRET not in html and "mi-palabra" not in html
    assert "guardado — no se vuelve a mostrar" in html
    assert f"/connectors/whatsapp/webhook/{shop.business.id}" in text
    config = business(shop).settings["whatsapp"]
    assert config["phone_number_id"] == "106540352242922"
    assert all(str(config[k]).startswith("fernet:") for k in ("token", "app_secret"))
    assert TOKEN not in str(config)

    # A blank secret keeps the stored one; the ids change.
    again = save(client, html, phone_number_id="106540352242999", waba_id="102290129340398")
    assert again.status_code == 303
    after = business(shop).settings["whatsapp"]
    assert after["phone_number_id"] == "106540352242999" and after["token"] == config["token"]

    # Meta's subscription handshake on the business's own URL, with its own verify token.
    url = f"/connectors/whatsapp/webhook/{shop.business.id}"
    params = {"hub.mode": "subscribe", "hub.verify_token": "mi-palabra", "hub.challenge": "42"}
    assert client.get(url, params=params).text == "42"
    wrong = {**params, "hub.verify_token": "otra"}
    assert client.get(url, params=wrong).status_code == 403
    assert client.get("/connectors/whatsapp/webhook/nobody", params=params).status_code == 404


def test_bad_ids_are_refused_and_change_nothing(client: httpx.Client, hub: Hub) -> None:
    shop = create_shop(hub, staff=True)
    html = admin_page(client, shop)
    refused = save(client, html, phone_number_id="12-34", token=TOKEN)
    assert refused.status_code == 422
    assert "solo dígitos" in text_of(refused.text)
    assert "whatsapp" not in business(shop).settings
    no_token = save(client, html, phone_number_id="106540352242922")
    assert no_token.status_code == 422 and "Falta el token de acceso" in text_of(no_token.text)


def test_test_message_reaches_the_admins_phone(
    client: httpx.Client, hub: Hub, graph: FakeWhatsAppGraph
) -> None:
    shop = create_shop(hub, staff=True)
    html = connect(client, shop)
    sent = client.post(
        "/console/whatsapp/test", data={CSRF_FIELD: csrf_of(html), "number": "+54 9 11 5555-0000"}
    )
    assert sent.status_code == 200
    assert "WhatsApp aceptó el mensaje a +54 9 11 5555-0000" in text_of(sent.text)
    [message] = graph.inbox("5491155550000")
    assert message.body["template"]["name"] == "hello_world"
    assert message.text.startswith("Hello World")


def test_templates_are_created_and_their_review_shown(
    client: httpx.Client, hub: Hub, graph: FakeWhatsAppGraph
) -> None:
    shop = create_shop(hub, staff=True)
    html = connect(client, shop)
    assert "sin consultar" in text_of(html)
    created = client.post(
        "/console/whatsapp/templates", data={CSRF_FIELD: csrf_of(html), "action": "create"}
    )
    assert created.status_code == 303
    names = {(t.name, t.language, t.status) for t in graph.templates.values()}
    assert ("turnero_reminder", "es_AR", "PENDING") in names
    assert ("turnero_reminder", "en", "PENDING") in names
    assert ("turnero_updated", "es_AR", "PENDING") in names  # the organizer's change notice
    # 8 kinds x es, en; and client history's one-time code, an authentication template.
    assert len([n for n in names if n[0].startswith("turnero_")]) == 18
    codes = {t.language: t for t in graph.templates.values() if t.name == "turnero_code"}
    assert set(codes) == {"es_AR", "en"}
    assert {t.category for t in codes.values()} == {"AUTHENTICATION"}
    assert "*{{1}}* es tu código de verificación." in codes["es_AR"].body
    page = client.get("/console/whatsapp").text
    assert ">en revisión</span>" in page and ">aprobada</span>" not in page
    config = business(shop).settings["whatsapp"]
    assert config["templates"]["reminder.es"]["status"] == "PENDING"

    graph.review("turnero_reminder", "es_AR", "APPROVED")
    graph.review("turnero_confirmed", "es_AR", "REJECTED", "INVALID_FORMAT")
    refreshed = client.post(
        "/console/whatsapp/templates", data={CSRF_FIELD: csrf_of(page), "action": "refresh"}
    )
    assert refreshed.status_code == 303
    shown = client.get("/console/whatsapp").text
    assert ">aprobada</span>" in shown and "rechazada INVALID_FORMAT" in text_of(shown)
    templates = business(shop).settings["whatsapp"]["templates"]
    assert templates["reminder.es"]["status"] == "APPROVED"
    assert templates["confirmed.es"]["status"] == "REJECTED"
    assert templates["code.es"]["status"] == "PENDING"
    assert "Código para ver tus turnos" in text_of(shown)

    # Creating again keeps what exists ("content in this language already exists").
    again = client.post(
        "/console/whatsapp/templates", data={CSRF_FIELD: csrf_of(page), "action": "create"}
    )
    assert again.status_code == 303
    after = business(shop).settings["whatsapp"]["templates"]
    assert after["reminder.es"]["status"] == "APPROVED"


def test_only_the_business_admin_reaches_it(client: httpx.Client, hub: Hub) -> None:
    shop = create_shop(hub, staff=True, employee=True)
    other = create_shop(hub, staff=True)
    connect(client, shop)
    assert shop.employee is not None and other.admin is not None
    with httpx.Client(base_url=str(client.base_url)) as employee:
        sign_in(employee, shop.employee.email)
        assert employee.get("/console/whatsapp").status_code == 404
        page = employee.get("/console/agenda").text
        refused = employee.post(
            "/console/whatsapp", data={CSRF_FIELD: csrf_of(page), "phone_number_id": "1234567"}
        )
        assert refused.status_code == 404
    with httpx.Client(base_url=str(client.base_url)) as stranger:
        sign_in(stranger, other.admin.email)
        theirs = stranger.get("/console/whatsapp").text
        assert "106540352242922" not in theirs and shop.business.id not in theirs
        assert "whatsapp" not in business(other).settings
    assert business(shop).settings["whatsapp"]["phone_number_id"] == "106540352242922"


def test_the_admin_chooses_which_messages_go_by_whatsapp(client: httpx.Client, hub: Hub) -> None:
    shop = create_shop(hub, staff=True, employee=True)
    html = connect(client, shop)
    for kind in ("confirmed", "reminder", "thank_you"):
        assert f'id="wm-{kind}" name="send:{kind}" type="checkbox" value="1" checked' in html
    ticked = {f"send:{k}": "1" for k in ("received", "confirmed", "rescheduled", "cancelled")}
    done = client.post("/console/whatsapp/messages", data={CSRF_FIELD: csrf_of(html), **ticked})
    assert done.status_code == 303
    assert business(shop).settings["whatsapp"]["messages_off"] == [
        "expired",
        "reminder",
        "thank_you",
    ]
    page = client.get("/console/whatsapp").text
    assert 'id="wm-reminder" name="send:reminder" type="checkbox" value="1">' in page
    assert "Guardamos qué mensajes van por WhatsApp" in text_of(
        client.get("/console/whatsapp?done=messages").text
    )
    assert shop.employee is not None
    with httpx.Client(base_url=str(client.base_url)) as employee:
        sign_in(employee, shop.employee.email)
        agenda = employee.get("/console/agenda").text
        refused = employee.post("/console/whatsapp/messages", data={CSRF_FIELD: csrf_of(agenda)})
        assert refused.status_code == 404
    assert len(business(shop).settings["whatsapp"]["messages_off"]) == 3


@pytest.mark.browser
def test_the_screen_at_390_and_1280_px(hub: Hub, served: LiveServer) -> None:
    shop = create_shop(hub, staff=True)
    assert shop.admin is not None
    for browser in launch():
        run_screens(browser, served, shop)


def run_screens(browser: Browser, served: LiveServer, shop: Shop) -> None:
    from tests.pages.shop import PASSWORD

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
        page.goto("/console/whatsapp")
        if width == 390:
            page.fill("#phone_number_id", "106540352242922")
            page.fill("#waba_id", "102290129340398")
            page.fill("#token", TOKEN)
            page.fill("#app_secret", APP_SECRET)
            page.fill("#verify_token", "mi-palabra")
            page.click("form[action='/console/whatsapp'] button[type=submit]")
            expect(page.get_by_role("status")).to_contain_text("quedó guardada")
            page.click("button[value=create]")
            expect(page.get_by_role("status")).to_contain_text("plantillas")
        expect(page.locator("#webhook-url")).to_contain_text(shop.business.id)
        expect(page.locator("table.templates")).to_contain_text("en revisión")
        assert TOKEN not in page.content()
        # The screen sits in the Setup group of the menu, which shows it as the current page.
        page.get_by_role("navigation").get_by_text("Configuración").click()
        nav = page.get_by_role("navigation").get_by_role("link", name="WhatsApp")
        expect(nav).to_have_attribute("aria-current", "page")
        page.keyboard.press("Escape")
        page.get_by_role("navigation").get_by_text("Configuración").click()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTIFACTS.parent / f"console-whatsapp-{width}.png"
        page.screenshot(path=str(target), full_page=True)
        templates = ARTIFACTS.parent / f"console-whatsapp-{width}-templates.png"
        page.locator("#templates").screenshot(path=str(templates))
        context.close()
