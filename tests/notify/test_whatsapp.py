"""The WhatsApp Cloud API client against a fake Graph server on loopback."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from connectors.notify.context import MessageChannel, MessageKind, build_context
from connectors.notify.errors import WhatsAppRefusedError, WhatsAppUnavailableError
from connectors.notify.templates import render
from connectors.notify.whatsapp import WhatsAppClient
from connectors.notify.whatsapp_webhook import (
    DeliveryStatus,
    ReplyIntent,
    parse_statuses,
    reply_payload,
    signature_valid,
)
from tests.notify.conftest import NOW, World
from tests.support.whatsapp import FakeWhatsAppGraph

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
    graph.add_template(
        "turno_recordatorio", "es_AR", "Turno el {{1}} a las {{2}}", buttons=["Cancelar"]
    )
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
    graph.refused_at_once.add("5491100000000")
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


class Webhook:
    """Our side of the status webhooks: keeps each signed body it receives."""

    def __init__(self) -> None:
        self.bodies: list[tuple[str, bytes]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                hook.bodies.append((self.headers.get("X-Hub-Signature-256", ""), raw))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhook"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,))

    def statuses(self, app_secret: str) -> list[DeliveryStatus]:
        found = []
        for signature, raw in self.bodies:
            assert signature_valid(raw, signature, app_secret)
            found += parse_statuses(json.loads(raw))
        return found


@pytest.fixture
def webhook(graph: FakeWhatsAppGraph) -> Iterator[Webhook]:
    hook = Webhook()
    hook.thread.start()
    graph.webhook_url = hook.url
    try:
        yield hook
    finally:
        hook.server.shutdown()
        hook.server.server_close()
        hook.thread.join()


def test_free_text_to_a_client_who_never_wrote_is_accepted_then_fails_with_131047(
    graph: FakeWhatsAppGraph, client: WhatsAppClient, webhook: Webhook
) -> None:
    sent = client.send_text("+5491112345678", "Tu turno está confirmado")
    assert sent.message_id.startswith("wamid.")  # Graph took it…
    graph.flush()
    [status] = webhook.statuses(graph.app_secret)  # …and then reported it failed
    assert (status.message_id, status.status, status.error_code) == (
        sent.message_id,
        "failed",
        131047,
    )
    assert status.error_title == "Re-engagement message"
    assert graph.inbox("5491112345678") == []


def test_free_text_within_24_hours_of_the_client_writing_is_delivered(
    graph: FakeWhatsAppGraph, client: WhatsAppClient, webhook: Webhook
) -> None:
    graph.client_writes(PHONE_ID, "5491112345678", "hola")
    sent = client.send_text("+5491112345678", "¡Hola! ¿En qué te ayudamos?")
    graph.flush()
    statuses = [s for s in webhook.statuses(graph.app_secret) if s.message_id == sent.message_id]
    assert [s.status for s in statuses] == ["sent", "delivered"]
    [message] = graph.inbox("5491112345678")
    assert message.text == "¡Hola! ¿En qué te ayudamos?"


def test_templates_must_exist_be_approved_and_get_every_parameter(
    graph: FakeWhatsAppGraph, client: WhatsAppClient
) -> None:
    with pytest.raises(WhatsAppRefusedError) as missing:
        client.send_template("+5491112345678", "turno_confirmado", "es", body_parameters=["Ana"])
    assert missing.value.code == 132001
    graph.add_template(
        "turno_confirmado", "es", "Hola {{1}}, te esperamos el {{2}}.", status="PENDING"
    )
    with pytest.raises(WhatsAppRefusedError) as pending:
        client.send_template(
            "+5491112345678", "turno_confirmado", "es", body_parameters=["Ana", "martes"]
        )
    assert pending.value.code == 132001
    graph.review("turno_confirmado", "es", "APPROVED")
    with pytest.raises(WhatsAppRefusedError) as short:
        client.send_template("+5491112345678", "turno_confirmado", "es", body_parameters=["Ana"])
    assert short.value.code == 132000
    with pytest.raises(WhatsAppRefusedError) as newline:
        client.send_template(
            "+5491112345678", "turno_confirmado", "es", body_parameters=["Ana", "martes\n10:00"]
        )
    assert newline.value.code == 132018
    client.send_template(
        "+5491112345678", "turno_confirmado", "es", body_parameters=["Ana", "martes"]
    )
    [message] = graph.inbox("5491112345678")
    assert message.text == "Hola Ana, te esperamos el martes."


def test_a_template_reaches_a_client_who_never_wrote(
    graph: FakeWhatsAppGraph, client: WhatsAppClient, webhook: Webhook
) -> None:
    graph.add_template("turno_confirmado", "es", "Hola {{1}}.", buttons=["Confirmar"])
    sent = client.send_template(
        "+5491112345678",
        "turno_confirmado",
        "es",
        body_parameters=["Ana"],
        button_payloads=["turnero:confirm:b"],
    )
    graph.flush()
    statuses = webhook.statuses(graph.app_secret)
    assert [(s.message_id, s.status) for s in statuses] == [
        (sent.message_id, "sent"),
        (sent.message_id, "delivered"),
    ]
    assert graph.inbox("5491112345678")[0].payloads == ["turnero:confirm:b"]


def test_a_number_not_on_whatsapp_fails_after_being_accepted(
    graph: FakeWhatsAppGraph, client: WhatsAppClient, webhook: Webhook
) -> None:
    graph.not_on_whatsapp.add("5491100000000")
    graph.add_template("turno_confirmado", "es", "Hola {{1}}.")
    sent = client.send_template("+5491100000000", "turno_confirmado", "es", body_parameters=["Ana"])
    graph.flush()
    [status] = webhook.statuses(graph.app_secret)
    assert (status.message_id, status.status, status.error_code) == (
        sent.message_id,
        "failed",
        131026,
    )


@pytest.mark.parametrize(
    ("typed", "sent_to"),
    [
        ("+54 11 2345-6789", "5491123456789"),  # Argentine mobile typed without its "9"
        ("+54 9 11 2345-6789", "5491123456789"),
        ("+52 55 1234 5678", "5215512345678"),  # Mexican mobile typed without its "1"
        ("+52 1 55 1234 5678", "5215512345678"),
        ("+34 612 34 56 78", "34612345678"),  # elsewhere: as typed
    ],
)
def test_argentine_and_mexican_mobiles_go_in_the_form_whatsapp_delivers_to(
    graph: FakeWhatsAppGraph, client: WhatsAppClient, typed: str, sent_to: str
) -> None:
    client.send_text(typed, "hola")
    assert graph.calls[-1].body["to"] == sent_to
