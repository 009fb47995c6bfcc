"""The console's payments screen against fake Stripe and fake MercadoPago: an admin chooses
the provider and enters its credentials (stored sealed, never shown again), copies each
provider's webhook URL and tests the connection, seeing what the provider answered (or its
refusal); the payment connector takes deposits with exactly what was saved; employees and
other businesses never see it. Walked in Chromium at 390 and 1280 px.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Browser, expect

from booking_pages.web import CSRF_FIELD
from connectors.payments.runtime import provider_for
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
from tests.support.payments import FakeMercadoPago, FakeStripe

SK = "sk_test_51Consoleabcdef"
WHSEC = "whsec_console_secret_123"
MP_TOKEN = "APP_USR-1234567890-console"


@pytest.fixture
def fakes() -> Iterator[tuple[FakeStripe, FakeMercadoPago]]:
    stripe, mp = FakeStripe().start(), FakeMercadoPago().start()
    yield stripe, mp
    stripe.stop()
    mp.stop()


@pytest.fixture
def hub(
    database_file: str,
    clock: Clock,
    served: LiveServer,
    tmp_path: Path,
    fakes: tuple[FakeStripe, FakeMercadoPago],
) -> Iterator[Hub]:
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_file,
        base_url=served.base_url,
        secret_key="pages-test-secret",
        mail_dir=tmp_path / "outbox-mail",
        encryption_key=Fernet.generate_key().decode(),
        stripe_api_base=fakes[0].url,
        mercadopago_api_base=fakes[1].url,
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
    page = client.get("/console/payments")
    assert page.status_code == 200
    return page.text


def save(client: httpx.Client, html: str, **fields: str) -> httpx.Response:
    return client.post("/console/payments", data={CSRF_FIELD: csrf_of(html), **fields})


def test_an_admin_connects_stripe_and_the_connector_uses_it(
    client: httpx.Client, hub: Hub, fakes: tuple[FakeStripe, FakeMercadoPago]
) -> None:
    shop = create_shop(hub, staff=True)
    html = admin_page(client, shop)
    assert provider_for(hub.settings, business(shop)) is None
    saved = save(client, html, provider="stripe", stripe_secret_key=SK, stripe_webhook_secret=WHSEC)
    assert saved.status_code == 303
    page = client.get(saved.headers["location"]).text
    assert "Listo, se guardó la configuración de pagos" in text_of(page)
    assert SK not in page and WHSEC not in page
    assert "guardado — no se vuelve a mostrar" in page
    hook = f"/connectors/payments/stripe/webhook?business={shop.business.id}"
    assert hook in text_of(page).replace("&amp;", "&")
    config = business(shop).settings["payments"]
    assert config["provider"] == "stripe"
    assert all(str(v).startswith("fernet:") for v in config["stripe"].values())
    assert SK not in str(config) and WHSEC not in str(config)
    # What the payment connector reads is what was saved, in the clear only there.
    provider = provider_for(hub.settings, business(shop))
    assert provider is not None and provider.name == "stripe"

    # A blank secret keeps the stored one.
    again = save(client, page, provider="stripe")
    assert again.status_code == 303
    assert business(shop).settings["payments"]["stripe"] == config["stripe"]

    tested = client.post(
        "/console/payments/test", data={CSRF_FIELD: csrf_of(page), "provider": "stripe"}
    )
    assert tested.status_code == 200
    assert "Stripe respondió: conectado (test · ARS)" in text_of(tested.text)
    assert ("GET", "/v1/balance") in fakes[0].requests


def test_mercadopago_test_connection_shows_the_provider_refusal(
    client: httpx.Client, hub: Hub, fakes: tuple[FakeStripe, FakeMercadoPago]
) -> None:
    shop = create_shop(hub, staff=True)
    html = admin_page(client, shop)
    # A TEST- token has the right shape, but this fake account only knows APP_USR- ones.
    saved = save(
        client,
        html,
        provider="mercadopago",
        mercadopago_access_token="TEST-0000-not-this-account",
        mercadopago_webhook_secret="mp-webhook-secret",
    )
    assert saved.status_code == 303
    page = client.get("/console/payments").text
    refused = client.post(
        "/console/payments/test", data={CSRF_FIELD: csrf_of(page), "provider": "mercadopago"}
    )
    assert "Mercado Pago rechazó la conexión: invalid access token" in text_of(refused.text)
    fixed = save(client, page, mercadopago_access_token=MP_TOKEN)
    assert fixed.status_code == 303
    ok = client.post(
        "/console/payments/test", data={CSRF_FIELD: csrf_of(page), "provider": "mercadopago"}
    )
    assert "Mercado Pago respondió: conectado (LAVADERO_TEST · MLA)" in text_of(ok.text)
    assert ("GET", "/users/me") in fakes[1].requests


def test_bad_input_is_refused_and_changes_nothing(client: httpx.Client, hub: Hub) -> None:
    shop = create_shop(hub, staff=True)
    html = admin_page(client, shop)
    wrong_key = save(client, html, provider="stripe", stripe_secret_key="pk_test_publishable1")
    assert wrong_key.status_code == 422
    assert "Tiene que ser una clave secreta de Stripe" in text_of(wrong_key.text)
    no_secret = save(client, html, provider="stripe", stripe_secret_key=SK)
    assert no_secret.status_code == 422
    assert "sin él no se da por pagada ninguna seña" in text_of(no_secret.text)
    unknown = save(client, html, provider="paypal")
    assert unknown.status_code == 422
    assert "payments" not in business(shop).settings


def test_only_the_business_admin_reaches_it(client: httpx.Client, hub: Hub) -> None:
    shop = create_shop(hub, staff=True, employee=True)
    other = create_shop(hub, staff=True)
    html = admin_page(client, shop)
    save(client, html, provider="stripe", stripe_secret_key=SK, stripe_webhook_secret=WHSEC)
    assert shop.employee is not None and other.admin is not None
    with httpx.Client(base_url=str(client.base_url)) as employee:
        sign_in(employee, shop.employee.email)
        assert employee.get("/console/payments").status_code == 404
        page = employee.get("/console/agenda").text
        refused = employee.post(
            "/console/payments", data={CSRF_FIELD: csrf_of(page), "provider": ""}
        )
        assert refused.status_code == 404
        test = employee.post(
            "/console/payments/test", data={CSRF_FIELD: csrf_of(page), "provider": "stripe"}
        )
        assert test.status_code == 404
    with httpx.Client(base_url=str(client.base_url)) as stranger:
        sign_in(stranger, other.admin.email)
        theirs = stranger.get("/console/payments").text
        assert shop.business.id not in theirs and "no se vuelve a mostrar" not in theirs
        assert "payments" not in business(other).settings
    assert business(shop).settings["payments"]["provider"] == "stripe"


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
        page.goto("/console/payments")
        if width == 390:
            page.check("input[type=radio][name=provider][value=mercadopago]")
            page.fill("#mercadopago_access_token", MP_TOKEN)
            page.fill("#mercadopago_webhook_secret", "mp-webhook-secret")
            page.click("form[action='/console/payments'] button[type=submit]")
            expect(page.get_by_role("status")).to_contain_text("se guardó")
        expect(page.locator("input[type=radio][name=provider][value=mercadopago]")).to_be_checked()
        expect(page.locator("#webhook-mercadopago")).to_contain_text(shop.business.id)
        page.click("#test-mercadopago")
        expect(page.locator("#test-result")).to_contain_text("conectado")
        assert MP_TOKEN not in page.content()
        page.get_by_role("navigation").get_by_text("Configuración").click()
        nav = page.get_by_role("navigation").get_by_role("link", name="Pagos")
        expect(nav).to_have_attribute("aria-current", "page")
        page.keyboard.press("Escape")
        page.get_by_role("navigation").get_by_text("Configuración").click()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTIFACTS.parent / f"console-payments-{width}.png"
        page.screenshot(path=str(target), full_page=True)
        context.close()
