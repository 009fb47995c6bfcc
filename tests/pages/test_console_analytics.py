"""The console's statistics (week or month beside the period before, charts, table, CSV):
what a business admin and an employee see, and nothing of another business."""

from __future__ import annotations

import csv
import io
from typing import cast

import httpx
import pytest

from hub.bootstrap import Hub
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.geo import GeoPoint, Zone
from hub.domain.payments import Payment, PaymentStatus, Refund
from hub.services.booking_status import cancel_booking, complete_booking
from hub.services.payment_ports import PaymentsUnitOfWork
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import SETUP, Shop, create_shop
from tests.pages.test_console import sign_in
from tests.pages.test_console_calendar import confirmed


@pytest.fixture
def shop(hub: Hub) -> Shop:
    return create_shop(hub, staff=True, employee=True)


def week_of(shop: Shop, days_ahead: int) -> str:
    return shop.day(days_ahead).isoformat()


def seed(shop: Shop) -> None:
    # Next week: two bookings for Juan at 10:00, one for María at 12:00 cancelled.
    confirmed(shop, 10, 0, "Ana Pérez", days_ahead=8)
    confirmed(shop, 10, 0, "Carla Díaz", days_ahead=9)
    beto = confirmed(shop, 12, 1, "Beto Gómez", days_ahead=8)
    cancel_booking(
        shop.hub.uow(),
        shop.business.id,
        beto.id,
        by=ChangedBy(Actor.OPERATOR, Channel.CONSOLE),
        now=shop.hub.now(),
        reason="Llueve",
    )
    # The week before it: one booking.
    confirmed(shop, 15, 1, "Dora Ruiz", days_ahead=1)


def figures(csv_text: str) -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO(csv_text)))
    return {row[0]: row[1:] for row in rows[1:]}


def test_week_beside_the_week_before_with_charts_table_and_csv(
    client: httpx.Client, shop: Shop
) -> None:
    seed(shop)
    assert shop.admin is not None and shop.employee is not None
    sign_in(client, shop.admin.email)
    day = week_of(shop, 8)
    page = client.get(f"/console/analytics?period=week&date={day}")
    assert page.status_code == 200
    assert "<svg" in page.text and "<script" not in page.text.split("</header>")[1]
    text = text_of(page.text)
    assert "Estadísticas" in text and "Turnos por día" in text
    assert "3 turnos" in text and "1 cancelaciones" in text and "10:00" in text
    exported = client.get(f"/console/analytics.csv?period=week&date={day}")
    assert exported.headers["content-type"].startswith("text/csv")
    found = figures(exported.text)
    assert found["bookings"][0] == "3"
    assert found["cancelled"] == ["1", "0"]
    assert found["confirmed_pct"][0] == "67"
    assert found["busiest_hour"][0] == "10:00"
    assert found["bookings"][1] == "1"  # tomorrow is always in the week before day 8's

    client.post("/console/logout", data={"csrf_token": csrf_of(page.text)})
    sign_in(client, shop.employee.email)
    mine = figures(client.get(f"/console/analytics.csv?period=week&date={day}").text)
    assert mine["bookings"][0] == "2" and mine["cancelled"][0] == "0"
    assert client.get(f"/console/analytics?period=month&date={day}").status_code == 200


def test_another_business_sees_none_and_bad_input_is_refused(
    client: httpx.Client, shop: Shop, hub: Hub
) -> None:
    seed(shop)
    other = create_shop(hub, staff=True)
    assert other.admin is not None
    sign_in(client, other.admin.email)
    day = week_of(shop, 8)
    assert figures(client.get(f"/console/analytics.csv?date={day}").text)["bookings"][0] == "0"
    assert client.get("/console/analytics?period=year").status_code == 422
    assert client.get("/console/analytics?date=2026-13-45").status_code == 422
    assert client.get("/console/analytics.csv?period=%00").status_code == 422


def test_zones_revenue_and_deposits_kept(client: httpx.Client, shop: Shop) -> None:
    palermo = Zone(shop.business.id, "Palermo", centre=GeoPoint(-34.58, -58.42), radius_km=2)
    with shop.hub.uow() as uow:
        uow.zones.add(palermo)
        uow.commit()
    done = confirmed(shop, 10, 0, "Ana Pérez", days_ahead=1)
    other = confirmed(shop, 12, 0, "Beto Gómez", days_ahead=1)
    for booking in (done, other):
        with shop.hub.uow() as uow:
            stored = uow.bookings.get(shop.business.id, booking.id)
            assert stored is not None
            stored.zone_id = palermo.id
            uow.bookings.update(stored)
            uow.commit()
    complete_booking(shop.hub.uow(), shop.business.id, done.id, by=SETUP, now=shop.hub.now())
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    day = week_of(shop, 1)
    found = figures(client.get(f"/console/analytics.csv?date={day}").text)
    assert found["zone:Palermo"][0] == "2"
    assert found["revenue_minor:ARS"][0] == "250000"  # the quick wash's price, as charged
    assert found["deposits_kept_minor:ARS"][0] == "0"
    assert "Palermo: 2" in text_of(client.get(f"/console/analytics?date={day}").text)


def test_deposits_kept_are_paid_deposits_less_refunds_of_cancelled_visits(
    client: httpx.Client, shop: Shop
) -> None:
    kept = confirmed(shop, 10, 0, "Eva Sosa", days_ahead=1)
    shown = confirmed(shop, 12, 0, "Flor Paz", days_ahead=1)
    cancel_booking(
        shop.hub.uow(),
        shop.business.id,
        kept.id,
        by=ChangedBy(Actor.OPERATOR, Channel.CONSOLE),
        now=shop.hub.now(),
    )
    now = shop.hub.now()
    for booking in (kept, shown):  # each paid a deposit of 1000.00, 300.00 of one came back
        uow = cast(PaymentsUnitOfWork, shop.hub.database.unit_of_work())
        with uow:
            stored = uow.bookings.get(shop.business.id, booking.id)
            assert stored is not None
            stored.deposit_minor = 100000
            uow.bookings.update(stored)
            uow.payments.add(
                Payment(
                    shop.business.id,
                    booking.id,
                    "mercadopago",
                    100000,
                    "ARS",
                    now,
                    status=PaymentStatus.SUCCEEDED,
                    paid_at=now,
                    refunds=(Refund("r-1", 30000, now),) if booking is kept else (),
                )
            )
            uow.commit()
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    found = figures(client.get(f"/console/analytics.csv?date={week_of(shop, 1)}").text)
    assert found["deposits_kept_minor:ARS"][0] == "70000"  # only the cancelled visit's
