"""Real Chromium, end to end: a business set up from the shell and the console alone, then a
client's booking paid at MercadoPago and confirmed on WhatsApp, moved and finished on the
agenda.

The operator runs ``turnero business create`` and ``turnero user invite`` (the commands, as a
person types them); the invited admin sets a password from the emailed link and configures
in the console: two washers and their group, a branch with its hours, two services (one with
a 20 % deposit through MercadoPago, one per person), MercadoPago's keys (the webhook URL the
console shows is what the admin pastes in MercadoPago), WhatsApp's credentials, a 24 h
WhatsApp reminder, and an edited confirmation text submitted as the WhatsApp template (Meta's
review is the fake's). A client books on the public page and pays at the fake MercadoPago;
the confirmation reaches the fake WhatsApp with the edited words; the operator drags the
booking to the other washer and finishes it with "Finalizar". The platform admin's screens
are shot at 390 and 1280 px too. Fakes: ``tests.support.payments``, ``tests.support.whatsapp``.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Browser, BrowserContext, Page, expect

from booking_pages.catalogue import slot_code
from connectors.notify.consumers import register_notification_consumers
from connectors.notify.mailers import DirectoryMailer
from connectors.payments.runtime import install_payments
from hub.app import create_app
from hub.bootstrap import Hub, build_hub
from hub.config import Settings
from hub.domain.booking import Booking, BookingStatus
from hub.persistence.migrate import migrate
from hub.services import setup
from hub.services.availability import get_booking, list_bookings
from scheduler.config import SchedulerConfig
from scheduler.consumers import ConsumerRegistry
from scheduler.dispatcher import Dispatcher
from tests.support.browser import phone, shot
from tests.support.clock import Clock
from tests.support.live import LiveServer
from tests.support.payments import Endpoint, FakeMercadoPago
from tests.support.whatsapp import FakeWhatsAppGraph, running_graph

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TZ = "America/Argentina/Buenos_Aires"
SLUG = "lavadero-norte"
ADMIN = "duenia@norte.test"
ADMIN_PASSWORD = "lavar-autos-7"
ROOT = "root@turnero.test"
ROOT_PASSWORD = "plataforma-1"
WA_TOKEN = "wa-token"
MP_SECRET = "mp-webhook-secret"
EDITED = (
    "Hola {{ customer_name }}: tu {{ service_name }} quedó confirmado para el "
    "{{ short_date_text }} a las {{ time_text }}. ¡Te esperamos en Lavadero Norte!"
)
DESKTOP = {"width": 1280, "height": 900}


@dataclass
class Live:
    hub: Hub
    clock: Clock
    base_url: str
    mp: FakeMercadoPago
    graph: FakeWhatsAppGraph
    env: dict[str, str]

    def turnero(self, *argv: str) -> str:
        """Run the ``turnero`` command as the operator would, and return what it printed."""
        command = [str(Path(sys.executable).with_name("turnero")), *argv]
        done = subprocess.run(
            command, env=self.env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    url = f"sqlite:///{tmp_path / 'turnero.db'}"
    migrate(url)
    mp = FakeMercadoPago().start()
    graphs = running_graph(WA_TOKEN)
    graph = next(graphs)
    served = LiveServer()
    clock = Clock()
    settings = Settings(
        data_dir=tmp_path,
        database_url=url,
        base_url=served.base_url,
        secret_key="e2e-secret-key",
        encryption_key=Fernet.generate_key().decode(),
        mail_dir=tmp_path / "outbox-mail",
        mercadopago_api_base=mp.url,
        whatsapp_graph_url=graph.url,
    )
    hub = build_hub(settings, clock=clock)
    registry = ConsumerRegistry()
    install_payments(hub, registry)
    register_notification_consumers(
        registry, hub.database.unit_of_work, hub.settings, DirectoryMailer(settings.mail_dir)
    )
    dispatcher = Dispatcher(
        hub.database.sessions,
        registry=registry,
        config=SchedulerConfig(retry_base=timedelta(0), retry_max=timedelta(0)),
        clock=hub.now,
        rng=random.Random(7),
    )

    def dispatch(ids: Sequence[str]) -> None:
        dispatcher.dispatch(ids)

    hub.on_commit(dispatch)
    served.start(create_app(hub))
    env = {
        **os.environ,
        "TURNERO_DATABASE_URL": url,
        "TURNERO_DATA_DIR": str(tmp_path),
        "TURNERO_SECRET_KEY": settings.secret_key,
        "TURNERO_BASE_URL": served.base_url,
        "TURNERO_MAIL_DIR": str(settings.mail_dir),
    }
    try:
        yield Live(hub, clock, served.base_url, mp, graph, env)
    finally:
        served.stop()
        hub.close()
        mp.stop()
        graphs.close()


def desktop(browser: Browser, base_url: str) -> BrowserContext:
    return browser.new_context(base_url=base_url, viewport=DESKTOP, locale="es-AR")


def invitation_link(live: Live, email: str) -> str:
    for path in sorted(live.hub.settings.mail_dir.glob("*.eml")):
        text = path.read_text(errors="replace").replace("=\n", "")
        found = re.search(r"/console/set-password/[A-Za-z0-9_\-.]+", text)
        if email in text and found:
            return found.group(0)
    raise AssertionError(f"no invitation mailed to {email}")


def sign_in(page: Page, email: str, password: str, lands: str = "/console/agenda") -> None:
    page.goto("/console/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Ingresar").click()
    expect(page).to_have_url(re.compile(lands))


def saved(page: Page) -> None:
    expect(page.get_by_role("status").first).to_be_visible()


def both(page: Page, wide: Page, path: str, name: str) -> None:
    """Shoot ``path`` at 390 px and 1280 px; nothing may stick out sideways."""
    for viewer, size in ((page, 390), (wide, 1280)):
        viewer.goto(path)
        shot(viewer, f"{name}-{size}")
        overflow = viewer.evaluate(
            "[...document.querySelectorAll('main *')].filter(e => "
            "e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
            ".map(e => e.tagName + '#' + e.id)"
        )
        assert overflow == [], f"{path} overflows at {size} px: {overflow[:5]}"


def drag(page: Page, event_text: str, column: str, hour: int, opens: int = 9) -> None:
    """Drag the agenda event showing ``event_text`` to ``column`` at ``hour``:00 (the grid
    starts at ``opens`` with 44-pixel half hours, as the agenda draws it)."""
    event = page.locator(".ec-event.bk", has_text=event_text)
    box = event.bounding_box()
    header = page.locator(".ec-col-head", has_text=column).first.bounding_box()
    grid = page.locator(".ec-body .ec-day").first.bounding_box()
    assert box and header and grid
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 4)
    page.mouse.down()
    target_y = grid["y"] + (hour - opens) * 2 * 44 + 4
    page.mouse.move(header["x"] + header["width"] / 2, target_y, steps=12)
    page.mouse.up()


def test_a_business_sets_itself_up_and_runs_a_paid_booking(browser: Browser, live: Live) -> None:
    # -- the operator, at a shell ---------------------------------------------------------
    out = live.turnero(
        "business", "create", "--slug", SLUG, "--name", "Lavadero Norte",
        "--timezone", TZ, "--currency", "ARS", "--language", "es", "--country", "AR",
    )  # fmt: skip
    assert f"created business {SLUG}" in out
    live.turnero("user", "invite", "--business", SLUG, "--email", ADMIN, "--name", "Dueña")
    live.turnero("platform-admin", "create", "--email", ROOT, "--password", ROOT_PASSWORD)
    business = setup.find_business(live.hub.uow(), slug=SLUG)

    # -- the invited admin sets a password from the emailed link ---------------------------
    context = phone(browser, live.base_url)
    page = context.new_page()
    page.goto(invitation_link(live, ADMIN))
    page.get_by_label("Contraseña nueva").fill(ADMIN_PASSWORD)
    page.get_by_label("Repetila").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Guardar contraseña").click()
    expect(page.get_by_role("status")).to_contain_text("ya podés ingresar")
    sign_in(page, ADMIN, ADMIN_PASSWORD)

    # Two washers, open 9 to 18 every day, in one group.
    for name in ("Juan", "María"):
        page.goto("/console/resources")
        page.locator("#nr-name").fill(name)
        page.locator("form", has=page.locator("#nr-name")).get_by_role("button").click()
        card = page.locator("section.resource", has=page.get_by_role("heading", name=name))
        for day in range(7):
            card.locator(f"input[name=day{day}]").fill("09:00-18:00")
        card.locator("form[action$='/hours']").get_by_role("button", name="Guardar").click()
        saved(page)
    page.goto("/console/resources")
    page.locator("#ng-name").fill("Lavadores")
    new_group = page.locator("form[action='/console/groups']")
    new_group.get_by_label("Juan").check()
    new_group.get_by_label("María").check()
    new_group.get_by_role("button", name="Agregar").click()
    washers = {r.name: r for r in setup.list_resources(live.hub.uow(), business.id)}
    (group,) = setup.list_groups(live.hub.uow(), business.id)
    assert set(group.resource_ids) == {washers["Juan"].id, washers["María"].id}

    # A branch with its hours, both washers working there.
    page.goto("/console/branches")
    new = page.locator("form", has=page.get_by_role("heading", name="Nueva sucursal"))
    new.get_by_label("Nombre").fill("Base Núñez")
    new.get_by_label("Dirección").fill("Av. Cabildo 4000, CABA")
    for day in range(7):
        new.locator(f"#nb-h{day}").fill("09:00-18:00")
    new.get_by_role("button", name="Agregar").click()
    expect(page.get_by_role("heading", name="Base Núñez")).to_be_visible()
    (branch,) = setup.list_branches(live.hub.uow(), business.id)
    card = page.locator(f"#b-{branch.id}")
    card.get_by_label("Juan").check()
    card.get_by_label("María").check()
    card.get_by_role("button", name="Guardar").last.click()
    saved(page)

    # Two services: a full wash with a 20 % deposit, and a per-person class.
    for name, price, pricing, persons, deposit in (
        ("Lavado completo", "10000", "fixed", "1", "20"),
        ("Clase de encerado", "3000", "per_person", "4", ""),
    ):
        page.goto("/console/services")
        form = page.locator("section.card", has=page.get_by_role("heading", name="Nuevo servicio"))
        form.locator("#sv-name").fill(name)
        form.locator("#sv-duration").fill("60")
        form.locator("#sv-price").fill(price)
        form.locator("#sv-pricing").select_option(pricing)
        form.locator("#sv-persons").fill(persons)
        form.locator("#sv-deposit").select_option("percent" if deposit else "none")
        if deposit:
            form.locator("#sv-dvalue").fill(deposit)
        form.get_by_label("Lavadores (grupo)").check()
        form.get_by_role("button").last.click()
        saved(page)
    services = {s.name: s for s in setup.list_services(live.hub.uow(), business.id)}
    wash = services["Lavado completo"]
    assert wash.deposit is not None and wash.deposit.value == 20
    assert services["Clase de encerado"].max_persons == 4

    # MercadoPago: the keys, and the webhook URL pasted in MercadoPago's dashboard.
    page.goto("/console/payments")
    page.get_by_role("radio", name="Mercado Pago").check()
    page.locator("#mercadopago_access_token").fill("APP_USR-e2e-1")
    page.locator("#mercadopago_webhook_secret").fill(MP_SECRET)
    page.get_by_role("button", name=re.compile("Guardar")).first.click()
    saved(page)
    live.mp.endpoint = Endpoint(page.locator("#webhook-mercadopago").inner_text(), MP_SECRET)

    # WhatsApp: the number's credentials.
    page.goto("/console/whatsapp")
    page.locator("#phone_number_id").fill("105500001")
    page.locator("#waba_id").fill(live.graph.waba_id)
    page.locator("#token").fill(WA_TOKEN)
    page.locator("#app_secret").fill("app-secret-e2e")
    page.locator("#verify_token").fill("verify-e2e")
    page.get_by_role("button", name=re.compile("Guardar")).first.click()
    saved(page)

    # Reminders: 24 h before, by WhatsApp.
    page.goto("/console/notifications")
    page.locator("#ra-0").fill("24")
    page.locator("#ru-0").select_option("hours")
    page.locator("#rc-0").select_option("whatsapp")
    page.get_by_role("button", name="Guardar").click()
    saved(page)

    # The confirmation's WhatsApp text, edited; then submitted as the WhatsApp template.
    page.goto("/console/templates?language=es&kind=confirmed")
    page.locator("textarea[name='whatsapp.txt']").fill(EDITED)
    page.get_by_role("button", name="Guardar").first.click()
    saved(page)
    page.goto("/console/whatsapp")
    page.get_by_role("button", name=re.compile("Crear")).click()
    saved(page)
    for name, language in list(live.graph.templates):  # Meta's review
        live.graph.review(name, language, "APPROVED")
    page.goto("/console/whatsapp")
    page.get_by_role("button", name=re.compile("Actualizar")).click()
    saved(page)

    # -- the platform admin sees the business and gives it the plan's 100 bookings a month --
    root, wide_root = (
        phone(browser, live.base_url).new_page(),
        desktop(browser, live.base_url).new_page(),
    )
    sign_in(root, ROOT, ROOT_PASSWORD, lands="/console/platform")
    sign_in(wide_root, ROOT, ROOT_PASSWORD, lands="/console/platform")
    detail = f"/console/platform/businesses/{business.id}"
    root.goto(detail)
    root.locator("#q").fill("100")
    root.get_by_role("button", name="Guardar").click()
    expect(root.get_by_role("status")).to_contain_text("Límite guardado")

    # -- a client books on the public page and pays the deposit at MercadoPago --------------
    tz = ZoneInfo(TZ)
    when = datetime.combine((live.clock().astimezone(tz) + timedelta(days=2)).date(), time(10), tz)
    client = phone(browser, live.base_url).new_page()
    client.goto(f"/book/{SLUG}")
    client.get_by_role("link", name=re.compile("Lavado completo")).click()
    if when.month != live.clock().astimezone(tz).month:
        client.get_by_role("link", name="Mes siguiente").click()
    client.locator(f'a.daylink[href*="day={when.date().isoformat()}"]').click()
    client.locator(f'a.time[href*="start={slot_code(when)}"]').click()
    client.get_by_label("Nombre").fill("Ana Pérez")
    client.get_by_label("Teléfono").fill("11 2345-6789")
    shot(client, "e2e-client-form-390")
    client.get_by_role("button", name="Reservar turno").click()
    client.wait_for_url(re.compile("^" + re.escape(live.mp.url) + "/checkout/"))
    expect(client.locator(".amount")).to_contain_text("2000.0 ARS")
    client.get_by_role("button", name="Pay").click()
    client.wait_for_url(re.compile("/book/manage/"))
    expect(client.locator(".badge")).to_have_text("Confirmado")
    shot(client, "e2e-client-paid-390")

    # The confirmation reached WhatsApp with the business's own words.
    confirmations = [m for m in live.graph.messages if "quedó confirmado" in m.text]
    assert len(confirmations) == 1, [m.text for m in live.graph.messages]
    (confirmation,) = confirmations
    day_text = confirmation.text.split("para el ")[1].split(" a las")[0]
    assert str(when.day) in day_text  # "Martes 8 dic"
    assert confirmation.text.startswith(
        f"Hola Ana Pérez: tu Lavado completo quedó confirmado para el {day_text} a las 10:00. "
        "¡Te esperamos en Lavadero Norte!"
    )
    assert confirmation.to == "5491123456789"

    # -- the operator moves it to the other washer and finishes it -------------------------
    start = live.clock() - timedelta(days=1)
    (booking,) = list_bookings(live.hub.uow(), business.id, start, start + timedelta(days=30))
    assert booking.status is BookingStatus.CONFIRMED
    other = "María" if booking.resource_id == washers["Juan"].id else "Juan"
    agenda = desktop(browser, live.base_url).new_page()
    sign_in(agenda, ADMIN, ADMIN_PASSWORD)
    agenda.goto(f"/console/agenda?date={when.date().isoformat()}")
    expect(agenda.locator(".ec-event.bk", has_text="Ana Pérez")).to_be_visible()
    drag(agenda, "Ana Pérez", other, 10)
    expect(agenda.get_by_text("Turno movido.")).to_be_visible()
    moved = setup_booking(live, business.id, booking.id)
    assert moved.resource_id == washers[other].id and moved.start == when
    shot(agenda, "e2e-agenda-moved-1280")
    live.clock.offset += when + timedelta(minutes=5) - live.clock()
    sign_in(agenda, ADMIN, ADMIN_PASSWORD)  # two days later: a new session
    agenda.goto(f"/console/agenda?date={when.date().isoformat()}")
    agenda.locator(".ec-event.bk", has_text="Ana Pérez").click()
    agenda.get_by_role("button", name="Finalizar").click()
    expect(agenda.get_by_text("Turno finalizado.")).to_be_visible()
    assert setup_booking(live, business.id, booking.id).status is BookingStatus.COMPLETED
    shot(agenda, "e2e-agenda-finished-1280")

    # -- the platform sees the month's use; then suspends the business --------------------
    sign_in(root, ROOT, ROOT_PASSWORD, lands="/console/platform")  # two days on: signed out
    sign_in(wide_root, ROOT, ROOT_PASSWORD, lands="/console/platform")
    both(root, wide_root, "/console/platform", "platform-list")
    expect(root.locator(f"tr[data-slug={SLUG}]")).to_contain_text("1 / 100")
    both(root, wide_root, detail, "platform-business")
    root.goto(detail)
    root.locator("#reason").fill("Plan vencido")
    root.get_by_role("button", name="Suspender el negocio").click()
    expect(root.get_by_role("status")).to_contain_text("Negocio suspendido")
    both(root, wide_root, detail, "platform-business-suspended")
    client.goto(f"/book/{SLUG}")
    expect(client.get_by_text("Lavadero Norte no está tomando turnos")).to_be_visible()
    shot(client, "platform-suspended-public-390")
    page.goto("/console/login")
    page.locator("#email").fill(ADMIN)
    page.locator("#password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("alert")).to_contain_text("Este negocio está suspendido")
    shot(page, "platform-suspended-login-390")
    for opened in (context, root.context, wide_root.context, client.context):
        opened.close()
    agenda.context.close()


def setup_booking(live: Live, business_id: str, booking_id: str) -> Booking:
    return get_booking(live.hub.uow(), business_id, booking_id)
