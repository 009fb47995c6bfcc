"""The console's branches: created with address, location and opening hours, edited, given a
holiday and their resources, archived (gone from the client's page, history kept); bad input
named with nothing written; admins only; one business's admin never reaches another's."""

from __future__ import annotations

from datetime import time

import httpx

from hub.services import setup
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import Shop, create_shop
from tests.pages.test_console import sign_in

HOURS = {f"day{d}": "08:00-12:00" for d in range(6)}


def _csrf(client: httpx.Client) -> str:
    return csrf_of(client.get("/console/branches").text)


def test_a_branch_is_created_edited_and_archived(client: httpx.Client, staffed_shop: Shop) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    created = client.post(
        "/console/branches",
        data={
            "csrf_token": _csrf(client),
            "name": "Sucursal Norte",
            "address": "Av. Cabildo 2000, CABA",
            "lat": "-34,5614",
            "lng": "-58.4563",
            **HOURS,
        },
    )
    assert created.status_code == 303
    (north,) = [
        b
        for b in setup.list_branches(shop.hub.uow(), shop.business.id)
        if b.name == "Sucursal Norte"
    ]
    assert (north.lat, north.lng) == (-34.5614, -58.4563)
    assert [(w.weekday, w.start, w.end) for w in north.hours][:1] == [(0, time(8), time(12))]
    page = text_of(client.get("/console/branches").text)
    assert "Sucursal Norte" in page and "Av. Cabildo 2000" in page

    client.post(
        f"/console/branches/{north.id}/exceptions",
        data={
            "csrf_token": _csrf(client),
            "from_date": shop.day(3).isoformat(),
            "kind": "closed",
            "reason": "Feriado",
        },
    )
    client.post(
        f"/console/branches/{north.id}/resources",
        data={"csrf_token": _csrf(client), f"resource:{shop.washers[1].id}": "1"},
    )
    north = setup.get_branch(shop.hub.uow(), shop.business.id, north.id)
    assert north.exceptions[0].reason == "Feriado" and north.exceptions[0].closed
    maria = setup.get_resource(shop.hub.uow(), shop.business.id, shop.washers[1].id)
    assert north.id in maria.branch_ids and shop.branch.id in maria.branch_ids

    edited = client.post(
        f"/console/branches/{north.id}",
        data={"csrf_token": _csrf(client), "name": "Norte", "address": "Cabildo 2100", **HOURS},
    )
    assert edited.status_code == 303
    assert setup.get_branch(shop.hub.uow(), shop.business.id, north.id).name == "Norte"

    # Two branches: the client's page offers both; archived, only the first one is left.
    public = text_of(client.get(f"/book/{shop.slug}").text)
    assert "Norte" in public and "Base Palermo" in public
    client.post(f"/console/branches/{north.id}/archive", data={"csrf_token": _csrf(client)})
    assert not setup.get_branch(shop.hub.uow(), shop.business.id, north.id).active
    assert "archivada" in text_of(client.get("/console/branches").text)
    assert "Norte" not in text_of(client.get(f"/book/{shop.slug}").text)
    client.post(f"/console/branches/{north.id}/restore", data={"csrf_token": _csrf(client)})
    assert setup.get_branch(shop.hub.uow(), shop.business.id, north.id).active


def test_bad_branch_input_is_named_and_nothing_is_written(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    for bad in (
        {"name": ""},
        {"name": "X", "lat": "norte", "lng": "1"},
        {"name": "X", "lat": "95", "lng": "1"},
        {"name": "X", "lat": "-34.5"},
        {"name": "X", "day0": "de 9 a 12"},
        {"name": "X", "day0": "12:00-09:00"},
    ):
        answer = client.post("/console/branches", data={"csrf_token": _csrf(client), **bad})
        assert answer.status_code == 422, bad
        assert "Revisá los datos" in text_of(answer.text), bad
    assert [b.name for b in setup.list_branches(shop.hub.uow(), shop.business.id)] == [
        "Base Palermo"
    ]


def test_branches_are_the_admins_own_and_not_for_employees(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    other = create_shop(shop.hub, staff=True)
    assert shop.admin is not None and shop.employee is not None
    sign_in(client, shop.admin.email)
    assert other.branch.id not in client.get("/console/branches").text
    for path in (
        f"/console/branches/{other.branch.id}",
        f"/console/branches/{other.branch.id}/archive",
        f"/console/branches/{other.branch.id}/exceptions",
        f"/console/branches/{other.branch.id}/resources",
    ):
        answer = client.post(
            path, data={"csrf_token": _csrf(client), "name": "Robada", "from_date": "2030-01-01"}
        )
        assert answer.status_code == 404, path
    # Linking another business's resource to our branch is refused.
    linked = client.post(
        f"/console/branches/{shop.branch.id}/resources",
        data={"csrf_token": _csrf(client), f"resource:{other.washers[0].id}": "1"},
    )
    assert linked.status_code == 422
    theirs = setup.get_branch(other.hub.uow(), other.business.id, other.branch.id)
    assert theirs.name == "Base Palermo" and theirs.active and not theirs.exceptions
    client.cookies.clear()
    sign_in(client, shop.employee.email)
    assert client.get("/console/branches").status_code == 404
    page = client.get("/console/agenda")
    refused = client.post(
        f"/console/branches/{shop.branch.id}/archive", data={"csrf_token": csrf_of(page.text)}
    )
    assert refused.status_code == 404
    assert setup.get_branch(shop.hub.uow(), shop.business.id, shop.branch.id).active
