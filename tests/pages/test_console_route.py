"""The day's route in the console: the admin's map and lists per washer, the washer's own
phone list with navigation links, employees limited to their own route, tenants apart."""

from __future__ import annotations

import json
import re
from html import unescape

import httpx
import pytest

from hub.bootstrap import Hub
from tests.pages.helpers import csrf_of, text_of
from tests.pages.route_day import route_day
from tests.pages.shop import Shop, create_shop
from tests.pages.test_console import sign_in


@pytest.fixture
def shop(hub: Hub) -> Shop:
    return create_shop(hub, staff=True, employee=True)


def order(html: str, names: tuple[str, ...]) -> list[str]:
    """The names in the order the stop lists show them (suggestions left out)."""
    lists = "".join(re.findall(r'<ol class="(?:my-)?stops">.*?</ol>', html, re.S))
    text = text_of(lists)
    return sorted(names, key=text.index)


def map_json(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="route-data">(.*?)</script>', html, re.S)
    assert found is not None
    loaded: dict[str, object] = json.loads(unescape(found.group(1)))
    return loaded


def test_admin_sees_each_washers_order_driving_saved_and_a_move(
    client: httpx.Client, shop: Shop
) -> None:
    route_day(shop)
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    day = shop.day(1).isoformat()
    booked = client.get(f"/console/route?date={day}")
    assert booked.status_code == 200
    assert "tile.openstreetmap.org" in booked.headers["content-security-policy"]
    names = ("Ana Pérez", "Beto Gómez", "Carla Díaz")
    # Exact times: the booked order is the only one.
    assert order(booked.text, names) == list(names)
    data = map_json(booked.text)
    assert [len(r["stops"]) for r in data["routes"]] == [3, 1]  # type: ignore[index]
    text = text_of(booked.text)
    # Beto's visit sits next to María's: giving it to her saves Juan the long drive.
    assert "Beto Gómez (10:00): pasarlo de Juan a María ahorra" in text
    # With a 2-hour arrival window Carla (near Ana) comes before Beto (far).
    window = client.get(f"/console/route?date={day}&window=120")
    assert order(window.text, names) == ["Ana Pérez", "Carla Díaz", "Beto Gómez"]
    assert "orden óptimo" in text_of(window.text)
    saved = re.search(r"en el sugerido \(ahorro (\d+) min\)", text_of(window.text))
    assert saved is not None and int(saved.group(1)) > 0
    assert client.get(f"/console/route?date={day}&window=45").status_code == 422
    assert client.get("/console/route?date=2026-02-30").status_code == 422


def test_washer_page_lists_stops_with_navigation_links(client: httpx.Client, shop: Shop) -> None:
    made = route_day(shop)
    assert shop.admin is not None and shop.employee is not None
    sign_in(client, shop.admin.email)
    day = shop.day(1).isoformat()
    juan, maria = shop.washers
    page = client.get(f"/console/route/{juan.id}?date={day}")
    assert page.status_code == 200
    html = unescape(page.text)
    assert order(page.text, ("Ana Pérez", "Beto Gómez", "Carla Díaz")) == [
        "Ana Pérez",
        "Beto Gómez",
        "Carla Díaz",
    ]
    assert "https://www.google.com/maps/dir/?api=1&destination=-34.600000,-58.410000" in html
    assert "https://waze.com/ul?ll=-34.600000,-58.470000&navigate=yes" in html
    assert "Abrir en Google Maps" in html and "Dora Ruiz" not in html
    assert made.dora.id not in html

    client.post("/console/logout", data={"csrf_token": csrf_of(page.text)})
    sign_in(client, shop.employee.email)  # Juan, linked to the first washer only
    mine = client.get("/console/my-route", follow_redirects=False)
    assert mine.status_code == 303 and mine.headers["location"] == f"/console/route/{juan.id}"
    assert "Ana Pérez" in client.get(f"/console/route/{juan.id}?date={day}").text
    assert client.get(f"/console/route/{maria.id}?date={day}").status_code == 404
    overview = client.get(f"/console/route?date={day}").text
    assert "Ana Pérez" in overview and "Dora Ruiz" not in overview
    assert "pasarlo" not in text_of(overview)


def test_another_business_sees_no_route(client: httpx.Client, shop: Shop, hub: Hub) -> None:
    route_day(shop)
    other = create_shop(hub, staff=True)
    assert other.admin is not None
    sign_in(client, other.admin.email)
    day = shop.day(1).isoformat()
    assert client.get(f"/console/route/{shop.washers[0].id}?date={day}").status_code == 404
    overview = client.get(f"/console/route?date={day}").text
    assert "Ana Pérez" not in overview and "Beto Gómez" not in overview


def test_admin_takes_a_suggestion_and_the_visit_changes_washer(
    client: httpx.Client, shop: Shop
) -> None:
    made = route_day(shop)
    assert shop.admin is not None and shop.employee is not None
    page = sign_in(client, shop.admin.email)
    day = shop.day(1).isoformat()
    page = client.get(f"/console/route?date={day}")
    form = {
        "csrf_token": csrf_of(page.text),
        "resource": shop.washers[1].id,
        "version": str(made.beto.version),
        "date": day,
    }
    moved = client.post(f"/console/route/move/{made.beto.id}", data=form, follow_redirects=False)
    assert moved.status_code == 303
    after = client.get(moved.headers["location"])
    assert "el turno pasó al otro lavador" in text_of(after.text)
    assert "pasarlo de Juan a María" not in text_of(after.text)
    data = map_json(after.text)
    assert [len(r["stops"]) for r in data["routes"]] == [2, 2]  # type: ignore[index]
    # Hostile or stale input changes nothing.
    assert (
        client.post(
            f"/console/route/move/{made.ana.id}", data={**form, "resource": "x"}
        ).status_code
        == 404
    )
    stale = client.post(f"/console/route/move/{made.ana.id}", data={**form, "version": "99"})
    assert stale.status_code == 409
    assert (
        client.post(
            f"/console/route/move/{made.ana.id}", data={**form, "csrf_token": "no"}
        ).status_code
        == 403
    )
    client.post("/console/logout", data={"csrf_token": csrf_of(after.text)})
    sign_in(client, shop.employee.email)
    own = client.post(
        f"/console/route/move/{made.ana.id}", data={**form, "resource": shop.washers[0].id}
    )
    assert own.status_code == 404  # employees do not hand out visits
