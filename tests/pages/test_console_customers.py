"""The console's customers ("Clientes"): found by name, phone or email whatever the case and
accents, with their number of bookings and last visit, and each one's bookings; an employee
sees only the customers of their washer; nothing of another business."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from hub.domain.booking import Booking
from hub.services.booking_create import NewBooking, create_booking
from hub.services.booking_status import complete_booking, start_booking
from hub.services.customers import CustomerDetails
from tests.pages.helpers import text_of
from tests.pages.shop import SETUP, Shop, create_shop
from tests.pages.test_console import sign_in
from tests.support.clock import Clock

DAYS = ("Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo")


def booked(
    shop: Shop, name: str, phone: str, washer: int, days_ahead: int, hour: int = 10
) -> Booking:
    return create_booking(
        shop.hub.uow(),
        NewBooking(
            shop.business.id,
            shop.quick_wash.id,
            shop.at(hour, days_ahead=days_ahead),
            customer=CustomerDetails(name, phone, email=f"{phone[-4:]}@example.com"),
            resource_id=shop.washers[washer].id,
            force=True,
        ),
        by=SETUP,
        now=shop.hub.now(),
    )


def rows(page: str) -> list[str]:
    """The visible text of each customer's row."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [text_of(r) for r in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]


def seed(shop: Shop, clock: Clock) -> dict[str, Booking]:
    hub = shop.hub
    maria = booked(shop, "María López", "+54 9 11 4000-1111", 0, 1)
    booked(shop, "María López", "+54 9 11 4000-1111", 1, 5)
    ana = booked(shop, "Ana Pérez", "+54 9 11 4000-2222", 1, 4)
    # Two days later María's first wash was done; Ana's was not yet.
    clock.offset += timedelta(days=2)
    start_booking(hub.uow(), shop.business.id, maria.id, by=SETUP, now=hub.now())
    complete_booking(hub.uow(), shop.business.id, maria.id, by=SETUP, now=hub.now())
    return {"maria": maria, "ana": ana}


def test_search_ignores_case_accents_and_phone_punctuation(
    client: httpx.Client, staffed_shop: Shop, clock: Clock
) -> None:
    shop = staffed_shop
    seeded = seed(shop, clock)
    other = create_shop(shop.hub, staff=True)
    booked(other, "María Gómez", "+54 9 11 4999-9999", 0, 3)
    assert shop.admin is not None
    sign_in(client, shop.admin.email)

    page = client.get("/console/customers")
    assert page.status_code == 200
    listed = rows(page.text)
    # María came (last visit first), Ana has not come yet; nobody of the other business.
    assert [r.split()[0] for r in listed] == ["María", "Ana"]
    assert "María Gómez" not in page.text
    assert "Clientes" in text_of(page.text)
    (maria,) = [r for r in listed if "María López" in r]
    assert "Turnos: 2" in maria
    came = seeded["maria"].start.astimezone(shop.business.tz)
    assert f"Última visita: {DAYS[came.weekday()]} {came.day} " in maria, maria
    (ana,) = [r for r in listed if "Ana Pérez" in r]
    assert "Turnos: 1" in ana and "—" in ana

    for query in ("maria", "MARÍA LÓPEZ", "lopez", "11 4000-1111", "1111@example"):
        found = rows(client.get("/console/customers", params={"q": query}).text)
        assert len(found) == 1 and "María López" in found[0], (query, found)
    none = client.get("/console/customers", params={"q": "gomez"})
    assert rows(none.text) == [] and "Ningún cliente coincide" in text_of(none.text)
    assert client.get("/console/customers", params={"q": "x" * 5000}).status_code == 200

    # Her page: contact and both bookings, each a link to the booking.
    link = re.search(r'href="(/console/customers/[^"]+)"', page.text)
    assert link is not None
    detail = client.get(link.group(1))
    assert detail.status_code == 200
    text = text_of(detail.text)
    assert "+54 9 11 4000-1111" in text and "Sus turnos (2)" in text
    assert "Finalizado" in text and "Confirmado" in text
    assert f'href="/console/bookings/{seeded["maria"].id}?next=' in detail.text


def test_an_employee_sees_the_customers_of_their_washer_only(
    client: httpx.Client, staffed_shop: Shop, clock: Clock
) -> None:
    shop = staffed_shop
    seeded = seed(shop, clock)
    assert shop.employee is not None
    sign_in(client, shop.employee.email)  # Juan: the first washer only
    page = client.get("/console/customers")
    listed = rows(page.text)
    assert len(listed) == 1 and "María López" in listed[0]
    assert "Turnos: 1" in listed[0]  # her wash with María (the other washer) is not his
    assert "Ana Pérez" not in page.text
    assert rows(client.get("/console/customers", params={"q": "ana"}).text) == []
    ana = client.get(f"/console/customers/{seeded['ana'].customer_id}")
    assert ana.status_code == 404 and "Ana" not in ana.text
    maria = text_of(client.get(f"/console/customers/{seeded['maria'].customer_id}").text)
    assert "Sus turnos (1)" in maria


def test_another_business_customers_are_not_found(client: httpx.Client, staffed_shop: Shop) -> None:
    other = create_shop(staffed_shop.hub, staff=True)
    theirs = booked(other, "Beto Gómez", "+54 9 11 4888-8888", 0, 3)
    assert staffed_shop.admin is not None
    sign_in(client, staffed_shop.admin.email)
    answer = client.get(f"/console/customers/{theirs.customer_id}")
    assert answer.status_code == 404 and "Beto" not in answer.text
    assert "Beto" not in client.get("/console/customers", params={"q": "beto"}).text


def test_signed_out_is_sent_to_login(client: httpx.Client, staffed_shop: Shop) -> None:
    answer = client.get("/console/customers", follow_redirects=False)
    assert answer.status_code in (302, 303) and "/console/login" in answer.headers["location"]
