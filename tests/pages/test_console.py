"""The operator console over HTTP: sign-in, lockout, the day agenda and its actions, role
scoping, bookings by hand, blocks, the week summary."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from booking_pages.catalogue import CLIENT, slot_code
from hub.bootstrap import Hub
from hub.domain.booking import Booking
from hub.domain.policies import BookingPolicy
from hub.services.availability import get_booking, list_bookings
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from tests.pages.helpers import csrf_of, slot_codes, text_of
from tests.pages.shop import PASSWORD, Shop, create_shop
from tests.support.clock import Clock


def sign_in(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    spanish = {"Accept-Language": "es-AR,es;q=0.9"}
    page = client.get("/console/login", headers=spanish)
    return client.post(
        "/console/login",
        headers=spanish,
        data={
            "csrf_token": csrf_of(page.text),
            "email": email,
            "password": password,
            "next": "/console/agenda",
        },
    )


@pytest.fixture
def shop(hub: Hub) -> Shop:
    """Staffed, and confirming client bookings by hand (so they arrive pending)."""
    return create_shop(hub, staff=True, policy=BookingPolicy(requires_confirmation=True))


def client_booking(shop: Shop, hour: int, washer: int = 0, name: str = "Ana Pérez") -> Booking:
    return create_booking(
        shop.hub.uow(),
        NewBooking(
            shop.business.id,
            shop.quick_wash.id,
            shop.at(hour),
            customer=CustomerDetails(name, "+54 9 11 2345-6789", address="Av. Rivadavia 1234"),
            resource_id=shop.washers[washer].id,
        ),
        by=CLIENT,
        now=shop.hub.now(),
    )


def day_query(shop: Shop) -> str:
    return f"/console/agenda?date={shop.day().isoformat()}"


def test_signed_out_visitors_go_to_the_login_page(client: httpx.Client, shop: Shop) -> None:
    answer = client.get("/console/agenda")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/login?next=")


def test_wrong_password_then_throttled_after_repeated_failures(
    client: httpx.Client, shop: Shop
) -> None:
    assert shop.admin is not None
    wrong = sign_in(client, shop.admin.email, "not-the-password")
    assert wrong.status_code == 401
    assert "Email o contraseña incorrectos." in text_of(wrong.text)
    for _ in range(4):
        sign_in(client, shop.admin.email, "not-the-password")
    throttled = sign_in(client, shop.admin.email)
    assert throttled.status_code == 429
    assert 0 < int(throttled.headers["retry-after"]) <= 60
    assert "Probá de nuevo en 1 min." in text_of(throttled.text)
    assert client.get("/console/agenda").status_code == 303


def test_login_without_the_csrf_token_is_refused(client: httpx.Client, shop: Shop) -> None:
    assert shop.admin is not None
    answer = client.post("/console/login", data={"email": shop.admin.email, "password": PASSWORD})
    assert answer.status_code == 403


def test_an_admin_confirms_starts_and_finishes_a_booking_from_the_day_agenda(
    client: httpx.Client, shop: Shop, clock: Clock
) -> None:
    assert shop.admin is not None
    booking = client_booking(shop, 10, name="<b>Ana</b>")
    assert sign_in(client, shop.admin.email).status_code == 303
    page = client.get(day_query(shop))
    text = text_of(page.text)
    assert "<b>Ana</b>" in text and "&lt;b&gt;Ana&lt;/b&gt;" in page.text
    assert "Pendiente" in text and "Av. Rivadavia 1234" in text
    assert 'href="tel:+5491123456789"' in page.text
    assert "Libre" in text  # free periods are shown
    confirm = client.post(
        f"/console/bookings/{booking.id}/confirm",
        data={"csrf_token": csrf_of(page.text), "next": day_query(shop)},
    )
    assert confirm.status_code == 303
    after = client.get(confirm.headers["location"])
    assert "Turno confirmado." in text_of(after.text)
    assert get_booking(shop.hub.uow(), shop.business.id, booking.id).status.value == "confirmed"
    clock.offset += booking.start - shop.hub.now() + timedelta(minutes=5)
    sign_in(client, shop.admin.email)  # days later by the hub's clock: the session expired
    for action, status in (("start", "in_progress"), ("complete", "completed")):
        answer = client.post(
            f"/console/bookings/{booking.id}/{action}",
            data={"csrf_token": csrf_of(after.text), "next": day_query(shop)},
        )
        assert answer.status_code == 303
        assert get_booking(shop.hub.uow(), shop.business.id, booking.id).status.value == status


def test_cancel_with_a_reason_and_refusals_are_explained(client: httpx.Client, shop: Shop) -> None:
    assert shop.admin is not None
    booking = client_booking(shop, 11)
    sign_in(client, shop.admin.email)
    page = client.get(day_query(shop))
    token = csrf_of(page.text)
    early = client.post(f"/console/bookings/{booking.id}/no_show", data={"csrf_token": token})
    assert early.status_code == 409
    assert "recargá la agenda" in text_of(early.text)  # a pending booking cannot be a no-show
    cancelled = client.post(
        f"/console/bookings/{booking.id}/cancel",
        data={"csrf_token": token, "reason": "Llamó para avisar", "next": day_query(shop)},
    )
    assert cancelled.status_code == 303
    stored = get_booking(shop.hub.uow(), shop.business.id, booking.id)
    assert stored.status.value == "cancelled" and stored.cancel_reason == "Llamó para avisar"
    assert stored.cancelled_by is not None and stored.cancelled_by.value == "operator"


def test_an_employee_sees_only_their_resource(client: httpx.Client, hub: Hub) -> None:
    shop = create_shop(
        hub, staff=True, employee=True, policy=BookingPolicy(requires_confirmation=True)
    )
    assert shop.employee is not None
    mine = client_booking(shop, 10, washer=0, name="Cliente de Juan")
    theirs = client_booking(shop, 10, washer=1, name="Cliente de María")
    sign_in(client, shop.employee.email)
    page = client.get(day_query(shop))
    text = text_of(page.text)
    assert "Cliente de Juan" in text and "Cliente de María" not in text
    assert client.get(f"/console/bookings/{mine.id}").status_code == 200
    other = client.get(f"/console/bookings/{theirs.id}")
    assert other.status_code == 404
    refused = client.post(
        f"/console/bookings/{theirs.id}/confirm", data={"csrf_token": csrf_of(page.text)}
    )
    assert refused.status_code == 404
    assert get_booking(shop.hub.uow(), shop.business.id, theirs.id).status.value == "pending"
    assert client.get("/console/settings").status_code in (404, 303)


def test_logout_ends_the_session(client: httpx.Client, shop: Shop) -> None:
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    page = client.get("/console/agenda")
    assert page.status_code == 200
    client.post("/console/logout", data={"csrf_token": csrf_of(page.text)})
    assert client.get("/console/agenda").status_code == 303


def test_a_booking_by_hand_lands_confirmed_on_the_agenda(client: httpx.Client, shop: Shop) -> None:
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    form = client.get("/console/bookings/new")
    answer = client.post(
        "/console/bookings/new",
        data={
            "csrf_token": csrf_of(form.text),
            "service": shop.quick_wash.id,
            "resource": shop.washers[1].id,
            "date": shop.day().isoformat(),
            "time": "12:00",
            "name": "Walk-in",
            "phone": "11 4444-5555",
        },
    )
    assert answer.status_code == 303, text_of(answer.text)
    agenda = client.get(answer.headers["location"])
    assert "Turno creado." in text_of(agenda.text) and "Walk-in" in text_of(agenda.text)
    (booking,) = list_bookings(shop.hub.uow(), shop.business.id, shop.at(0), shop.at(23))
    assert booking.status.value == "confirmed" and booking.start == shop.at(12)
    bad = client.post(
        "/console/bookings/new",
        data={
            "csrf_token": csrf_of(form.text),
            "service": shop.quick_wash.id,
            "resource": shop.washers[1].id,
            "date": shop.day().isoformat(),
            "time": "12:00",
            "name": "Otro",
            "phone": "11 4444-6666",
        },
    )
    assert bad.status_code == 409 and "ya está ocupado" in text_of(bad.text)


def test_blocking_a_day_removes_it_from_the_public_page_and_unblocking_restores_it(
    client: httpx.Client, shop: Shop
) -> None:
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    juan = shop.washers[0].id
    public = f"/book/{shop.slug}"
    params = {
        "service": shop.quick_wash.id,
        "resource": juan,
        "day": shop.day().isoformat(),
        "month": shop.day().strftime("%Y-%m"),
    }
    assert slot_code(shop.at(10)) in slot_codes(client.get(public, params=params).text)
    page = client.get("/console/blocks")
    added = client.post(
        "/console/blocks",
        data={
            "csrf_token": csrf_of(page.text),
            "target": f"resource:{juan}",
            "from_date": shop.day().isoformat(),
            "to_date": shop.day().isoformat(),
            "reason": "Vacaciones",
        },
    )
    assert added.status_code == 303
    listing = client.get("/console/blocks")
    assert "Vacaciones" in text_of(listing.text)
    assert slot_code(shop.at(10)) not in slot_codes(client.get(public, params=params).text)
    agenda = client.get(f"/console/agenda?date={shop.day().isoformat()}&resource={juan}")
    assert "Bloqueado" in text_of(agenda.text)
    block_id = listing.text.split("/console/blocks/")[1].split("/delete")[0]
    client.post(f"/console/blocks/{block_id}/delete", data={"csrf_token": csrf_of(listing.text)})
    assert slot_code(shop.at(10)) in slot_codes(client.get(public, params=params).text)


def test_week_month_and_summary_views(client: httpx.Client, shop: Shop) -> None:
    assert shop.admin is not None
    client_booking(shop, 10)
    cancelled = client_booking(shop, 11, name="Se arrepintió")
    from hub.services.booking_status import cancel_booking

    cancel_booking(shop.hub.uow(), shop.business.id, cancelled.id, by=CLIENT, now=shop.hub.now())
    sign_in(client, shop.admin.email)
    week = client.get(f"/console/agenda?view=week&date={shop.day().isoformat()}")
    assert "Ana Pérez" in text_of(week.text)
    month = client.get(f"/console/agenda?view=month&date={shop.day().isoformat()}")
    assert ": turnos: 1" in month.text  # the cancelled one does not occupy the day
    summary = text_of(client.get(f"/console/summary?date={shop.day().isoformat()}").text)
    assert "2 turnos" in summary and "1 cancelaciones" in summary
    assert "10:00 horario más pedido" in summary
