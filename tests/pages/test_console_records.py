"""The console's service records (on screen and as CSV) and each booking's history: what a
business admin and an employee see, and nothing of another business."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from hub.bootstrap import Hub
from hub.services.booking_status import complete_booking
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import SETUP, Shop, create_shop
from tests.pages.test_console import sign_in
from tests.pages.test_console_calendar import confirmed


@pytest.fixture
def shop(hub: Hub) -> Shop:
    return create_shop(hub, staff=True, employee=True)


def finish(shop: Shop, hour: int, washer: int, name: str) -> str:
    booking = confirmed(shop, hour, washer, name)
    complete_booking(
        shop.hub.uow(),
        shop.business.id,
        booking.id,
        by=SETUP,
        now=shop.hub.now(),
        notes="Tapizado con manchas" if washer == 0 else "",
    )
    return booking.id


def test_records_list_export_and_history_on_the_booking(client: httpx.Client, shop: Shop) -> None:
    ana = finish(shop, 10, 0, "Ana Pérez")
    beto = finish(shop, 12, 1, '=HYPERLINK("x")')
    assert shop.admin is not None and shop.employee is not None
    sign_in(client, shop.admin.email)
    page = client.get("/console/records")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Ana Pérez" in text and "Tapizado con manchas" in text and "2 servicios hechos" in text
    exported = client.get("/console/records.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = {r["booking_id"]: r for r in csv.DictReader(io.StringIO(exported.text))}
    assert rows[ana]["customer"] == "Ana Pérez" and rows[ana]["charged"] == "2500.00"
    assert rows[beto]["customer"].startswith("'=")  # not a formula in a spreadsheet

    booking = text_of(client.get(f"/console/bookings/{ana}").text)
    assert "Registro del servicio" in booking and "Tapizado con manchas" in booking
    assert "Historial" in booking
    assert "Creado" in booking and "Finalizado" in booking and "Página de reservas" in booking

    client.post("/console/logout", data={"csrf_token": csrf_of(page.text)})
    sign_in(client, shop.employee.email)
    mine = text_of(client.get("/console/records").text)
    assert "Ana Pérez" in mine and "HYPERLINK" not in mine
    assert beto not in client.get("/console/records.csv").text
    assert client.get(f"/console/bookings/{beto}").status_code == 404


def test_another_business_sees_no_records(client: httpx.Client, shop: Shop, hub: Hub) -> None:
    ana = finish(shop, 10, 0, "Ana Pérez")
    other = create_shop(hub, staff=True)
    assert other.admin is not None
    sign_in(client, other.admin.email)
    assert "Ana Pérez" not in client.get("/console/records").text
    assert ana not in client.get("/console/records.csv").text
    assert client.get(f"/console/bookings/{ana}").status_code == 404
    bad = client.get("/console/records?from=2026-05-01&to=2026-01-01")
    assert bad.status_code == 422
