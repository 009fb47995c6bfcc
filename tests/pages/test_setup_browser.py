"""Real Chromium: a business admin sets the business up through the console alone — settings
(timezone, with the confirmation asked while bookings are to come), a second branch with its
hours, a per-person service, reminders — and a client then picks the branch and the number
of people on the public page. Every screen is shot at 390 px and 1280 px in es-AR (and the
settings in English) under ``test-artifacts/pages/``."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from hub.app import create_app
from hub.bootstrap import Hub
from hub.services import notification_settings, setup
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


def desktop(browser: Browser, base_url: str) -> BrowserContext:
    return browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}, locale="es-AR"
    )


def both(page: Page, wide: Page, path: str, name: str) -> None:
    """Shoot ``path`` at 390 px (``page``) and 1280 px (``wide``)."""
    for viewer, size in ((page, 390), (wide, 1280)):
        viewer.goto(path)
        shot(viewer, f"setup-{name}-{size}")
        overflow = viewer.evaluate(
            "[...document.querySelectorAll('main *')].filter(e => "
            "e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
            ".map(e => e.tagName + '#' + e.id)"
        )
        assert overflow == [], f"{path} overflows at {size} px: {overflow[:5]}"


def sign_in(page: Page, email: str, button: str = "Ingresar") -> None:
    page.goto("/console/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name=button).click()
    expect(page).to_have_url(re.compile("/console/agenda"))


def test_an_admin_sets_up_the_business_in_the_console(
    browser: Browser, shop: Shop, served: LiveServer
) -> None:
    assert shop.admin is not None
    context, wide_context = phone(browser, served.base_url), desktop(browser, served.base_url)
    page, wide = context.new_page(), wide_context.new_page()
    sign_in(page, shop.admin.email)
    sign_in(wide, shop.admin.email)

    # Settings: timezone and booking rules.
    page.goto("/console/settings")
    page.locator("#min_notice_minutes").fill("60")
    page.locator("#timezone").fill("America/Montevideo")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("status")).to_contain_text("guardados")
    business = setup.find_business(shop.hub.uow(), business_id=shop.business.id)
    assert business.timezone == "America/Montevideo" and business.policy.min_notice_minutes == 60
    both(page, wide, "/console/settings", "settings")
    page.locator("#timezone").fill("Marte/Olimpo")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("alert")).to_contain_text("Revisá los datos")
    shot(page, "setup-settings-refused-390")

    # Branches: a second branch, mornings only, with María working there.
    page.goto("/console/branches")
    new = page.locator("form", has=page.get_by_role("heading", name="Nueva sucursal"))
    new.get_by_label("Nombre").fill("Anexo Belgrano")
    new.get_by_label("Dirección").fill("Juramento 2000, CABA")
    new.get_by_label("Latitud").fill("-34,5621")
    new.get_by_label("Longitud").fill("-58.4560")
    for day in range(7):
        new.locator(f"#nb-h{day}").fill("08:00-12:00")
    new.get_by_role("button", name="Agregar").click()
    expect(page.get_by_role("heading", name="Anexo Belgrano")).to_be_visible()
    (annex,) = [
        b for b in setup.list_branches(shop.hub.uow(), shop.business.id) if b.name != "Base Palermo"
    ]
    card = page.locator(f"#b-{annex.id}")
    card.get_by_label("María").check()
    card.get_by_role("button", name="Guardar").last.click()
    maria = setup.get_resource(shop.hub.uow(), shop.business.id, shop.washers[1].id)
    assert annex.id in maria.branch_ids
    both(page, wide, "/console/branches", "branches")

    # Services: the exterior wash becomes a per-person class of up to four.
    page.goto("/console/services")
    item = page.locator(f"#s-{shop.quick_wash.id}")
    item.locator("> summary").click()  # the service (its per-washer prices have their own)
    item.get_by_label("Cómo se cobra").select_option("per_person")
    item.get_by_label("Personas por turno (máximo)").fill("4")
    item.get_by_label("Seña", exact=True).select_option("percent")
    item.get_by_label("Seña: porcentaje o monto").fill("20")
    item.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("status")).to_contain_text("guardados")
    service = setup.get_service(shop.hub.uow(), shop.business.id, shop.quick_wash.id)
    assert service.max_persons == 4 and service.deposit is not None
    both(page, wide, "/console/services", "services")
    wide.locator(f"#s-{shop.quick_wash.id} > summary").click()
    shot(wide, "setup-services-open-1280")

    # Reminders: 24 h by WhatsApp, 15 minutes by email; no thank-you message.
    page.goto("/console/notifications")
    page.locator("#ra-0").fill("24")
    page.locator("#ru-0").select_option("hours")
    page.locator("#rc-0").select_option("whatsapp")
    page.locator("#ra-1").fill("15")
    page.locator("#ru-1").select_option("minutes")
    page.locator("#rc-1").select_option("email")
    page.get_by_label("Gracias (al terminar)").uncheck()
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("status")).to_contain_text("guardados")
    found = notification_settings.get_notifications(shop.hub.uow(), shop.business.id)
    assert set(found.reminders) == {
        notification_settings.ReminderRule("whatsapp", 1440),
        notification_settings.ReminderRule("email", 15),
    }
    assert found.messages_off == ("thank_you",)
    both(page, wide, "/console/notifications", "notifications")

    # Staff: invite Carla by email (no password typed); she sets hers from the link.
    page.goto("/console/staff")
    page.locator("#s-name").fill("Carla")
    page.locator("#s-email").fill("carla@example.com")
    page.get_by_role("button", name="Agregar").click()
    expect(page.get_by_role("status")).to_contain_text("Invitación enviada")
    both(page, wide, "/console/staff", "staff")
    mail = next(
        p.read_text()
        for p in shop.hub.settings.mail_dir.glob("*.eml")
        if "carla@example.com" in p.read_text()
    )
    found = re.search(r"/console/set-password/[A-Za-z0-9_\-.]+", mail.replace("=\n", ""))
    assert found, mail
    invited = phone(browser, served.base_url).new_page()
    invited.goto(found.group(0))
    shot(invited, "setup-set-password-390")
    invited.get_by_label("Contraseña nueva").fill("lavar-autos-7")
    invited.get_by_label("Repetila").fill("lavar-autos-7")
    invited.get_by_role("button", name="Guardar contraseña").click()
    expect(invited.get_by_role("status")).to_contain_text("ya podés ingresar")
    invited.get_by_role("link", name="¿Olvidaste tu contraseña?").click()
    shot(invited, "setup-forgot-390")
    invited.context.close()

    # The client: picks the branch, then the service and how many people.
    client = phone(browser, served.base_url).new_page()
    client.goto(f"/book/{shop.slug}")
    expect(client.get_by_role("heading", name=re.compile("Elegí la sucursal"))).to_be_visible()
    shot(client, "setup-public-branches-390")
    client.get_by_role("link", name=re.compile("Anexo Belgrano")).click()
    client.get_by_role("link", name=re.compile("Lavado exterior")).click()
    expect(client.get_by_role("heading", name="¿Cuántas personas?")).to_be_visible()
    client.get_by_role("link", name="3", exact=True).click()
    expect(client.locator("a.chip.selected", has_text="3")).to_be_visible()
    shot(client, "setup-public-persons-390")
    first_time = client.locator("a.time").first
    label = first_time.inner_text()
    assert label < "12:00", "the annex closes at 12:00"
    first_time.click()
    expect(client.locator(".summary")).to_contain_text("Personas")
    shot(client, "setup-public-form-390")
    wide_client = desktop(browser, served.base_url).new_page()
    wide_client.goto(f"/book/{shop.slug}?branch={annex.id}&service={shop.quick_wash.id}&persons=2")
    shot(wide_client, "setup-public-persons-1280")

    # The admin switches the business to English: every setup screen reads in English.
    wide.goto("/console/settings")
    wide.locator("#language").select_option("en")
    wide.get_by_role("button", name="Guardar").click()
    expect(wide.get_by_role("status")).to_contain_text("saved")
    for path in ("settings", "branches", "services", "notifications"):
        wide.goto(f"/console/{path}")
        expect(wide.locator("h1")).not_to_contain_text("Ajustes")
        shot(wide, f"setup-{path}-en-1280")
        page.goto(f"/console/{path}")
        shot(page, f"setup-{path}-en-390")
    expect(wide.get_by_role("heading", name="Reminders", exact=True)).to_be_visible()
    for ctx in (context, wide_context):
        ctx.close()
