"""Inbound WhatsApp webhook helpers: handshake, signature, payload parsing, replies."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.notify.whatsapp_webhook import (
    InboundMessage,
    ReplyIntent,
    WebhookVerificationError,
    classify_reply,
    parse_inbound,
    parse_statuses,
    signature_valid,
    verify_subscription,
)

SECRET = "app-secret"


def test_subscription_handshake() -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "s3cret", "hub.challenge": "1158201444"}
    assert verify_subscription(params, "s3cret") == "1158201444"
    for bad in (
        {**params, "hub.verify_token": "guess"},
        {**params, "hub.mode": "unsubscribe"},
        {**params, "hub.challenge": ""},
    ):
        with pytest.raises(WebhookVerificationError):
            verify_subscription(bad, "s3cret")
    with pytest.raises(WebhookVerificationError):
        verify_subscription(params, "")  # no token configured: never verify


def _sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_signature() -> None:
    body = json.dumps(_payload(text="CANCELAR")).encode()
    assert signature_valid(body, _sign(body), SECRET)
    assert not signature_valid(body + b" ", _sign(body), SECRET)
    assert not signature_valid(body, _sign(body, "other"), SECRET)
    assert not signature_valid(body, None, SECRET)
    assert not signature_valid(body, _sign(body).replace("sha256", "sha1"), SECRET)
    assert not signature_valid(body, _sign(body), "")


def _payload(**message: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"from": "5491112345678", "id": "wamid.IN1", "timestamp": "1770735600"}
    if "text" in message:
        base |= {"type": "text", "text": {"body": message["text"]}}
    if "button" in message:
        base |= {"type": "button", "button": {"text": "Cancelar", "payload": message["button"]}}
    if "reply_id" in message:
        base |= {
            "type": "interactive",
            "interactive": {
                "type": "button_reply",
                "button_reply": {"id": message["reply_id"], "title": "Confirmar"},
            },
            "context": {"from": "5491187654321", "id": "wamid.OUT9"},
        }
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "5491187654321",
                                "phone_number_id": "1098765432",
                            },
                            "contacts": [{"profile": {"name": "Juan"}, "wa_id": "5491112345678"}],
                            "messages": [base],
                        },
                    }
                ],
            }
        ],
    }


def test_parse_text_button_and_interactive_messages() -> None:
    [text] = parse_inbound(_payload(text="Cancelar"))
    assert text == InboundMessage(
        message_id="wamid.IN1",
        from_number="+5491112345678",
        to_phone_number_id="1098765432",
        at=datetime(2026, 2, 10, 15, 0, tzinfo=UTC),
        type="text",
        text="Cancelar",
        profile_name="Juan",
    )
    [button] = parse_inbound(_payload(button="turnero:cancel:b-1"))
    assert (button.type, button.payload) == ("button", "turnero:cancel:b-1")
    [reply] = parse_inbound(_payload(reply_id="turnero:confirm:b-2"))
    assert (reply.payload, reply.context_message_id) == ("turnero:confirm:b-2", "wamid.OUT9")
    assert parse_inbound({"object": "page", "entry": []}) == []
    assert parse_inbound({}) == []


def test_parse_failed_delivery_status() -> None:
    payload = _payload(text="x")
    value = payload["entry"][0]["changes"][0]["value"]
    del value["messages"]
    value["statuses"] = [
        {
            "id": "wamid.OUT1",
            "status": "failed",
            "timestamp": "1770735600",
            "recipient_id": "5491100000000",
            "errors": [{"code": 131026, "title": "Message undeliverable"}],
        }
    ]
    assert parse_inbound(payload) == []
    [status] = parse_statuses(payload)
    assert (status.status, status.recipient, status.error_code) == (
        "failed",
        "+5491100000000",
        131026,
    )


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("CANCELAR", ReplyIntent.CANCEL),
        ("cancelar", ReplyIntent.CANCEL),
        ("  Cancelár!! ", ReplyIntent.CANCEL),
        ("cancel", ReplyIntent.CANCEL),
        ("❌ CANCELAR", ReplyIntent.CANCEL),
        ("CONFIRMAR", ReplyIntent.CONFIRM),
        ("Confirmo", ReplyIntent.CONFIRM),
        ("confirm.", ReplyIntent.CONFIRM),
        ("no puedo ir, ¿puedo cancelar y pasarlo al jueves?", ReplyIntent.OTHER),
        ("hola", ReplyIntent.OTHER),
        ("", ReplyIntent.OTHER),
    ],
)
def test_classify_typed_replies(text: str, intent: ReplyIntent) -> None:
    [message] = parse_inbound(_payload(text=text))
    assert classify_reply(message).intent is intent


def test_classify_button_payloads() -> None:
    [cancel] = parse_inbound(_payload(button="turnero:cancel:b-1"))
    assert (classify_reply(cancel).intent, classify_reply(cancel).booking_id) == (
        ReplyIntent.CANCEL,
        "b-1",
    )
    [confirm] = parse_inbound(_payload(reply_id="turnero:confirm:b-2"))
    assert classify_reply(confirm).booking_id == "b-2"
    [plain] = parse_inbound(_payload(button="CANCELAR"))  # a template's own payload text
    assert classify_reply(plain).intent is ReplyIntent.CANCEL
