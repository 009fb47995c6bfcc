"""The console's "Nuevo turno" as the meeting-room seed walks it (cases 1 and 4): find
colleagues and customers by name or email whatever the accents and case, add them as
invitees, ask for a Google Meet, and repeat the booking every week, seeing which dates were
booked and which were refused and why. Employees find colleagues only; nobody ever finds
another business's people.
"""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from booking_pages.catalogue import CLIENT
from hub.domain.accounts import Role
from hub.domain.booking import Booking
from hub.services import accounts
from hub.services.availability import list_bookings
from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import PASSWORD, Shop, create_shop
from tests.pages.test_console import sign_in
from tests.support.browser import launch, phone, shot
from tests.support.live import LiveServer


def people(shop: Shop) -> None:
    """María López on the staff, Mariana Pérez a customer (booked once, with an email), and
    another business whose staff has a María too."""
    hub = shop.hub
    accounts.create_user(
        hub.accounts_uow(),
        business_id=shop.business.id,
        email=f"maria.lopez@{shop.slug}.test",
        role=Role.EMPLOYEE,
        now=hub.now(),
        password=PASSWORD,
        name="María López",
    )
    hub.core.create_booking(
        NewBooking(
            shop.business.id,
            shop.quick_wash.id,
            shop.at(9, days_ahead=3),
            customer=CustomerDetails("Mariana Pérez", "11 4444-0001", "mariana@cliente.test"),
        ),
        by=CLIENT,
    )
    other = create_shop(hub, staff=True)
    accounts.create_user(
        hub.accounts_uow(),
        business_id=other.business.id,
        email=f"maria.gomez@{other.slug}.test",
        role=Role.EMPLOYEE,
        now=hub.now(),
        password=PASSWORD,
        name="María Gómez",
    )


def new_form(client: httpx.Client) -> str:
    page = client.get("/console/bookings/new")
    assert page.status_code == 200
    return page.text


def base(shop: Shop, csrf: str, **extra: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "service": shop.quick_wash.id,
        "resource": shop.washers[0].id,
        "date": shop.day().isoformat(),
        "time": "10:00",
        "name": "Reunión de equipo",
        "phone": "11 4444-5555",
        **extra,
    }


def on_day(shop: Shop, days_ahead: int) -> list[Booking]:
    return list_bookings(
        shop.hub.uow(),
        shop.business.id,
        shop.at(0, days_ahead=days_ahead),
        shop.at(23, days_ahead=days_ahead),
    )


def test_admin_finds_staff_and_customers_without_accents_adds_them_and_asks_for_meet(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    people(shop)
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    csrf = csrf_of(new_form(client))
    found = client.post(
        "/console/bookings/new", data=base(shop, csrf, invitee_q="MARIA", do="search")
    )
    assert found.status_code == 200
    text = text_of(found.text)
    assert "María López" in text and "mariana@cliente.test" in text
    assert "María Gómez" not in text and "maria.gomez" not in found.text
    added = client.post(
        "/console/bookings/new",
        data=base(shop, csrf, add=f"María López <maria.lopez@{shop.slug}.test>"),
    )
    assert f"María López &lt;maria.lopez@{shop.slug}.test&gt;" in added.text
    created = client.post(
        "/console/bookings/new",
        data=base(
            shop,
            csrf,
            invitees=f"María López <maria.lopez@{shop.slug}.test>\nmariana@cliente.test",
            meet="1",
        ),
    )
    assert created.status_code == 303, text_of(created.text)
    (booking,) = on_day(shop, 2)
    assert {i.email for i in booking.invitees} == {
        f"maria.lopez@{shop.slug}.test",
        "mariana@cliente.test",
    }
    assert booking.video_meeting


def test_employee_finds_colleagues_only_and_books_without_meet_when_unticked(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    people(shop)
    assert shop.employee is not None
    sign_in(client, shop.employee.email)
    csrf = csrf_of(new_form(client))
    found = client.post(
        "/console/bookings/new", data=base(shop, csrf, invitee_q="mari", do="search")
    )
    assert found.status_code == 200
    assert "María López" in text_of(found.text)
    assert "mariana@cliente.test" not in found.text and "María Gómez" not in found.text
    empty = client.post("/console/bookings/new", data=base(shop, csrf, do="search"))
    assert empty.status_code == 200 and "No encontramos a nadie" not in text_of(empty.text)
    assert on_day(shop, 2) == []
    created = client.post("/console/bookings/new", data=base(shop, csrf))
    assert created.status_code == 303
    (booking,) = on_day(shop, 2)
    assert not booking.video_meeting and booking.invitees == ()


def test_a_weekly_series_books_what_fits_and_says_which_date_was_refused_and_why(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    taken = shop.hub.core.create_booking(
        NewBooking(
            shop.business.id,
            shop.quick_wash.id,
            shop.at(10, days_ahead=9),
            customer=CustomerDetails("Ya reservado", "11 4444-0002"),
            resource_id=shop.washers[0].id,
        ),
        by=CLIENT,
    )
    sign_in(client, shop.admin.email)
    csrf = csrf_of(new_form(client))
    answer = client.post(
        "/console/bookings/new", data=base(shop, csrf, repeat="1", repeat_count="3")
    )
    assert answer.status_code == 200, text_of(answer.text)
    text = text_of(answer.text)
    assert "Reservadas: 2" in text and "No reservadas: 1" in text
    refused_day = shop.day(9).strftime("%d/%m/%Y")
    assert f"{refused_day} 10:00 — ese horario ya está ocupado" in text
    first, third = on_day(shop, 2), on_day(shop, 16)
    assert len(first) == 1 and len(third) == 1
    assert first[0].series_id is not None and first[0].series_id == third[0].series_id
    assert [b.id for b in on_day(shop, 9)] == [taken.id]


def test_all_or_nothing_books_nothing_and_bad_input_is_a_clear_422(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    shop.hub.core.create_booking(
        NewBooking(
            shop.business.id,
            shop.quick_wash.id,
            shop.at(10, days_ahead=9),
            customer=CustomerDetails("Ya reservado", "11 4444-0002"),
            resource_id=shop.washers[0].id,
        ),
        by=CLIENT,
    )
    sign_in(client, shop.admin.email)
    csrf = csrf_of(new_form(client))
    none = client.post(
        "/console/bookings/new",
        data=base(shop, csrf, repeat="1", repeat_count="3", series_mode="all"),
    )
    assert none.status_code == 409 and "No se reservó ninguna fecha." in text_of(none.text)
    assert on_day(shop, 2) == [] and on_day(shop, 16) == []
    for extra in ({"repeat": "1", "repeat_count": "0"}, {"repeat": "1", "repeat_count": "x"}):
        bad = client.post("/console/bookings/new", data=base(shop, csrf, **extra))
        assert bad.status_code == 422 and "Indicá cuántas veces" in text_of(bad.text)
    bad = client.post("/console/bookings/new", data=base(shop, csrf, invitees="no es un email"))
    assert bad.status_code == 422 and "Revisá los invitados" in text_of(bad.text)
    assert on_day(shop, 2) == []


def test_another_business_and_an_employee_cannot_book_on_a_resource_they_do_not_see(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    other = create_shop(shop.hub, staff=True)
    assert other.admin is not None and shop.employee is not None
    sign_in(client, other.admin.email)
    csrf = csrf_of(new_form(client))
    series = base(shop, csrf, repeat="1", repeat_count="2")
    refused = client.post("/console/bookings/new", data=series)
    assert refused.status_code == 409 and "No encontramos eso." in text_of(refused.text)
    client.cookies.clear()
    sign_in(client, shop.employee.email)
    csrf = csrf_of(new_form(client))
    theirs = base(shop, csrf, repeat="1", repeat_count="2", resource=shop.washers[1].id)
    assert client.post("/console/bookings/new", data=theirs).status_code == 404
    assert on_day(shop, 2) == [] and on_day(shop, 9) == []


@pytest.mark.browser
def test_case_1_and_case_4_walked_in_the_browser_at_390_and_1280_px(
    staffed_shop: Shop, served: LiveServer
) -> None:
    shop = staffed_shop
    people(shop)
    shop.hub.core.create_booking(
        NewBooking(
            shop.business.id,
            shop.quick_wash.id,
            shop.at(11, days_ahead=9),
            customer=CustomerDetails("Ya reservado", "11 4444-0002"),
            resource_id=shop.washers[0].id,
        ),
        by=CLIENT,
    )
    assert shop.admin is not None
    for browser in launch():
        for width, hour in ((390, "10:00"), (1280, "11:00")):
            if width == 390:
                context = phone(browser, served.base_url)
            else:
                context = browser.new_context(
                    base_url=served.base_url,
                    viewport={"width": 1280, "height": 900},
                    locale="es-AR",
                )
            page = context.new_page()
            page.goto("/console/login")
            page.fill("#email", shop.admin.email)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.goto("/console/bookings/new")
            page.select_option("#service", shop.quick_wash.id)
            page.select_option("#resource", shop.washers[0].id)
            page.fill("#date", shop.day().isoformat())
            page.fill("#time", hour)
            page.fill("#name", "Reunión de equipo")
            page.fill("#phone", "11 4444-5555")
            # Case 1: find María and Mariana without typing the accent, add both.
            page.fill("#invitee_q", "maria")
            page.get_by_role("button", name="Buscar").click()
            matches = page.locator("ul.matches")
            expect(matches).to_contain_text("María López")
            expect(matches).to_contain_text("mariana@cliente.test")
            expect(matches).not_to_contain_text("María Gómez")
            shot(page, f"console-new-booking-search-{width}")
            page.get_by_role("button", name="Agregar María López").click()
            page.fill("#invitee_q", "PEREZ")
            page.get_by_role("button", name="Buscar").click()
            page.get_by_role("button", name="Agregar Mariana Pérez").click()
            expect(page.locator("#invitees")).to_have_value(
                f"María López <maria.lopez@{shop.slug}.test>\nMariana Pérez <mariana@cliente.test>"
            )
            page.check("#meet")
            if width == 1280:
                # Case 4: every week, three times; the second week is taken at 11:00.
                page.check("#repeat")
                page.fill("#repeat_count", "3")
            shot(page, f"console-new-booking-meeting-{width}")
            page.get_by_role("button", name="Crear turno").click()
            if width == 390:
                expect(page.get_by_role("main")).to_contain_text("Turno creado.")
            else:
                expect(page.locator("ul.series-booked li")).to_have_count(2)
                expect(page.locator("ul.series-refused")).to_contain_text(
                    f"{shop.day(9).strftime('%d/%m/%Y')} 11:00 — ese horario ya está ocupado"
                )
            shot(page, f"console-new-booking-meeting-{width}-done")
            context.close()
    made = [b for b in on_day(shop, 2) if b.invitees]
    assert len(made) == 2 and all(b.video_meeting for b in made)
    assert all(len(b.invitees) == 2 for b in made)
    assert len(on_day(shop, 16)) == 1 and on_day(shop, 16)[0].series_id == made[1].series_id
