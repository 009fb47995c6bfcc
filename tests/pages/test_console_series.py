"""The console's recurring series (meeting-room seed, case 4): repeat every N weeks or the
same weekday of each month, review each date as libre/ocupado before booking, book what fits
or all or nothing, then cancel or move one date, it and the following ones, or all, from the
booking page ("Parte de una serie") or the series page. Another business and an employee
without the resource get 404 and change nothing.
"""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from booking_pages.catalogue import CLIENT
from hub.domain.booking import Booking, BookingStatus
from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import PASSWORD, Shop, create_shop
from tests.pages.test_console import sign_in
from tests.pages.test_console_meetings import base, new_form, on_day
from tests.support.browser import launch, phone, shot
from tests.support.live import LiveServer


def occupy(shop: Shop, days_ahead: int, hour: int = 10) -> Booking:
    return shop.hub.core.create_booking(
        NewBooking(
            shop.business.id,
            shop.quick_wash.id,
            shop.at(hour, days_ahead=days_ahead),
            customer=CustomerDetails("Ya reservado", "11 4444-0002"),
            resource_id=shop.washers[0].id,
        ),
        by=CLIENT,
    )


def biweekly(shop: Shop, csrf: str, **extra: str) -> dict[str, str]:
    return base(shop, csrf, repeat="1", repeat_every="2", repeat_count="4", **extra)


def test_review_lists_each_date_free_or_taken_and_books_nothing(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    occupy(shop, 16)
    sign_in(client, shop.admin.email)
    csrf = csrf_of(new_form(client))
    review = client.post("/console/bookings/new", data=biweekly(shop, csrf, do="review"))
    assert review.status_code == 200, text_of(review.text)
    text = text_of(review.text)
    assert "Libres: 3 · Ocupadas: 1" in text
    rows = [text_of(r) for r in review.text.split("<tr class=")[1:]]
    assert ["ocupado" in r for r in rows] == [False, True, False, False]
    assert "ese horario ya está ocupado" in rows[1]
    assert "Reservar las que entran" in text and "Todo o nada" in text
    assert all(on_day(shop, d) == [] for d in (2, 30, 44))
    # All or nothing from the review: nothing booked.
    none = client.post("/console/bookings/new", data=biweekly(shop, csrf, series_mode="all"))
    assert none.status_code == 409 and on_day(shop, 2) == []
    made = client.post("/console/bookings/new", data=biweekly(shop, csrf, series_mode="fits"))
    assert made.status_code == 200 and "Reservadas: 3" in text_of(made.text)
    dates = [on_day(shop, d) for d in (2, 30, 44)]
    assert all(len(d) == 1 for d in dates)
    assert len({d[0].series_id for d in dates}) == 1


def test_monthly_series_and_the_cap_from_the_console(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    csrf = csrf_of(new_form(client))
    over = client.post(
        "/console/bookings/new", data=base(shop, csrf, repeat="1", repeat_count="105")
    )
    assert over.status_code == 422 and "Indicá cuántas veces (1 a 104)" in text_of(over.text)
    far = client.post(
        "/console/bookings/new",
        data=base(shop, csrf, repeat="1", repeat_count="", repeat_until="2199-01-01"),
    )
    assert far.status_code == 422 and "como máximo 104" in text_of(far.text)
    monthly = client.post(
        "/console/bookings/new",
        data=base(shop, csrf, repeat="1", repeat_freq="monthly", repeat_count="3", do="review"),
    )
    assert monthly.status_code == 200
    first = shop.at(10)
    tz = first.tzinfo
    assert "Libres: 3 · Ocupadas: 0" in text_of(monthly.text)
    made = client.post(
        "/console/bookings/new",
        data=base(shop, csrf, repeat="1", repeat_freq="monthly", repeat_count="3"),
    )
    assert made.status_code == 200
    with shop.hub.uow() as uow:
        (one,) = on_day(shop, 2)
        assert one.series_id is not None
        starts = [
            b.start.astimezone(tz) for b in uow.bookings.by_series(shop.business.id, one.series_id)
        ]
    assert {(s.weekday(), (s.day - 1) // 7, s.hour) for s in starts} == {
        (first.weekday(), (first.day - 1) // 7, 10)
    }
    assert len({s.month for s in starts}) == 3


def _series(client: httpx.Client, shop: Shop, resource: int = 0) -> list[Booking]:
    csrf = csrf_of(new_form(client))
    made = client.post(
        "/console/bookings/new", data=biweekly(shop, csrf, resource=shop.washers[resource].id)
    )
    assert made.status_code == 200
    (one,) = on_day(shop, 2)
    assert one.series_id is not None
    with shop.hub.uow() as uow:
        return sorted(
            uow.bookings.by_series(shop.business.id, one.series_id), key=lambda b: b.start
        )


def test_booking_page_cancels_this_and_following_and_moves_them(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    series = _series(client, shop)
    sid = series[0].series_id
    agenda = client.get(f"/console/agenda?date={shop.day().isoformat()}")
    assert f'href="/console/series/{sid}?booking={series[0].id}"' in agenda.text
    page = client.get(f"/console/bookings/{series[1].id}")
    assert page.status_code == 200
    assert "Parte de una serie" in text_of(page.text)
    csrf = csrf_of(page.text)
    moved = client.post(
        f"/console/series/{sid}/shift",
        data={"csrf_token": csrf, "booking": series[2].id, "scope": "following", "minutes": "30"},
    )
    assert moved.status_code == 303
    bad = client.post(
        f"/console/series/{sid}/shift",
        data={"csrf_token": csrf, "booking": series[2].id, "scope": "following", "minutes": "x"},
    )
    assert bad.status_code == 422
    odd = client.post(
        f"/console/series/{sid}/cancel",
        data={"csrf_token": csrf, "booking": series[1].id, "scope": "everything"},
    )
    assert odd.status_code == 422
    cancelled = client.post(
        f"/console/series/{sid}/cancel",
        data={"csrf_token": csrf, "booking": series[1].id, "scope": "following", "reason": "x"},
    )
    assert cancelled.status_code == 303
    shown = client.get(cancelled.headers["location"])
    assert "Reservas canceladas: 3." in text_of(shown.text)
    with shop.hub.uow() as uow:
        after = sorted(uow.bookings.by_series(shop.business.id, sid or ""), key=lambda b: b.start)
    assert [b.status for b in after] == [BookingStatus.CONFIRMED] + [BookingStatus.CANCELLED] * 3
    assert [b.start - s.start for b, s in zip(after, series, strict=True)][2:] == [
        after[2].start - series[2].start
    ] * 2
    assert (after[2].start - series[2].start).total_seconds() == 1800


def test_another_business_and_an_employee_without_the_resource_get_404(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    other = create_shop(shop.hub, staff=True)
    assert shop.admin is not None and other.admin is not None and shop.employee is not None
    sign_in(client, shop.admin.email)
    series = _series(client, shop, resource=1)  # the employee works on washer 0 only
    sid = series[0].series_id
    for who in (other.admin.email, shop.employee.email):
        client.cookies.clear()
        sign_in(client, who)
        csrf = csrf_of(new_form(client))
        assert client.get(f"/console/series/{sid}").status_code == 404
        for action, extra in (("cancel", {}), ("shift", {"minutes": "30"})):
            answer = client.post(
                f"/console/series/{sid}/{action}",
                data={"csrf_token": csrf, "booking": series[0].id, "scope": "all", **extra},
            )
            assert answer.status_code == 404
    with shop.hub.uow() as uow:
        after = uow.bookings.by_series(shop.business.id, sid or "")
    assert {b.status for b in after} == {BookingStatus.CONFIRMED}
    assert sorted(b.start for b in after) == [b.start for b in series]


@pytest.mark.browser
def test_case_4_biweekly_series_in_the_browser_at_390_and_1280_px(
    staffed_shop: Shop, served: LiveServer
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    for browser in launch():
        for width, hour in ((390, 10), (1280, 11)):
            occupy(shop, 16, hour)
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
            page.fill("#time", f"{hour}:00")
            page.fill("#name", "Reunión quincenal")
            page.fill("#phone", "11 4444-5555")
            page.check("#repeat")
            page.select_option("#repeat_freq", "weekly")
            page.fill("#repeat_every", "2")
            page.fill("#repeat_count", "4")
            shot(page, f"console-series-form-{width}")
            page.get_by_role("button", name="Revisar fechas").click()
            rows = page.locator("table.series-review tbody tr")
            expect(rows).to_have_count(4)
            expect(rows.nth(1)).to_contain_text("ocupado")
            expect(rows.nth(1)).to_contain_text("ese horario ya está ocupado")
            expect(rows.nth(0)).to_contain_text("libre")
            shot(page, f"console-series-review-{width}")
            page.get_by_role("button", name="Reservar las que entran").click()
            expect(page.locator("ul.series-booked li")).to_have_count(3)
            page.get_by_role("link", name="Ver la serie").click()
            dates = page.locator("table.series-dates tbody tr")
            expect(dates).to_have_count(3)
            # Open the second booked date (4 weeks on) and cancel it and the following one.
            dates.nth(1).get_by_role("link").first.click()
            expect(page.get_by_role("main")).to_contain_text("Parte de una serie")
            shot(page, f"console-series-occurrence-{width}")
            page.get_by_role("button", name="Cancelar esta y las siguientes").click()
            expect(page.get_by_role("main")).to_contain_text("Reservas canceladas: 2.")
            statuses = page.locator("table.series-dates tbody tr")
            expect(statuses.nth(0)).to_have_attribute("data-status", "confirmed")
            expect(statuses.nth(1)).to_have_attribute("data-status", "cancelled")
            expect(statuses.nth(2)).to_have_attribute("data-status", "cancelled")
            shot(page, f"console-series-cancelled-{width}")
            context.close()
    first_day = [b for b in on_day(shop, 2) if b.series_id]
    assert len(first_day) == 2 and all(b.status is BookingStatus.CONFIRMED for b in first_day)
    later = [b for d in (30, 44) for b in on_day(shop, d)]
    assert len(later) == 4 and all(b.status is BookingStatus.CANCELLED for b in later)
