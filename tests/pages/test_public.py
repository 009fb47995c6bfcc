"""The public booking pages over HTTP: catalogue, calendar, form, confirmation, errors."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from booking_pages.catalogue import CLIENT, slot_code
from hub.bootstrap import Hub
from hub.services.availability import list_bookings
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customer_setup import list_customers
from hub.services.customers import CustomerDetails
from tests.pages.helpers import book, csrf_of, slot_codes, text_of
from tests.pages.shop import Shop, create_shop


def bookings_of(shop: Shop) -> list[object]:
    start = shop.hub.now() - timedelta(days=1)
    return list(list_bookings(shop.hub.uow(), shop.business.id, start, start + timedelta(days=60)))


def test_business_page_shows_branch_services_and_free_times_in_the_named_zone(
    client: httpx.Client, shop: Shop
) -> None:
    page = client.get(f"/book/{shop.slug}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Av. Santa Fe 3200, CABA" in text
    assert "Lavado completo" in text and "60 min" in text and "$5.000,00" in text
    chosen = client.get(f"/book/{shop.slug}", params={"service": shop.quick_wash.id})
    assert "hora de Argentina" in text_of(chosen.text)
    assert slot_codes(chosen.text), "the first free day's times are listed"


def test_a_day_link_shows_that_days_times_and_the_script_gets_only_the_picker(
    client: httpx.Client, shop: Shop
) -> None:
    day = shop.day(3)
    params = {"service": shop.quick_wash.id, "month": day.strftime("%Y-%m"), "day": str(day)}
    full = client.get(f"/book/{shop.slug}", params=params)
    assert slot_code(shop.at(9, days_ahead=3)) in slot_codes(full.text)
    fragment = client.get(f"/book/{shop.slug}", params=params, headers={"X-Turnero-Fragment": "1"})
    assert "<html" not in fragment.text
    assert slot_codes(fragment.text) == slot_codes(full.text)


def test_a_client_books_and_lands_on_the_confirmation_with_calendar_links(
    client: httpx.Client, shop: Shop
) -> None:
    start = shop.at(10)
    answer = book(client, shop.slug, shop.full_wash.id, start)
    assert answer.status_code == 303
    manage = answer.headers["location"]
    assert manage.startswith("/book/manage/") and manage.endswith("?new=1")
    page = client.get(manage)
    text = text_of(page.text)
    assert "¡Listo! Tu turno está reservado." in text
    assert "Confirmado" in text and "Lavado completo" in text
    assert "Av. Rivadavia 1234, CABA" in text
    assert "calendar.google.com/calendar/render?action=TEMPLATE" in page.text
    assert "https://wa.me/5491155550000" in page.text
    token = manage.split("/")[3].split("?")[0]
    assert f"{shop.hub.settings.base_url}/book/manage/{token}" in page.text
    ics = client.get(f"/book/manage/{token}/booking.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "SUMMARY:Lavado completo — Lavadero Demo" in ics.text
    assert "TZID=America/Argentina/Buenos_Aires" in ics.text
    (booking,) = bookings_of(shop)
    assert booking.start == start  # type: ignore[attr-defined]


def test_a_business_that_confirms_by_hand_leaves_the_booking_pending(
    hub: Hub, client: httpx.Client
) -> None:
    from hub.domain.policies import BookingPolicy

    shop = create_shop(hub, policy=BookingPolicy(requires_confirmation=True))
    answer = book(client, shop.slug, shop.quick_wash.id, shop.at(11))
    text = text_of(client.get(answer.headers["location"]).text)
    assert "pendiente hasta que el negocio lo confirme" in text and "Pendiente" in text


def test_customer_text_is_escaped(client: httpx.Client, shop: Shop) -> None:
    answer = book(
        client,
        shop.slug,
        shop.full_wash.id,
        shop.at(12),
        name="<script>alert(1)</script>",
        address="<img src=x onerror=alert(2)>",
    )
    page = client.get(answer.headers["location"]).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "A nombre de <script>alert(1)</script>" in text_of(page)


def test_a_form_without_the_csrf_token_is_refused_and_writes_nothing(
    client: httpx.Client, shop: Shop
) -> None:
    client.get(f"/book/{shop.slug}")  # the browser has the cookie, the attacker's form not
    answer = client.post(
        f"/book/{shop.slug}/form",
        data={
            "service": shop.quick_wash.id,
            "start": slot_code(shop.at(10)),
            "name": "Mallory",
            "phone": "11 2345-6789",
        },
    )
    assert answer.status_code == 403
    assert "El formulario venció" in text_of(answer.text)
    assert bookings_of(shop) == []
    forged = client.post(
        f"/book/{shop.slug}/form",
        data={"csrf_token": "x" * 32, "service": shop.quick_wash.id, "start": "x"},
    )
    assert forged.status_code == 403


def test_a_wrong_phone_gets_a_helpful_message_and_keeps_what_was_typed(
    client: httpx.Client, shop: Shop
) -> None:
    answer = book(client, shop.slug, shop.full_wash.id, shop.at(10), phone="123", name="Lucía")
    assert answer.status_code == 422
    text = text_of(answer.text)
    assert "Ese teléfono no parece válido" in text and "código de área" in text
    assert 'value="Lucía"' in answer.text and 'aria-invalid="true"' in answer.text
    assert bookings_of(shop) == []


def test_a_taken_slot_says_so_offers_the_nearest_times_and_writes_nothing(
    client: httpx.Client, shop: Shop
) -> None:
    start = shop.at(15)
    juan = shop.washers[0].id
    first = book(client, shop.slug, shop.quick_wash.id, start, resource_id=juan)
    assert first.status_code == 303
    with httpx.Client(base_url=str(client.base_url)) as other:
        second = book(
            other,
            shop.slug,
            shop.quick_wash.id,
            start,
            resource_id=juan,
            name="Beto",
            phone="11 3456-7890",
        )
        assert second.status_code == 409
        text = text_of(second.text)
        assert "Ese horario se acaba de ocupar." in text
        codes = list(slot_codes(second.text.replace('value="', "start=")))
        nearest = {slot_code(shop.at(14, 30)), slot_code(shop.at(15, 30))}
        assert nearest <= set(codes)
        assert 'value="Beto"' in second.text
        # one tap on an alternative books it with the details already typed
        retry = other.post(
            f"/book/{shop.slug}/form",
            data={
                "csrf_token": csrf_of(second.text),
                "service": shop.quick_wash.id,
                "resource": juan,
                "start": slot_code(shop.at(15, 30)),
                "name": "Beto",
                "phone": "11 3456-7890",
            },
        )
        assert retry.status_code == 303
    names = sorted(c.name for c in list_customers(shop.hub.uow(), shop.business.id))
    assert names == ["Ana Pérez", "Beto"]
    assert len(bookings_of(shop)) == 2


@pytest.mark.parametrize(
    "path",
    ["/book/no-such-business", "/book/manage/not-a-real-token", "/book/manage/x/booking.ics"],
)
def test_unknown_business_or_manage_link_is_404(
    client: httpx.Client, shop: Shop, path: str
) -> None:
    answer = client.get(path)
    assert answer.status_code == 404


def test_another_business_service_is_not_offered(
    hub: Hub, client: httpx.Client, shop: Shop
) -> None:
    other = create_shop(hub)
    answer = client.get(
        f"/book/{shop.slug}/form",
        params={"service": other.quick_wash.id, "start": slot_code(shop.at(10))},
    )
    assert answer.status_code == 404


def test_qr_codes_of_the_booking_link(client: httpx.Client, shop: Shop) -> None:
    svg = client.get(f"/book/{shop.slug}/qr.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text
    png = client.get(f"/book/{shop.slug}/qr.png")
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    assert png.headers["content-disposition"] == f'inline; filename="{shop.slug}-qr.png"'


@pytest.mark.parametrize("kind", ["%FF", "txt", "png%0D%0ASet-Cookie:x=1"])
def test_a_qr_code_of_another_kind_is_not_found(
    client: httpx.Client, shop: Shop, kind: str
) -> None:
    answer = client.get(f"/book/{shop.slug}/qr.{kind}")
    assert answer.status_code == 404
    assert "content-disposition" not in answer.headers


def test_language_follows_the_business_and_the_visitor_can_switch(
    client: httpx.Client, shop: Shop
) -> None:
    spanish = client.get(f"/book/{shop.slug}", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Elegí el servicio" in spanish.text
    assert "View in English" in spanish.text  # the browser's language is offered
    english = client.get(f"/book/{shop.slug}", params={"lang": "en"})
    assert "Choose a service" in english.text
    remembered = client.get(f"/book/{shop.slug}")
    assert "Choose a service" in remembered.text


def test_the_search_finds_a_business_by_name_without_accents(
    client: httpx.Client, shop: Shop
) -> None:
    page = client.get("/book/", params={"q": "lavadero demo"})
    assert f'href="/book/{shop.slug}"' in page.text


def test_taken_times_show_as_ocupado_without_saying_by_whom(
    client: httpx.Client, shop: Shop
) -> None:
    for washer in shop.washers:  # both washers busy at 10:00, one at 11:00
        create_booking(
            shop.hub.uow(),
            NewBooking(
                shop.business.id,
                shop.quick_wash.id,
                shop.at(10, days_ahead=3),
                customer=CustomerDetails("Ana Secreta", f"+54 9 11 2345-67{len(washer.id):02d}"),
                resource_id=washer.id,
            ),
            by=CLIENT,
            now=shop.hub.now(),
        )
    day = shop.day(3)
    params = {"service": shop.quick_wash.id, "month": day.strftime("%Y-%m"), "day": str(day)}
    page = client.get(f"/book/{shop.slug}", params=params)
    text = text_of(page.text)
    assert "10:00 ocupado" in text
    assert slot_code(shop.at(10, days_ahead=3)) not in slot_codes(page.text)
    assert slot_code(shop.at(11, days_ahead=3)) in slot_codes(page.text)
    assert "Ana Secreta" not in page.text and "2345" not in page.text
