"""The console's services: every field edited (pricing strategy, people per booking, buffers,
deposit rule, who does it, at the client's address, video meeting), taken off the offer and
back; bad input named, what was typed kept, nothing written; admins only, own business only.
And the client's page asks how many people when the service takes several, priced per person."""

from __future__ import annotations

import httpx

from booking_pages.catalogue import slot_code
from hub.domain.model import PricingStrategy
from hub.domain.policies import DepositKind
from hub.services import availability, setup
from tests.pages.helpers import book, csrf_of, text_of
from tests.pages.shop import Shop, create_shop
from tests.pages.test_console import sign_in


def _csrf(client: httpx.Client) -> str:
    return csrf_of(client.get("/console/services").text)


def _edit(shop: Shop, **changes: str) -> dict[str, str]:
    return {
        "name": "Lavado exterior",
        "duration": "30",
        "price": "2500",
        "pricing": "fixed",
        "max_persons": "1",
        "buffer_before": "0",
        "buffer_after": "0",
        "deposit_kind": "default",
        "deposit_value": "",
        f"who:group:{shop.group.id}": "1",
        **changes,
    }


def test_every_field_of_a_service_is_edited(client: httpx.Client, staffed_shop: Shop) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    page = client.get("/console/services")
    assert f'action="/console/services/{shop.quick_wash.id}"' in page.text
    edited = client.post(
        f"/console/services/{shop.quick_wash.id}",
        data={
            "csrf_token": _csrf(client),
            **_edit(
                shop,
                name="Lavado de motos",
                duration="40",
                price="1.200,50",
                pricing="per_person",
                max_persons="4",
                buffer_before="5",
                buffer_after="10",
                deposit_kind="percent",
                deposit_value="20",
                description="Moto y casco",
                video_meeting="1",
            ),
            f"who:resource:{shop.washers[1].id}": "1",
        },
    )
    assert edited.status_code == 303, text_of(edited.text)
    service = setup.get_service(shop.hub.uow(), shop.business.id, shop.quick_wash.id)
    assert service.name == "Lavado de motos" and service.duration_minutes == 40
    assert service.price_minor == 120050 and service.pricing is PricingStrategy.PER_PERSON
    assert service.max_persons == 4
    assert (service.buffer_before_minutes, service.buffer_after_minutes) == (5, 10)
    assert service.deposit is not None and service.deposit.kind is DepositKind.PERCENT
    assert service.deposit.value == 20 and service.video_meeting
    assert service.group_ids == (shop.group.id,) and service.resource_ids == (shop.washers[1].id,)
    assert service.description == "Moto y casco" and not service.at_client_address

    client.post(
        f"/console/services/{shop.quick_wash.id}/deactivate", data={"csrf_token": _csrf(client)}
    )
    assert "Lavado de motos" not in text_of(client.get(f"/book/{shop.slug}").text)
    client.post(
        f"/console/services/{shop.quick_wash.id}/restore", data={"csrf_token": _csrf(client)}
    )
    assert "Lavado de motos" in text_of(client.get(f"/book/{shop.slug}").text)


def test_bad_service_input_is_named_and_kept(client: httpx.Client, staffed_shop: Shop) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    for bad in (
        {"duration": "0"},
        {"duration": "media hora"},
        {"price": "caro"},
        {"price": "-10"},
        {"pricing": "por auto"},
        {"max_persons": "0"},
        {"buffer_after": "-5"},
        {"deposit_kind": "percent", "deposit_value": "150"},
        {"deposit_kind": "fixed", "deposit_value": "mucho"},
        {"name": "  "},
    ):
        answer = client.post(
            f"/console/services/{shop.quick_wash.id}",
            data={
                "csrf_token": _csrf(client),
                **_edit(shop, description="No debería quedar", **bad),
            },
        )
        assert answer.status_code == 422, bad
        assert "Revisá los datos" in text_of(answer.text), bad
        assert 'value="No debería quedar"' in answer.text, bad
    service = setup.get_service(shop.hub.uow(), shop.business.id, shop.quick_wash.id)
    assert service.description == "" and service.duration_minutes == 30


def test_services_are_the_admins_own_and_not_for_employees(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    other = create_shop(shop.hub)
    assert shop.admin is not None and shop.employee is not None
    sign_in(client, shop.admin.email)
    assert other.quick_wash.id not in client.get("/console/services").text
    stolen = client.post(
        f"/console/services/{other.quick_wash.id}",
        data={"csrf_token": _csrf(client), **_edit(shop, name="Robado")},
    )
    assert stolen.status_code == 404
    foreign_group = client.post(
        f"/console/services/{shop.quick_wash.id}",
        data={"csrf_token": _csrf(client), **_edit(shop), f"who:group:{other.group.id}": "1"},
    )
    assert foreign_group.status_code == 422
    assert (
        client.post(
            f"/console/services/{other.quick_wash.id}/deactivate",
            data={"csrf_token": _csrf(client)},
        ).status_code
        == 404
    )
    assert setup.get_service(other.hub.uow(), other.business.id, other.quick_wash.id).active
    client.cookies.clear()
    sign_in(client, shop.employee.email)
    token = csrf_of(client.get("/console/agenda").text)
    assert client.get("/console/services").status_code == 404
    refused = client.post(
        f"/console/services/{shop.quick_wash.id}",
        data={"csrf_token": token, **_edit(shop, name="x")},
    )
    assert refused.status_code == 404
    assert setup.get_service(shop.hub.uow(), shop.business.id, shop.quick_wash.id).name == (
        "Lavado exterior"
    )


def test_the_client_says_how_many_people_and_pays_per_person(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    client.post(
        f"/console/services/{shop.quick_wash.id}",
        data={
            "csrf_token": _csrf(client),
            **_edit(
                shop, name="Clase de encerado", pricing="per_person", max_persons="3", price="1000"
            ),
        },
    )
    client.cookies.clear()
    page = client.get(f"/book/{shop.slug}", params={"service": shop.quick_wash.id, "persons": "3"})
    text = text_of(page.text)
    assert "¿Cuántas personas?" in text and "$1.000,00 por persona" in text
    assert "persons=3" in page.text
    form = client.get(
        f"/book/{shop.slug}/form",
        params={
            "service": shop.quick_wash.id,
            "start": slot_code(shop.at(10)),
            "persons": "3",
        },
    )
    assert "$3.000,00" in text_of(form.text), "three people at $1.000 each"
    made = book(client, shop.slug, shop.quick_wash.id, shop.at(10), persons="3")
    assert made.status_code == 303, text_of(made.text)
    token = made.headers["location"].split("/")[-1].split("?")[0]
    booking = availability.get_booking_by_token(shop.hub.uow(), token)
    assert booking.persons == 3 and booking.price_minor == 300000


def test_each_washer_charges_their_own_price(client: httpx.Client, staffed_shop: Shop) -> None:
    """Priced "según quién lo hace": the form sets a price per washer; a blank one charges the
    service's price. Bad prices or another business's washer change nothing."""
    shop = staffed_shop
    other = create_shop(shop.hub)
    juan, maria = shop.washers
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    page = client.get("/console/services")
    assert f'name="rprice:{juan.id}"' in page.text
    assert "Precio según quién lo hace" in text_of(page.text)

    for bad in ({f"rprice:{juan.id}": "-5"}, {f"rprice:{juan.id}": "caro"},
                {f"rprice:{other.washers[0].id}": "100"}):  # fmt: skip
        answer = client.post(
            f"/console/services/{shop.quick_wash.id}",
            data={
                "csrf_token": _csrf(client),
                **_edit(shop, pricing="per_resource", description="No debería quedar"),
                f"rprice:{maria.id}": "9999",
                **bad,
            },
        )
        assert answer.status_code == 422, bad
        assert "Revisá los datos" in text_of(answer.text), bad
    resources = {r.id: r for r in setup.list_resources(shop.hub.uow(), shop.business.id)}
    assert resources[juan.id].price_minor is None and resources[maria.id].price_minor is None
    assert setup.get_service(shop.hub.uow(), shop.business.id, shop.quick_wash.id).pricing is (
        PricingStrategy.FIXED
    )
    assert setup.list_resources(other.hub.uow(), other.business.id)[0].price_minor is None

    saved = client.post(
        f"/console/services/{shop.quick_wash.id}",
        data={
            "csrf_token": _csrf(client),
            **_edit(shop, pricing="per_resource", price="2500"),
            f"rprice:{juan.id}": "3.000,50",
            f"rprice:{maria.id}": "",
        },
    )
    assert saved.status_code == 303, text_of(saved.text)
    shown = client.get("/console/services").text
    assert f'name="rprice:{juan.id}" inputmode="decimal" value="3000.50"' in shown

    client.cookies.clear()
    for washer, price in ((juan, 300050), (maria, 250000)):
        made = book(client, shop.slug, shop.quick_wash.id, shop.at(10), resource_id=washer.id)
        assert made.status_code == 303, text_of(made.text)
        token = made.headers["location"].split("/")[-1].split("?")[0]
        assert availability.get_booking_by_token(shop.hub.uow(), token).price_minor == price
