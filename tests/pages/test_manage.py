"""The client's manage link: see, cancel with a reason, reschedule within the limits."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from booking_pages.catalogue import slot_code
from hub.services.availability import get_booking_by_token
from tests.pages.helpers import book, csrf_of, slot_codes, text_of
from tests.pages.shop import Shop
from tests.support.clock import Clock


def booked(client: httpx.Client, shop: Shop, hour: int = 10, days_ahead: int = 2) -> str:
    answer = book(client, shop.slug, shop.quick_wash.id, shop.at(hour, days_ahead=days_ahead))
    assert answer.status_code == 303
    return answer.headers["location"].split("?")[0]


def test_the_client_cancels_with_a_reason(client: httpx.Client, shop: Shop) -> None:
    manage = booked(client, shop)
    page = client.get(manage)
    answer = client.post(
        f"{manage}/cancel", data={"csrf_token": csrf_of(page.text), "reason": "Llueve <mucho>"}
    )
    assert answer.status_code == 303
    text = text_of(client.get(answer.headers["location"]).text)
    assert "Tu turno quedó cancelado." in text
    assert "Cancelado" in text and "Motivo: Llueve <mucho>" in text
    booking = get_booking_by_token(shop.hub.uow(), manage.rsplit("/", 1)[1])
    assert booking.status.value == "cancelled" and booking.cancel_reason == "Llueve <mucho>"
    assert booking.cancelled_by is not None and booking.cancelled_by.value == "client"


def test_cancelling_too_late_is_explained_and_changes_nothing(
    client: httpx.Client, shop: Shop, clock: Clock
) -> None:
    manage = booked(client, shop)
    page = client.get(manage)
    token = csrf_of(page.text)
    booking = get_booking_by_token(shop.hub.uow(), manage.rsplit("/", 1)[1])
    clock.offset = booking.start - shop.hub.now() - timedelta(hours=1) + clock.offset
    later = client.get(manage)
    assert "se pueden cancelar en línea hasta 2 horas antes" in text_of(later.text)
    assert f'action="{manage}/cancel"' not in later.text
    refused = client.post(f"{manage}/cancel", data={"csrf_token": token, "reason": "x"})
    assert refused.status_code == 409
    assert "hasta 2 horas antes" in text_of(refused.text)
    assert get_booking_by_token(shop.hub.uow(), booking.token).status.value == "confirmed"


def test_the_client_reschedules_once_then_the_limit_is_explained(
    client: httpx.Client, shop: Shop
) -> None:
    manage = booked(client, shop, hour=10)
    offer = client.get(f"{manage}/reschedule")
    assert offer.status_code == 200
    new_start = shop.at(16)
    code = slot_code(new_start)
    assert code in slot_codes(offer.text.replace('value="', "start="))
    moved = client.post(
        f"{manage}/reschedule", data={"csrf_token": csrf_of(offer.text), "start": code}
    )
    assert moved.status_code == 303
    page = client.get(moved.headers["location"])
    assert "cambiamos el horario" in text_of(page.text)
    booking = get_booking_by_token(shop.hub.uow(), manage.rsplit("/", 1)[1])
    assert booking.start == new_start and booking.reschedule_count == 1
    assert "ya usó todas las reprogramaciones permitidas (1)" in text_of(page.text)
    again = client.post(
        f"{manage}/reschedule",
        data={"csrf_token": csrf_of(page.text), "start": slot_code(shop.at(17))},
    )
    assert again.status_code == 409
    assert "reprogramaciones permitidas" in text_of(again.text)
    assert get_booking_by_token(shop.hub.uow(), booking.token).start == new_start


def test_manage_forms_need_the_csrf_token(client: httpx.Client, shop: Shop) -> None:
    manage = booked(client, shop)
    refused = client.post(f"{manage}/cancel", data={"reason": "x"})
    assert refused.status_code == 403
    booking = get_booking_by_token(shop.hub.uow(), manage.rsplit("/", 1)[1])
    assert booking.status.value == "confirmed"


def test_a_manage_link_shows_only_its_own_booking(client: httpx.Client, shop: Shop) -> None:
    mine = booked(client, shop, hour=10)
    with httpx.Client(base_url=str(client.base_url)) as other:
        theirs = booked(other, shop, hour=11)
    assert mine != theirs
    answer = client.get(mine[:-4] + "abcd")
    assert answer.status_code == 404
    assert "No encontramos ese turno" in text_of(answer.text)


def test_rescheduling_from_the_last_day_of_the_calendar_offers_the_coming_days(
    client: httpx.Client, shop: Shop
) -> None:
    manage = booked(client, shop)
    for far in ("9999-12-31", "0001-01-01"):
        page = client.get(f"{manage}/reschedule", params={"from": far})
        assert page.status_code == 200
        assert re.search(r'name="start" value="\d{8}T\d{4}Z"', page.text), "no times offered"


def test_the_reschedule_page_explains_a_closed_window_instead_of_listing_times(
    client: httpx.Client, shop: Shop, clock: Clock
) -> None:
    manage = booked(client, shop)
    booking = get_booking_by_token(shop.hub.uow(), manage.rsplit("/", 1)[1])
    clock.offset = booking.start - shop.hub.now() - timedelta(hours=1) + clock.offset
    page = client.get(f"{manage}/reschedule")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "se pueden reprogramar en línea hasta 2 horas antes" in text
    assert 'class="time"' not in page.text  # no times that would be refused
    assert "Escribirle al negocio por WhatsApp" in text
