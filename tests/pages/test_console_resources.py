"""Console setup of resources, date exceptions and groups: what an admin changes is saved,
refused input is explained and changes nothing, names are shown as text, and employees do
not have these screens."""

from __future__ import annotations

from datetime import time, timedelta

import httpx
import pytest

from hub.bootstrap import Hub
from hub.domain.model import Resource
from hub.services import setup
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import Shop, create_shop
from tests.pages.test_console import sign_in


@pytest.fixture
def shop(hub: Hub) -> Shop:
    return create_shop(hub, staff=True, employee=True)


def signed_in_admin(client: httpx.Client, shop: Shop) -> str:
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    page = client.get("/console/resources")
    assert page.status_code == 200
    return csrf_of(page.text)


def resource(shop: Shop, resource_id: str) -> Resource:
    return setup.get_resource(shop.hub.uow(), shop.business.id, resource_id)


def test_an_admin_creates_edits_and_deactivates_a_resource(
    client: httpx.Client, shop: Shop
) -> None:
    csrf = signed_in_admin(client, shop)
    created = client.post(
        "/console/resources",
        data={"csrf_token": csrf, "name": "<b>Hidro</b>", "capacity": "2", "color": "#AA3300"},
    )
    assert created.status_code == 303
    new = next(
        r for r in setup.list_resources(shop.hub.uow(), shop.business.id) if "Hidro" in r.name
    )
    assert (new.capacity, new.color, new.branch_ids) == (2, "#aa3300", (shop.branch.id,))
    page = client.get("/console/resources")
    assert "&lt;b&gt;Hidro&lt;/b&gt;" in page.text and "<b>Hidro</b>" not in page.text

    edited = client.post(
        f"/console/resources/{new.id}",
        data={"csrf_token": csrf, "name": "Hidrolavadora", "capacity": "3", "color": "#00ff00"},
    )
    assert edited.status_code == 303
    assert (resource(shop, new.id).name, resource(shop, new.id).capacity) == ("Hidrolavadora", 3)

    gone = client.post(f"/console/resources/{new.id}/deactivate", data={"csrf_token": csrf})
    assert gone.status_code == 303 and not resource(shop, new.id).active
    assert "Hidrolavadora · inactivo" in text_of(client.get("/console/resources").text)


REFUSED_RESOURCES = [("", "1", "#000000"), ("Juan", "0", "#000000"), ("Juan", "x", "")]


def test_refused_resource_edits_are_explained_and_change_nothing(
    client: httpx.Client, shop: Shop
) -> None:
    csrf = signed_in_admin(client, shop)
    washer = shop.washers[0]
    before = len(setup.list_resources(shop.hub.uow(), shop.business.id))
    for name, capacity, color in [*REFUSED_RESOURCES, ("Juan", "1", "red")]:
        form = {"csrf_token": csrf, "name": name, "capacity": capacity, "color": color}
        answer = client.post(f"/console/resources/{washer.id}", data=form)
        assert answer.status_code == 422, form
        assert "Revisá los datos" in text_of(answer.text)
        assert client.post("/console/resources", data=form).status_code == 422, form
    assert resource(shop, washer.id) == washer
    assert len(setup.list_resources(shop.hub.uow(), shop.business.id)) == before


def test_vacation_and_extra_opening_are_added_and_removed(client: httpx.Client, shop: Shop) -> None:
    csrf = signed_in_admin(client, shop)
    washer = shop.washers[1]
    first, last = shop.day(5), shop.day(12)
    closed = client.post(
        f"/console/resources/{washer.id}/exceptions",
        data={
            "csrf_token": csrf,
            "from_date": first.isoformat(),
            "to_date": last.isoformat(),
            "kind": "closed",
            "reason": "Vacaciones <3",
        },
    )
    assert closed.status_code == 303
    opened = client.post(
        f"/console/resources/{washer.id}/exceptions",
        data={
            "csrf_token": csrf,
            "from_date": shop.day(20).isoformat(),
            "kind": "open",
            "hours": "10:00-14:00",
        },
    )
    assert opened.status_code == 303
    exceptions = resource(shop, washer.id).exceptions
    assert [(e.start_date, e.end_date, e.intervals) for e in exceptions] == [
        (first, last, ()),
        (shop.day(20), shop.day(20), ((time(10), time(14)),)),
    ]
    text = text_of(client.get("/console/resources").text)
    assert "Vacaciones <3" in text and "10:00-14:00" in text

    removed = client.post(
        f"/console/resources/{washer.id}/exceptions/{exceptions[0].id}/delete",
        data={"csrf_token": csrf},
    )
    assert removed.status_code == 303
    assert [e.id for e in resource(shop, washer.id).exceptions] == [exceptions[1].id]
    again = client.post(
        f"/console/resources/{washer.id}/exceptions/{exceptions[0].id}/delete",
        data={"csrf_token": csrf},
    )
    assert again.status_code == 404


REFUSED_EXCEPTIONS = [
    {"from_date": "2030-03-10", "to_date": "2030-03-01", "kind": "closed"},
    {"from_date": "", "kind": "closed"},
    {"from_date": "2030-03-10", "kind": "open", "hours": ""},
    {"from_date": "2030-03-10", "kind": "open", "hours": "14:00-10:00"},
    {"from_date": "2030-03-10", "kind": "open", "hours": "mañana"},
]


def test_refused_exceptions_are_explained_and_change_nothing(
    client: httpx.Client, shop: Shop
) -> None:
    csrf = signed_in_admin(client, shop)
    washer = shop.washers[0]
    for form in REFUSED_EXCEPTIONS:
        answer = client.post(
            f"/console/resources/{washer.id}/exceptions", data={"csrf_token": csrf, **form}
        )
        assert answer.status_code == 422 and "Revisá los datos" in text_of(answer.text), form
    assert resource(shop, washer.id).exceptions == ()


def test_groups_are_created_and_their_members_changed(
    client: httpx.Client, shop: Shop, hub: Hub
) -> None:
    csrf = signed_in_admin(client, shop)
    juan, maria = shop.washers
    created = client.post(
        "/console/groups",
        data={"csrf_token": csrf, "name": "Turno mañana", f"member:{juan.id}": "1"},
    )
    assert created.status_code == 303
    group = next(
        g for g in setup.list_groups(hub.uow(), shop.business.id) if g.name == "Turno mañana"
    )
    assert group.resource_ids == (juan.id,)
    changed = client.post(
        f"/console/groups/{group.id}",
        data={"csrf_token": csrf, "name": "Turno mañana", f"member:{maria.id}": "1"},
    )
    assert changed.status_code == 303
    groups = {g.id: g for g in setup.list_groups(hub.uow(), shop.business.id)}
    assert groups[group.id].resource_ids == (maria.id,)

    other = create_shop(hub)
    refused = client.post(
        f"/console/groups/{group.id}",
        data={"csrf_token": csrf, "name": "X", f"member:{other.washers[0].id}": "1"},
    )
    assert refused.status_code == 422 and "Revisá los datos" in text_of(refused.text)
    groups = {g.id: g for g in setup.list_groups(hub.uow(), shop.business.id)}
    assert (groups[group.id].name, groups[group.id].resource_ids) == ("Turno mañana", (maria.id,))
    assert (
        client.post(
            f"/console/groups/{other.group.id}", data={"csrf_token": csrf, "name": "Mío"}
        ).status_code
        == 404
    )


def test_another_business_resource_is_404(client: httpx.Client, shop: Shop, hub: Hub) -> None:
    csrf = signed_in_admin(client, shop)
    other = create_shop(hub).washers[0]
    for path in (f"/console/resources/{other.id}", f"/console/resources/{other.id}/deactivate"):
        answer = client.post(path, data={"csrf_token": csrf, "name": "Mío", "capacity": "1"})
        assert answer.status_code == 404, path
    assert resource_of_other_unchanged(hub, other)


def resource_of_other_unchanged(hub: Hub, other: Resource) -> bool:
    return setup.get_resource(hub.uow(), other.business_id, other.id) == other


def test_employees_get_404_and_change_nothing(client: httpx.Client, shop: Shop) -> None:
    assert shop.employee is not None
    sign_in(client, shop.employee.email)
    csrf = csrf_of(client.get("/console/calendar-app").text)
    own = shop.washers[0]
    assert client.get("/console/resources").status_code == 404
    day = (shop.hub.now() + timedelta(days=3)).date().isoformat()
    for path, form in [
        ("/console/resources", {"name": "Nuevo", "capacity": "1"}),
        (f"/console/resources/{own.id}", {"name": "Otro", "capacity": "5"}),
        (f"/console/resources/{own.id}/deactivate", {}),
        (f"/console/resources/{own.id}/exceptions", {"from_date": day, "kind": "closed"}),
        ("/console/groups", {"name": "G", f"member:{own.id}": "1"}),
        (f"/console/groups/{shop.group.id}", {"name": "G"}),
    ]:
        assert client.post(path, data={"csrf_token": csrf, **form}).status_code == 404, path
    assert resource(shop, own.id) == own
    assert len(setup.list_resources(shop.hub.uow(), shop.business.id)) == 2
    assert [g.name for g in setup.list_groups(shop.hub.uow(), shop.business.id)] == ["Lavadores"]
