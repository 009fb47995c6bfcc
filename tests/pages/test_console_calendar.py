"""The calendar agenda's JSON feed and drag-to-move over HTTP: what each staff member sees
(their business only; an employee only their resources), moving through the reschedule use
case with refusals answered as a message, and "Finalizar" from a confirmed booking."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from booking_pages.catalogue import CLIENT
from hub.bootstrap import Hub
from hub.domain.booking import Booking, BookingStatus
from hub.services.availability import get_booking
from hub.services.blocks import NewBlock, create_block
from hub.services.booking_create import NewBooking, create_booking
from hub.services.booking_status import confirm_booking
from hub.services.customers import CustomerDetails
from hub.services.replies import CLIENT_WHATSAPP
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import SETUP, Shop, create_shop
from tests.pages.test_console import sign_in


@pytest.fixture
def shop(hub: Hub) -> Shop:
    return create_shop(hub, staff=True, employee=True)


def confirmed(shop: Shop, hour: int, washer: int, name: str, days_ahead: int = 1) -> Booking:
    booking = create_booking(
        shop.hub.uow(),
        NewBooking(
            shop.business.id,
            shop.quick_wash.id,
            shop.at(hour, days_ahead=days_ahead),
            customer=CustomerDetails(name, f"+54 9 11 2345-67{hour:02d}"),
            resource_id=shop.washers[washer].id,
        ),
        by=CLIENT,
        now=shop.hub.now(),
    )
    if booking.status is BookingStatus.PENDING:
        booking = confirm_booking(
            shop.hub.uow(), shop.business.id, booking.id, by=SETUP, now=shop.hub.now()
        )
    return booking


def feed(client: httpx.Client, shop: Shop, days: int = 1) -> dict[str, Any]:
    first = shop.day(1)
    answer = client.get(
        "/console/agenda.json",
        params={"start": first.isoformat(), "end": (first + timedelta(days=days)).isoformat()},
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def move(
    client: httpx.Client, booking: Booking, start: str, resource: str, *, csrf: bool = True
) -> httpx.Response:
    page = client.get("/console/agenda")
    data = {"start": start, "resource": resource, "version": str(booking.version)}
    if csrf:
        data["csrf_token"] = csrf_of(page.text)
    return client.post(f"/console/bookings/{booking.id}/move", data=data)


def test_the_feed_shows_columns_bookings_free_gaps_and_blocks(
    client: httpx.Client, shop: Shop
) -> None:
    ana = confirmed(shop, 10, 0, "Ana Pérez")
    create_block(
        shop.hub.uow(),
        NewBlock(
            shop.business.id,
            shop.at(15, days_ahead=1),
            shop.at(16, days_ahead=1),
            reason="Service del equipo",
            resource_id=shop.washers[1].id,
        ),
        by=SETUP,
        now=shop.hub.now(),
    )
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    body = feed(client, shop)
    assert [r["title"] for r in body["resources"]] == ["Juan", "María"]
    events = body["events"]
    (booking,) = [e for e in events if e["id"] == ana.id]
    assert booking["resourceId"] == shop.washers[0].id
    assert booking["start"] == f"{shop.day(1).isoformat()}T10:00:00"  # the business's clock
    assert "Ana Pérez" in booking["title"] and "Confirmado" in booking["title"]
    assert booking["editable"] is True
    free = [e for e in events if e["extendedProps"]["kind"] == "free"]
    assert {e["title"] for e in free} == {"LIBRE"}
    assert any(
        e["start"].endswith("T10:30:00") and e["resourceId"] == ana.resource_id for e in free
    )
    (block,) = [e for e in events if e["extendedProps"]["kind"] == "block"]
    assert block["title"] == "Bloqueado · Service del equipo"
    assert block["resourceIds"] == [shop.washers[1].id]


def test_an_employee_sees_and_moves_only_their_resource(client: httpx.Client, shop: Shop) -> None:
    mine = confirmed(shop, 10, 0, "Ana Pérez")
    theirs = confirmed(shop, 12, 1, "Beto Gómez")
    assert shop.employee is not None
    sign_in(client, shop.employee.email)
    body = feed(client, shop, days=7)
    ids = {e["id"] for e in body["events"]}
    assert mine.id in ids and theirs.id not in ids
    assert [r["title"] for r in body["resources"]] == ["Juan"]
    day = shop.day(1).isoformat()
    assert move(client, theirs, f"{day}T15:00", shop.washers[1].id).status_code == 404
    assert move(client, mine, f"{day}T15:00", shop.washers[1].id).status_code == 404
    assert get_booking(shop.hub.uow(), shop.business.id, mine.id).resource_id == mine.resource_id
    moved = move(client, mine, f"{day}T15:00", shop.washers[0].id)
    assert moved.status_code == 200, moved.text
    assert get_booking(shop.hub.uow(), shop.business.id, mine.id).start == shop.at(15, days_ahead=1)


def test_another_business_sees_nothing_and_moves_nothing(
    client: httpx.Client, shop: Shop, hub: Hub
) -> None:
    ana = confirmed(shop, 10, 0, "Ana Pérez")
    other = create_shop(hub, staff=True)
    assert other.admin is not None
    sign_in(client, other.admin.email)
    body = feed(client, shop, days=7)
    assert ana.id not in {e["id"] for e in body["events"]}
    assert "Ana Pérez" not in str(body)
    day = shop.day(1).isoformat()
    assert move(client, ana, f"{day}T15:00", other.washers[0].id).status_code == 404
    assert move(client, ana, f"{day}T15:00", shop.washers[1].id).status_code == 404
    kept = get_booking(shop.hub.uow(), shop.business.id, ana.id)
    assert (kept.start, kept.resource_id) == (ana.start, ana.resource_id)


def test_moves_go_through_the_use_case_and_refusals_say_why(
    client: httpx.Client, shop: Shop
) -> None:
    ana = confirmed(shop, 10, 0, "Ana Pérez")
    confirmed(shop, 14, 1, "Beto Gómez")
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    day = shop.day(1).isoformat()
    assert move(client, ana, f"{day}T11:00", shop.washers[1].id, csrf=False).status_code == 403
    answer = move(client, ana, f"{day}T11:00", shop.washers[1].id)
    assert answer.status_code == 200, answer.text
    assert answer.json()["message"] == "Turno movido."
    ana = get_booking(shop.hub.uow(), shop.business.id, ana.id)
    assert (ana.start, ana.resource_id) == (shop.at(11, days_ahead=1), shop.washers[1].id)

    taken = move(client, ana, f"{day}T14:00", shop.washers[1].id)
    assert taken.status_code == 409
    assert "ya está ocupado" in taken.json()["message"]
    closed = move(client, ana, f"{day}T22:00", shop.washers[1].id)
    assert closed.status_code == 409
    assert "no atiende a esa hora" in closed.json()["message"]
    bad = move(client, ana, "mañana", shop.washers[1].id)
    assert bad.status_code == 422
    same_time = move(client, ana, f"{day}T11:00", shop.washers[0].id)
    assert same_time.status_code == 200
    kept = get_booking(shop.hub.uow(), shop.business.id, ana.id)
    assert (kept.start, kept.resource_id) == (shop.at(11, days_ahead=1), shop.washers[0].id)


def test_a_span_too_long_or_unreadable_is_a_clear_400(client: httpx.Client, shop: Shop) -> None:
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    for params in ({"start": "2026-01-01", "end": "2026-12-31"}, {"start": "x", "end": "y"}):
        answer = client.get("/console/agenda.json", params=params)
        assert answer.status_code == 400
        assert answer.json()["message"] == "Pedí entre 1 y 42 días."


def test_finalizar_finishes_a_confirmed_booking_in_one_tap(
    client: httpx.Client, shop: Shop
) -> None:
    booking = confirmed(shop, 10, 0, "Ana Pérez")
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    page = client.get(f"/console/bookings/{booking.id}")
    assert "Finalizar" in page.text
    done = client.post(
        f"/console/bookings/{booking.id}/complete",
        data={"csrf_token": csrf_of(page.text), "version": str(booking.version)},
    )
    assert done.status_code == 303
    assert get_booking(shop.hub.uow(), shop.business.id, booking.id).status is (
        BookingStatus.COMPLETED
    )


def test_the_cards_whatsapp_link_uses_54_9_and_is_prefilled(
    client: httpx.Client, shop: Shop
) -> None:
    booking = create_booking(
        shop.hub.uow(),
        NewBooking(
            shop.business.id,
            shop.quick_wash.id,
            shop.at(10, days_ahead=1),
            customer=CustomerDetails("Ana Pérez", "11 2345-6789"),  # typed without the 9
            resource_id=shop.washers[0].id,
        ),
        by=CLIENT,
        now=shop.hub.now(),
    )
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    page = client.get(f"/console/bookings/{booking.id}").text
    link = page.split('href="https://wa.me/')[1].split('"')[0]
    number, _, query = link.partition("?text=")
    assert number == "5491123456789"
    text = unquote(query.replace("&amp;", "&"))
    assert text.startswith("Hola Ana Pérez, te escribimos de Lavadero Demo por tu turno del ")
    assert "a las 10:00" in text


def test_the_week_list_shows_blocks(client: httpx.Client, shop: Shop) -> None:
    create_block(
        shop.hub.uow(),
        NewBlock(
            shop.business.id,
            shop.at(15, days_ahead=1),
            shop.at(16, days_ahead=1),
            reason="Service del equipo",
            resource_id=shop.washers[1].id,
        ),
        by=SETUP,
        now=shop.hub.now(),
    )
    assert shop.admin is not None and shop.employee is not None
    sign_in(client, shop.admin.email)
    week = client.get(f"/console/agenda?view=week&date={shop.day(1).isoformat()}")
    assert "Bloqueado 15:00 \N{EN DASH} 16:00 · María · Service del equipo" in text_of(week.text)
    client.post("/console/logout", data={"csrf_token": csrf_of(week.text)})
    sign_in(client, shop.employee.email)
    theirs = client.get(f"/console/agenda?view=week&date={shop.day(1).isoformat()}")
    assert "Service del equipo" not in text_of(theirs.text)  # not the employee's washer


def test_a_clients_confirmation_shows_on_the_agenda(client: httpx.Client, shop: Shop) -> None:
    ana = confirmed(shop, 10, 0, "Ana Pérez")
    beto = confirmed(shop, 12, 1, "Beto Gómez")
    # Ana taps "Confirmar" on her WhatsApp reminder; Beto does not answer.
    shop.hub.core.record_client_confirmation(shop.business.id, ana.id, by=CLIENT_WHATSAPP)
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    events = {e["id"]: e for e in feed(client, shop)["events"]}
    assert events[ana.id]["title"].endswith("Confirmó el cliente")
    assert events[ana.id]["extendedProps"]["clientConfirmed"] is True
    assert "client-confirmed" in events[ana.id]["classNames"]
    assert "Confirmó el cliente" not in events[beto.id]["title"]
    # The list view (no JavaScript) says it on the card too.
    page = client.get("/console/agenda", params={"date": shop.day(1).isoformat()})
    assert page.status_code == 200
    cards = text_of(page.text)
    assert cards.count("Confirmó el cliente") == 1
    assert "✓ Confirmó el cliente Ana Pérez" in cards  # in Ana's card, before her name
