"""The console's business settings: timezone and currency with what a change means for
bookings already made, confirmed when bookings are to come; bad input named; admins only;
each admin changes only their own business."""

from __future__ import annotations

import httpx

from hub.domain.booking import Actor, ChangedBy, Channel
from hub.services import setup
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import Shop, create_shop
from tests.pages.test_console import sign_in

FORM = {
    "name": "Lavadero Demo",
    "language": "es",
    "whatsapp_contact": "+54 9 11 5555-0000",
    "timezone": "America/Argentina/Buenos_Aires",
    "currency": "ARS",
    "min_notice_minutes": "0",
    "horizon_days": "60",
    "slot_step_minutes": "",
    "hold_minutes": "60",
    "client_cancel_until_hours": "2",
    "client_reschedule_until_hours": "2",
    "max_reschedules": "1",
}


def _post(client: httpx.Client, **changes: str) -> httpx.Response:
    page = client.get("/console/settings")
    return client.post(
        "/console/settings", data={"csrf_token": csrf_of(page.text), **FORM, **changes}
    )


def test_the_admin_sees_and_changes_timezone_and_currency(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    page = client.get("/console/settings").text
    assert "Zona horaria" in text_of(page) and 'value="America/Argentina/Buenos_Aires"' in page
    assert "Los turnos ya dados no cambian" in text_of(page)
    saved = _post(client, timezone="America/Montevideo", currency="uyu")
    assert saved.status_code == 303
    business = setup.find_business(shop.hub.uow(), business_id=shop.business.id)
    assert business.timezone == "America/Montevideo" and business.currency == "UYU"


def test_bad_settings_are_named_and_nothing_changes(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    for changes in (
        {"timezone": "Buenos Aires"},
        {"currency": "pesos"},
        {"horizon_days": "0"},
        {"hold_minutes": "muchos"},
        {"whatsapp_contact": "llamame"},
    ):
        answer = _post(client, name="No debería quedar", **changes)
        assert answer.status_code == 422, changes
        assert "Revisá los datos" in text_of(answer.text), changes
        assert 'value="No debería quedar"' in answer.text, "what was typed is kept"
    business = setup.find_business(shop.hub.uow(), business_id=shop.business.id)
    assert business.name == "Lavadero Demo" and business.timezone == shop.business.timezone


def test_a_timezone_change_with_bookings_to_come_asks_to_confirm(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    create_booking(
        shop.hub.uow(),
        NewBooking(
            shop.business.id,
            shop.quick_wash.id,
            shop.at(10),
            customer=CustomerDetails("Ana", phone="11 2345-6789"),
        ),
        by=ChangedBy(Actor.OPERATOR, Channel.CONSOLE),
        now=shop.hub.now(),
    )
    sign_in(client, shop.admin.email)
    asked = _post(client, timezone="America/Bogota")
    assert asked.status_code == 409
    assert "Hay 1 turnos por venir" in text_of(asked.text)
    assert 'name="confirm"' in asked.text
    assert setup.find_business(shop.hub.uow(), business_id=shop.business.id).timezone == (
        "America/Argentina/Buenos_Aires"
    )
    done = _post(client, timezone="America/Bogota", confirm="1")
    assert done.status_code == 303
    assert setup.find_business(shop.hub.uow(), business_id=shop.business.id).timezone == (
        "America/Bogota"
    )


def test_settings_are_the_signed_in_admins_own_business(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    other = create_shop(staffed_shop.hub, staff=True)
    assert staffed_shop.admin is not None and staffed_shop.employee is not None
    sign_in(client, staffed_shop.admin.email)
    assert _post(client, name="Cambiado").status_code == 303
    assert setup.find_business(other.hub.uow(), business_id=other.business.id).name == (
        "Lavadero Demo"
    )
    client.cookies.clear()
    sign_in(client, staffed_shop.employee.email)
    assert client.get("/console/settings").status_code == 404
    refused = client.post("/console/settings", data={**FORM, "name": "Empleado"})
    assert refused.status_code in (403, 404)
    assert setup.find_business(
        staffed_shop.hub.uow(), business_id=staffed_shop.business.id
    ).name == ("Cambiado")


def test_the_admin_sets_the_deposit_and_the_refund_rule(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    saved = _post(client, deposit_kind="fixed", deposit_value="1.500,00", refund_hours="24")
    assert saved.status_code == 303
    business = setup.find_business(shop.hub.uow(), business_id=shop.business.id)
    assert business.deposit.kind.value == "fixed" and business.deposit.value == 150000
    assert business.refund.full_refund_hours == 24
    assert "Seña y devoluciones" in text_of(client.get("/console/settings").text)
    for bad in ({"deposit_kind": "percent", "deposit_value": "120"}, {"refund_hours": "pronto"}):
        answer = _post(client, **bad)
        assert answer.status_code == 422, bad
    business = setup.find_business(shop.hub.uow(), business_id=shop.business.id)
    assert business.deposit.value == 150000
