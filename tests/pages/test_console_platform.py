"""The platform console: a platform admin lists businesses with their usage, creates one and
invites its first admin, suspends and reactivates it, and sets its monthly quota; business
staff never reach it. What a suspension and a quota change on the pages people use."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest

from hub.bootstrap import Hub
from hub.domain.accounts import Role
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.services import accounts, platform
from hub.services.availability import list_bookings
from tests.pages.helpers import book, csrf_of, text_of
from tests.pages.shop import PASSWORD, Shop
from tests.pages.test_console import sign_in

PLATFORM = ChangedBy(Actor.OPERATOR, Channel.CLI)
ES = {"Accept-Language": "es-AR,es;q=0.9"}


@pytest.fixture
def browser_of(client: httpx.Client) -> Iterator[Callable[[], httpx.Client]]:
    """Other people's browsers (a client, a staff member), closed after the test."""
    opened: list[httpx.Client] = []

    def new() -> httpx.Client:
        opened.append(httpx.Client(base_url=str(client.base_url), timeout=30))
        return opened[-1]

    yield new
    for other in opened:
        other.close()


def platform_admin(hub: Hub) -> str:
    user = accounts.create_user(
        hub.accounts_uow(),
        business_id=None,
        email="root@turnero.test",
        role=Role.PLATFORM_ADMIN,
        password=PASSWORD,
        now=hub.now(),
    )
    return user.email


def post(client: httpx.Client, path: str, data: dict[str, str], page: str) -> httpx.Response:
    form = client.get(page, headers=ES)
    return client.post(path, data={"csrf_token": csrf_of(form.text), **data}, headers=ES)


def test_a_platform_admin_signs_in_to_the_list_with_usage(
    client: httpx.Client, hub: Hub, staffed_shop: Shop
) -> None:
    book(client, staffed_shop.slug, staffed_shop.quick_wash.id, staffed_shop.at(10))
    signed = sign_in(client, platform_admin(hub))
    assert signed.status_code == 303 and signed.headers["location"] == "/console/platform"
    # The business screens are not theirs: the console sends them to the platform's.
    assert client.get("/console/agenda").headers["location"] == "/console/platform"
    page = client.get("/console/platform", headers=ES)
    assert page.status_code == 200
    row = re.search(rf'<tr data-slug="{staffed_shop.slug}">(.*?)</tr>', page.text, re.S)
    assert row, page.text
    cells = text_of(row.group(1))
    assert "Activo" in cells and " 1 " in f" {cells} "  # one booking this month
    assert " 2" in cells  # admin and employee


def test_business_staff_get_404_and_visitors_the_login(
    client: httpx.Client, hub: Hub, staffed_shop: Shop
) -> None:
    assert client.get("/console/platform").status_code == 303
    assert staffed_shop.admin is not None
    sign_in(client, staffed_shop.admin.email)
    for path in ("/console/platform", f"/console/platform/businesses/{staffed_shop.business.id}"):
        assert client.get(path).status_code == 404
    form = client.get("/console/settings")
    answer = client.post(
        f"/console/platform/businesses/{staffed_shop.business.id}/suspend",
        data={"csrf_token": csrf_of(form.text)},
    )
    assert answer.status_code == 404
    assert (
        platform.get_business(hub.uow(), staffed_shop.business.id, hub.now()).plan.suspended_at
        is None
    )


def test_create_a_business_and_its_admin_sets_a_password_by_email(
    client: httpx.Client, hub: Hub
) -> None:
    sign_in(client, platform_admin(hub))
    data = {
        "name": "Lavadero Norte",
        "slug": "lavadero-norte",
        "timezone": "America/Argentina/Buenos_Aires",
        "currency": "ARS",
        "language": "es",
        "country": "AR",
        "admin_email": "duenia@norte.test",
    }
    bad = post(
        client,
        "/console/platform/businesses",
        {**data, "slug": "Con Espacios"},
        "/console/platform",
    )
    assert bad.status_code == 422 and "minúsculas" in text_of(bad.text)
    made = post(client, "/console/platform/businesses", data, "/console/platform")
    assert made.status_code == 303, made.text
    mails = list((hub.settings.mail_dir).glob("*.eml"))
    assert any("duenia@norte.test" in m.read_text(errors="replace") for m in mails)
    detail = client.get(made.headers["location"], headers=ES)
    assert "Lavadero Norte" in detail.text and "invitación" in text_of(detail.text)
    taken = post(client, "/console/platform/businesses", data, "/console/platform")
    assert taken.status_code == 409


def test_suspend_then_reactivate_from_the_console(
    client: httpx.Client, hub: Hub, staffed_shop: Shop, browser_of: Callable[[], httpx.Client]
) -> None:
    visitor = browser_of()
    offered = visitor.get(
        f"/book/{staffed_shop.slug}", params={"service": staffed_shop.quick_wash.id}
    )
    assert offered.status_code == 200
    sign_in(client, platform_admin(hub))
    page = f"/console/platform/businesses/{staffed_shop.business.id}"
    done = post(client, page + "/suspend", {"reason": "falta de pago"}, page)
    assert done.status_code == 303
    shown = client.get(page, headers=ES)
    assert "Suspendido" in text_of(shown.text) and "falta de pago" in shown.text
    closed = visitor.get(f"/book/{staffed_shop.slug}", headers=ES)
    assert closed.status_code == 403 and "no está tomando turnos" in text_of(closed.text)
    assert f"<h1>{staffed_shop.business.name}</h1>" in closed.text  # not "something went wrong"
    assert staffed_shop.admin is not None
    staff_client = browser_of()
    refused = sign_in(staff_client, staffed_shop.admin.email)
    assert refused.status_code == 403 and "suspendido" in text_of(refused.text)
    post(client, page + "/reactivate", {}, page)
    assert visitor.get(f"/book/{staffed_shop.slug}").status_code == 200
    assert sign_in(staff_client, staffed_shop.admin.email).status_code == 303


def test_quota_from_the_console_refuses_the_client_and_shows_the_admin_a_banner(
    client: httpx.Client, hub: Hub, staffed_shop: Shop, browser_of: Callable[[], httpx.Client]
) -> None:
    sign_in(client, platform_admin(hub))
    page = f"/console/platform/businesses/{staffed_shop.business.id}"
    bad = post(client, page + "/quota", {"monthly_quota": "-3"}, page)
    assert bad.status_code == 422 and "entero" in text_of(bad.text)
    assert post(client, page + "/quota", {"monthly_quota": "1"}, page).status_code == 303
    visitor = browser_of()
    first = book(visitor, staffed_shop.slug, staffed_shop.quick_wash.id, staffed_shop.at(10))
    assert first.status_code == 303
    second = visitor.get(f"/book/{staffed_shop.slug}", headers=ES)  # said before any time
    assert second.status_code == 409
    assert "todos los turnos que puede este mes" in text_of(second.text)
    assert staffed_shop.admin is not None
    staff_client = browser_of()
    sign_in(staff_client, staffed_shop.admin.email)
    agenda = staff_client.get("/console/agenda")
    assert 'id="quota-banner"' in agenda.text and "1 de 1 turnos" in text_of(agenda.text)
    assert staffed_shop.employee is not None
    employee = browser_of()
    sign_in(employee, staffed_shop.employee.email)
    assert 'id="quota-banner"' not in employee.get("/console/agenda").text
    platform.set_quota(hub.uow(), staffed_shop.business.id, None, by=PLATFORM, now=hub.now())
    assert (
        book(
            visitor, staffed_shop.slug, staffed_shop.quick_wash.id, staffed_shop.at(12)
        ).status_code
        == 303
    )


def test_the_console_refuses_a_booking_by_hand_past_the_quota_and_when_suspended(
    client: httpx.Client, hub: Hub, staffed_shop: Shop
) -> None:
    assert staffed_shop.admin is not None
    platform.set_quota(hub.uow(), staffed_shop.business.id, 0, by=PLATFORM, now=hub.now())
    sign_in(client, staffed_shop.admin.email)
    form = client.get("/console/bookings/new")
    data = {
        "csrf_token": csrf_of(form.text),
        "service": staffed_shop.quick_wash.id,
        "resource": staffed_shop.washers[1].id,
        "date": staffed_shop.day().isoformat(),
        "time": "12:00",
        "name": "Walk-in",
        "phone": "11 4444-5555",
    }
    refused = client.post("/console/bookings/new", data=data)
    assert refused.status_code == 409
    assert "límite de turnos de tu plan" in text_of(refused.text)
    platform.set_quota(hub.uow(), staffed_shop.business.id, None, by=PLATFORM, now=hub.now())
    platform.suspend_business(hub.uow(), staffed_shop.business.id, by=PLATFORM, now=hub.now())
    # The session ended with the suspension: the console asks to sign in again.
    assert client.post("/console/bookings/new", data=data).status_code == 303
    assert (
        list_bookings(hub.uow(), staffed_shop.business.id, staffed_shop.at(0), staffed_shop.at(23))
        == []
    )
