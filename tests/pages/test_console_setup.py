"""Console setup screens: calendar-app passwords and API keys shown once, booking rules,
services, weekly hours, staff; admin screens do not exist for employees."""

from __future__ import annotations

import re
from datetime import time

import httpx

from hub.services import accounts, setup
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import Shop
from tests.pages.test_console import sign_in


def test_an_app_password_is_shown_once_with_the_caldav_address(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.employee is not None
    sign_in(client, shop.employee.email)
    page = client.get("/console/calendar-app")
    assert f"{shop.hub.settings.base_url}/dav/" in page.text and shop.employee.email in page.text
    created = client.post(
        "/console/calendar-app", data={"csrf_token": csrf_of(page.text), "label": "Teléfono"}
    )
    secret = re.search(r'<p class="secret" id="secret">([^<]+)</p>', created.text)
    assert secret, "the new password is on the page"
    hub = shop.hub
    user = accounts.authenticate_app_password(
        hub.accounts_uow(),
        shop.employee.email,
        secret.group(1),
        hub.now(),
        throttle=hub.login_throttle,
        address="127.0.0.1",
    )
    assert user.id == shop.employee.id
    again = client.get("/console/calendar-app")
    assert secret.group(1) not in again.text and "Teléfono" in again.text


def test_an_api_key_is_shown_once_and_works(client: httpx.Client, staffed_shop: Shop) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    page = client.get("/console/api-keys")
    created = client.post(
        "/console/api-keys", data={"csrf_token": csrf_of(page.text), "name": "CRM"}
    )
    secret = re.search(r'<p class="secret" id="secret">([^<]+)</p>', created.text)
    assert secret
    key = accounts.authenticate_api_key(shop.hub.accounts_uow(), secret.group(1), shop.hub.now())
    assert key.business_id == shop.business.id
    assert secret.group(1) not in client.get("/console/api-keys").text


def test_admin_screens_are_404_for_employees(client: httpx.Client, staffed_shop: Shop) -> None:
    assert staffed_shop.employee is not None
    sign_in(client, staffed_shop.employee.email)
    for path in ("/console/settings", "/console/api-keys", "/console/staff", "/console/services"):
        assert client.get(path).status_code == 404, path


def test_booking_rules_services_and_hours_are_saved(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    page = client.get("/console/settings")
    saved = client.post(
        "/console/settings",
        data={
            "csrf_token": csrf_of(page.text),
            "name": "Lavadero Demo",
            "language": "es",
            "whatsapp_contact": "+54 9 11 5555-0000",
            "min_notice_minutes": "120",
            "horizon_days": "30",
            "slot_step_minutes": "30",
            "hold_minutes": "60",
            "client_cancel_until_hours": "4",
            "client_reschedule_until_hours": "4",
            "max_reschedules": "2",
            "requires_confirmation": "1",
        },
    )
    assert saved.status_code == 303
    business = setup.find_business(shop.hub.uow(), business_id=shop.business.id)
    assert business.policy.min_notice_minutes == 120 and business.policy.requires_confirmation
    assert business.policy.slot_step_minutes == 30 and business.policy.max_reschedules == 2

    services = client.get("/console/services")
    client.post(
        "/console/services",
        data={
            "csrf_token": csrf_of(services.text),
            "name": "Encerado",
            "duration": "45",
            "price": "3500,50",
            "who": f"group:{shop.group.id}",
        },
    )
    (wax,) = [
        s for s in setup.list_services(shop.hub.uow(), shop.business.id) if s.name == "Encerado"
    ]
    assert wax.duration_minutes == 45 and wax.price_minor == 350050

    juan = shop.washers[0]
    hours = client.get("/console/resources")
    answer = client.post(
        f"/console/resources/{juan.id}/hours",
        data={
            "csrf_token": csrf_of(hours.text),
            "day0": "09:00-13:00, 14:00-18:00",
            "day5": "10:00-14:00",
        },
    )
    assert answer.status_code == 303
    weekly = setup.get_resource(shop.hub.uow(), shop.business.id, juan.id).weekly
    assert [(w.weekday, w.start, w.end) for w in weekly] == [
        (0, time(9), time(13)),
        (0, time(14), time(18)),
        (5, time(10), time(14)),
    ]
    wrong = client.post(
        f"/console/resources/{juan.id}/hours",
        data={"csrf_token": csrf_of(hours.text), "day0": "nueve a doce"},
    )
    assert wrong.status_code == 422 and "Revisá los datos" in text_of(wrong.text)


def test_staff_are_added_with_a_role_and_a_resource(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    page = client.get("/console/staff")
    client.post(
        "/console/staff",
        data={
            "csrf_token": csrf_of(page.text),
            "name": "María",
            "email": "maria@example.com",
            "password": "lavar-autos-1",
            "role": "employee",
            "resource": shop.washers[1].id,
        },
    )
    maria = accounts.find_user(shop.hub.accounts_uow(), "maria@example.com")
    assert maria.resource_ids == (shop.washers[1].id,) and maria.role.value == "employee"
    assert "maria@example.com" in client.get("/console/staff").text
