"""The console's WhatsApp messages: what a client wrote that nobody could act on waits there
for any staff member of that business, who marks it answered. A clear CONFIRMAR is settled
on its own and never shows; another business's messages are never seen or changed.

Messages arrive through the webhook's own handler, as a WhatsApp delivery would bring them.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import httpx

from booking_pages.catalogue import CLIENT
from booking_pages.web import CSRF_FIELD
from connectors.notify.web import ReplyHandler
from connectors.notify.whatsapp_webhook import parse_inbound
from hub.bootstrap import Hub
from hub.services import setup
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import SETUP, Shop, create_shop
from tests.pages.test_console import sign_in


def on_whatsapp(shop: Shop) -> str:
    """Give the shop a WhatsApp number; returns its phone-number id."""
    number_id = uuid.uuid4().hex[:15]
    settings = {**shop.business.settings, "whatsapp": {"phone_number_id": number_id, "token": "t"}}
    shop.business = setup.update_business(
        shop.hub.uow(), replace(shop.business, settings=settings), by=SETUP, now=shop.hub.now()
    )
    return number_id


def client_writes(hub: Hub, number_id: str, sender: str, text: str) -> None:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5491100000000", "phone_number_id": number_id},
        "contacts": [{"profile": {"name": "Perfil"}, "wa_id": sender}],
        "messages": [
            {
                "from": sender,
                "id": f"wamid.{uuid.uuid4().hex}",
                "timestamp": str(int(hub.now().timestamp())),
                "type": "text",
                "text": {"body": text},
            }
        ],
    }
    payload = {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": value}]}]}
    for message in parse_inbound(payload):
        ReplyHandler(hub).handle(message)


def book(shop: Shop, name: str, phone: str) -> None:
    create_booking(
        shop.hub.uow(),
        NewBooking(
            shop.business.id,
            shop.quick_wash.id,
            shop.at(10),
            customer=CustomerDetails(name, phone),
            resource_id=shop.washers[0].id,
        ),
        by=CLIENT,
        now=shop.hub.now(),
    )


def test_staff_see_what_waits_for_a_person_and_mark_it_answered(
    client: httpx.Client, hub: Hub
) -> None:
    shop = create_shop(hub, staff=True, employee=True)
    other = create_shop(hub, staff=True)
    ours, theirs = on_whatsapp(shop), on_whatsapp(other)
    book(shop, "Ana Pérez", "+54 9 11 2345-6789")
    book(other, "Otro Cliente", "+54 9 11 4567-8901")
    client_writes(hub, ours, "5491123456789", "Llego 10 minutos tarde, ¿me esperan?")
    client_writes(hub, ours, "5491123456789", "CONFIRMAR")
    client_writes(hub, theirs, "5491145678901", "Mensaje del otro negocio")

    assert shop.employee is not None and shop.admin is not None and other.admin is not None
    sign_in(client, shop.employee.email)
    page = client.get("/console/messages")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Ana Pérez" in text and "Llego 10 minutos tarde, ¿me esperan?" in text
    assert "CONFIRMAR" not in text  # settled on its own
    assert "+54 9 11 2345-6789" in text and "++" not in text
    assert "Mensaje del otro negocio" not in text

    with httpx.Client(base_url=str(client.base_url)) as stranger:
        sign_in(stranger, other.admin.email)
        theirs_page = stranger.get("/console/messages")
        assert "Llego 10 minutos tarde" not in text_of(theirs_page.text)
        [foreign] = [
            part.split('"')[0] for part in theirs_page.text.split('action="/console/messages/')[1:]
        ]
        refused = client.post(f"/console/messages/{foreign}", data={CSRF_FIELD: csrf_of(page.text)})
        assert refused.status_code == 404  # another business's message: not found, not changed
        assert "Mensaje del otro negocio" in text_of(stranger.get("/console/messages").text)

    [ours_action] = [
        part.split('"')[0] for part in page.text.split('action="/console/messages/')[1:]
    ]
    assert client.post(f"/console/messages/{ours_action}", data={}).status_code == 403  # CSRF
    done = client.post(
        f"/console/messages/{ours_action}",
        data={CSRF_FIELD: csrf_of(page.text)},
        follow_redirects=True,
    )
    assert done.status_code == 200
    after = text_of(done.text)
    assert "quedó como respondido" in after and "Llego 10 minutos tarde" not in after
    assert "No hay mensajes esperando respuesta" in after
