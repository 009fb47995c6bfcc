"""Pure helpers for the WhatsApp Cloud API webhook: the subscription handshake, the
``X-Hub-Signature-256`` check, parsing the payload into typed inbound messages and delivery
statuses, and reading a client's reply as CANCEL / CONFIRM / OTHER.

No HTTP and no booking lookup here: the route (an adapter) calls these, then a service.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connectors.notify.errors import DeliveryError

PAYLOAD_PREFIX = "turnero"


class WebhookVerificationError(DeliveryError):
    """The subscription handshake did not match (answer 403)."""


def verify_subscription(params: Mapping[str, str], verify_token: str) -> str:
    """The ``hub.challenge`` to echo back when Meta subscribes the webhook (GET with
    ``hub.mode=subscribe`` and our ``hub.verify_token``); raises otherwise."""
    mode = params.get("hub.mode", "")
    token = params.get("hub.verify_token", "")
    challenge = params.get("hub.challenge", "")
    if mode != "subscribe" or not verify_token:
        raise WebhookVerificationError("not a subscription request")
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        raise WebhookVerificationError("wrong verify token")
    if not challenge:
        raise WebhookVerificationError("no challenge to answer")
    return challenge


def signature_valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether ``X-Hub-Signature-256: sha256=<hex>`` is the HMAC-SHA256 of the raw body
    under the app secret (compared in constant time)."""
    if not header or not app_secret:
        return False
    scheme, _, received = header.strip().partition("=")
    # compare_digest refuses non-ASCII text (TypeError): such a header is simply wrong.
    if scheme.lower() != "sha256" or not received or not received.isascii():
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received.strip().lower())


@dataclass(frozen=True, slots=True)
class InboundMessage:
    message_id: str
    from_number: str  # E.164 with "+"
    to_phone_number_id: str  # which of the business numbers received it
    at: datetime
    type: str  # text | button | interactive | other types as WhatsApp names them
    text: str | None = None  # what the client typed, or the tapped button's title
    payload: str | None = None  # the tapped button's payload / reply id
    profile_name: str | None = None
    context_message_id: str | None = None  # the message of ours being answered


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    message_id: str
    recipient: str
    status: str  # sent | delivered | read | failed
    at: datetime
    error_code: int | None = None
    error_title: str | None = None
    error_details: str | None = None
    phone_number_id: str = ""  # which of the business numbers sent it

    @property
    def reason(self) -> str:
        """Meta's reason for a failure, as the operator reads it."""
        if self.error_code is None and not self.error_title:
            return ""
        parts = [f"(#{self.error_code})" if self.error_code is not None else ""]
        parts.append(self.error_title or "")
        text = " ".join(p for p in parts if p)
        return f"{text}: {self.error_details}" if self.error_details else text


def _values(payload: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    if payload.get("object") != "whatsapp_business_account":
        return
    for entry in payload.get("entry") or ():
        for change in (entry or {}).get("changes") or ():
            value = (change or {}).get("value")
            if isinstance(value, Mapping):
                yield value


def _when(raw: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC)
    except (TypeError, ValueError):
        return datetime.fromtimestamp(0, tz=UTC)


def _e164(number: Any) -> str:
    digits = str(number or "")
    return digits if digits.startswith("+") else f"+{digits}"


def parse_inbound(payload: Mapping[str, Any]) -> list[InboundMessage]:
    """The client messages in a webhook payload (statuses and unknown shapes skipped)."""
    found: list[InboundMessage] = []
    for value in _values(payload):
        phone_id = str((value.get("metadata") or {}).get("phone_number_id", ""))
        names = {
            str(c.get("wa_id")): (c.get("profile") or {}).get("name")
            for c in value.get("contacts") or ()
            if isinstance(c, Mapping)
        }
        for message in value.get("messages") or ():
            if not isinstance(message, Mapping) or "id" not in message:
                continue
            kind = str(message.get("type", ""))
            text = payload_ = None
            if kind == "text":
                text = (message.get("text") or {}).get("body")
            elif kind == "button":
                button = message.get("button") or {}
                text, payload_ = button.get("text"), button.get("payload")
            elif kind == "interactive":
                interactive = message.get("interactive") or {}
                reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
                text, payload_ = reply.get("title"), reply.get("id")
            sender = str(message.get("from", ""))
            found.append(
                InboundMessage(
                    message_id=str(message["id"]),
                    from_number=_e164(sender),
                    to_phone_number_id=phone_id,
                    at=_when(message.get("timestamp")),
                    type=kind,
                    text=str(text) if text is not None else None,
                    payload=str(payload_) if payload_ is not None else None,
                    profile_name=names.get(sender),
                    context_message_id=(message.get("context") or {}).get("id"),
                )
            )
    return found


def parse_statuses(payload: Mapping[str, Any]) -> list[DeliveryStatus]:
    """Delivery reports of our messages (a ``failed`` 131026 means not on WhatsApp)."""
    found: list[DeliveryStatus] = []
    for value in _values(payload):
        phone_id = str((value.get("metadata") or {}).get("phone_number_id", ""))
        for status in value.get("statuses") or ():
            if not isinstance(status, Mapping) or "id" not in status:
                continue
            errors = status.get("errors") or [{}]
            first = errors[0] if isinstance(errors[0], Mapping) else {}
            code = first.get("code")
            data = first.get("error_data")
            details = data.get("details") if isinstance(data, Mapping) else None
            found.append(
                DeliveryStatus(
                    message_id=str(status["id"]),
                    recipient=_e164(status.get("recipient_id")),
                    status=str(status.get("status", "")),
                    at=_when(status.get("timestamp")),
                    error_code=code if isinstance(code, int) else None,
                    error_title=first.get("title"),
                    error_details=str(details) if details else None,
                    phone_number_id=phone_id,
                )
            )
    return found


class ReplyIntent(enum.StrEnum):
    CANCEL = "cancel"
    CONFIRM = "confirm"
    RESCHEDULE = "reschedule"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Reply:
    intent: ReplyIntent
    booking_id: str | None = None  # when a button payload names the booking


_WORDS = {
    ReplyIntent.CANCEL: frozenset({"cancelar", "cancelo", "cancel", "cancela"}),
    ReplyIntent.CONFIRM: frozenset({"confirmar", "confirmo", "confirm", "confirma"}),
    ReplyIntent.RESCHEDULE: frozenset({"reprogramar", "reprogramo", "reschedule"}),
}
_NOISE = re.compile(r"[^\w\s]+")


def reply_payload(intent: ReplyIntent, booking_id: str) -> str:
    """The payload we put on a quick-reply button: ``turnero:cancel:<booking id>``."""
    return f"{PAYLOAD_PREFIX}:{intent.value}:{booking_id}"


def _normalized(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOISE.sub(" ", bare).split())


def classify_reply(message: InboundMessage) -> Reply:
    """CANCEL for "CANCELAR"/"cancel" (any case or accents, punctuation and emoji ignored)
    or a cancel button, CONFIRM likewise, OTHER for anything else — a longer sentence that
    merely mentions cancelling is left for a person to read."""
    if message.payload:
        prefix, _, rest = message.payload.partition(":")
        if prefix == PAYLOAD_PREFIX:
            intent_word, _, booking_id = rest.partition(":")
            for intent in (ReplyIntent.CANCEL, ReplyIntent.CONFIRM, ReplyIntent.RESCHEDULE):
                if intent_word == intent.value:
                    return Reply(intent, booking_id or None)
        word = _normalized(message.payload)
        for intent, words in _WORDS.items():
            if word in words:
                return Reply(intent)
    if message.text:
        word = _normalized(message.text)
        for intent, words in _WORDS.items():
            if word in words:
                return Reply(intent)
    return Reply(ReplyIntent.OTHER)
