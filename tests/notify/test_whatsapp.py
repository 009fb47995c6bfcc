"""The WhatsApp Cloud API client against a fake Graph server on loopback."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from connectors.notify.context import MessageChannel, MessageKind, build_context
from connectors.notify.errors import WhatsAppRefusedError, WhatsAppUnavailableError
from connectors.notify.templates import render
from connectors.notify.whatsapp import WhatsAppClient
from connectors.notify.whatsapp_webhook import ReplyIntent, reply_payload
from tests.notify.conftest import NOW, FakeWhatsAppGraph, World

PHONE_ID = "1098765432"


@pytest.fixture
def client(graph: FakeWhatsAppGraph) -> Iterator[WhatsAppClient]:
    with WhatsAppClient(graph.url, PHONE_ID, "test-token", timeout=5) as wa:
        yield wa


def test_confirmation_text_reaches_the_graph_api(
    graph: FakeWhatsAppGraph, client: WhatsAppClient, world: World
) -> None:
    context = build_context(
        world.booking, world.business, world.service, world.resource, world.customer, now=NOW
    )
    body = render(MessageKind.CONFIRMED, MessageChannel.WHATSAPP, "es", context).text
    sent = client.send_text(world.customer.phone or "", body)
    assert sent.message_id == "wamid.TEST1"
    assert sent.wa_id == "5491112345678"
    [call] = graph.calls
    assert call.path == f"/v21.0/{PHONE_ID}/messages"
    assert call.body["to"] == "5491112345678"
    assert call.body["type"] == "text"
    assert call.body["text"]["body"].startswith("✅ Tu turno fue reservado!")


def test_template_with_cancel_button(graph: FakeWhatsAppGraph, client: WhatsAppClient) -> None:
    payload = reply_payload(ReplyIntent.CANCEL, "b-1")
    client.send_template(
        "+5491112345678",
        "turno_recordatorio",
        "es_AR",
        body_parameters=["Martes 10 feb", "10:00"],
        button_payloads=[payload],
    )
    template = graph.calls[-1].body["template"]
    assert template["name"] == "turno_recordatorio"
    assert template["language"] == {"code": "es_AR"}
    body, button = template["components"]
    assert [p["text"] for p in body["parameters"]] == ["Martes 10 feb", "10:00"]
    assert button["sub_type"] == "quick_reply"
    assert button["parameters"] == [{"type": "payload", "payload": "turnero:cancel:b-1"}]


def test_reply_buttons(graph: FakeWhatsAppGraph, client: WhatsAppClient) -> None:
    client.send_buttons(
        "+5491112345678", "¿Confirmás tu turno?", [("turnero:confirm:b-1", "Confirmar")]
    )
    interactive = graph.calls[-1].body["interactive"]
    assert interactive["action"]["buttons"] == [
        {"type": "reply", "reply": {"id": "turnero:confirm:b-1", "title": "Confirmar"}}
    ]


def test_number_not_on_whatsapp_is_refused_with_its_reason(
    graph: FakeWhatsAppGraph, client: WhatsAppClient
) -> None:
    graph.not_on_whatsapp.add("5491100000000")
    with pytest.raises(WhatsAppRefusedError) as caught:
        client.send_text("+54 9 11 0000-0000", "hola")
    error = caught.value
    assert (error.status, error.code) == (400, 131026)
    assert error.details == "Recipient is not a WhatsApp user"
    assert error.graph_message == "Message undeliverable"
    assert not error.retryable
    # other numbers still go out
    assert client.send_text("+5491112345678", "hola").message_id.startswith("wamid.")


def test_bad_token_is_refused(graph: FakeWhatsAppGraph) -> None:
    with (
        WhatsAppClient(graph.url, PHONE_ID, "expired") as wa,
        pytest.raises(WhatsAppRefusedError) as caught,
    ):
        wa.send_text("+5491112345678", "hola")
    assert (caught.value.status, caught.value.code) == (401, 190)


def test_server_errors_and_timeouts_are_retryable(
    graph: FakeWhatsAppGraph, client: WhatsAppClient
) -> None:
    graph.broken.add("5491112345678")
    with pytest.raises(WhatsAppUnavailableError) as caught:
        client.send_text("+5491112345678", "hola")
    assert caught.value.retryable and caught.value.status == 500

    silent = socket.socket()  # accepts connections, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(silent.accept()[0]), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{silent.getsockname()[1]}/v21.0"
    try:
        with (
            WhatsAppClient(url, PHONE_ID, "t", timeout=0.5) as wa,
            pytest.raises(WhatsAppUnavailableError),
        ):
            wa.send_text("+5491112345678", "hola")
    finally:
        thread.join(timeout=5)
        for conn in accepted:
            conn.close()
        silent.close()


def test_not_a_phone_number_never_leaves(graph: FakeWhatsAppGraph, client: WhatsAppClient) -> None:
    with pytest.raises(WhatsAppRefusedError):
        client.send_text("juan@example.com", "hola")
    assert graph.calls == []
