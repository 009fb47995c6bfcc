"""The WhatsApp message templates Turnero ships, one per message kind and language, and how a
booking's message fills one in.

Outside the 24-hour customer service window WhatsApp delivers only approved templates
(https://developers.facebook.com/docs/whatsapp/conversation-types#customer-service-window),
so every business-initiated message goes as one of these. Each body has the same four
placeholders — business, when, service, details — so a business can replace a template by
its own (same placeholders) without code. Parameters are single lines: WhatsApp refuses new
lines, tabs and runs of more than four spaces in them (error 132018,
https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/).

Not here: sending (``connectors.notify.whatsapp``), choosing between template and free text
(``connectors.notify.whatsapp_consumer``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.notify.context import MessageContext, MessageKind
from connectors.notify.whatsapp_webhook import ReplyIntent, reply_payload

LANGUAGES = {"es": "es_AR", "en": "en"}  # our language → WhatsApp's language code
APPROVED = "APPROVED"

# The kinds whose template carries the reply buttons (a booking still ahead).
_ANSWERABLE = frozenset(
    {MessageKind.RECEIVED, MessageKind.CONFIRMED, MessageKind.REMINDER, MessageKind.RESCHEDULED}
)
BUTTON_INTENTS = (ReplyIntent.CONFIRM, ReplyIntent.CANCEL, ReplyIntent.RESCHEDULE)
BUTTON_TITLES = {
    "es": ("Confirmar", "Cancelar", "Reprogramar"),
    "en": ("Confirm", "Cancel", "Reschedule"),
}

_BODIES: dict[str, dict[MessageKind, str]] = {
    "es": {
        MessageKind.RECEIVED: "📝 Recibimos tu pedido de turno en {{1}}.\n{{2}}\n{{3}}\n{{4}}\n"
        "Te avisamos cuando esté confirmado.",
        MessageKind.CONFIRMED: "✅ Tu turno en {{1}} está confirmado.\n{{2}}\n{{3}}\n{{4}}",
        MessageKind.RESCHEDULED: "🔁 Tu turno en {{1}} cambió de horario.\n{{2}}\n{{3}}\n{{4}}",
        MessageKind.UPDATED: "✏️ Hay cambios en tu turno en {{1}}.\n{{2}}\n{{3}}\n{{4}}",
        MessageKind.REMINDER: "⏰ Recordatorio de tu turno en {{1}}.\n{{2}}\n{{3}}\n{{4}}",
        MessageKind.CANCELLED: "❌ Tu turno en {{1}} fue cancelado.\n{{2}}\n{{3}}\n{{4}}",
        MessageKind.EXPIRED: "⌛ Tu pedido de turno en {{1}} venció sin confirmarse.\n{{2}}\n"
        "{{3}}\n{{4}}",
        MessageKind.THANK_YOU: "🙌 Gracias por elegir {{1}}.\n{{2}}\n{{3}}\n{{4}}",
    },
    "en": {
        MessageKind.RECEIVED: "📝 We received your booking request at {{1}}.\n{{2}}\n{{3}}\n"
        "{{4}}\nWe will let you know when it is confirmed.",
        MessageKind.CONFIRMED: "✅ Your booking at {{1}} is confirmed.\n{{2}}\n{{3}}\n{{4}}",
        MessageKind.RESCHEDULED: "🔁 Your booking at {{1}} has a new time.\n{{2}}\n{{3}}\n{{4}}",
        MessageKind.UPDATED: "✏️ Your booking at {{1}} changed.\n{{2}}\n{{3}}\n{{4}}",
        MessageKind.REMINDER: "⏰ A reminder of your booking at {{1}}.\n{{2}}\n{{3}}\n{{4}}",
        MessageKind.CANCELLED: "❌ Your booking at {{1}} was cancelled.\n{{2}}\n{{3}}\n{{4}}",
        MessageKind.EXPIRED: "⌛ Your booking request at {{1}} expired unconfirmed.\n{{2}}\n"
        "{{3}}\n{{4}}",
        MessageKind.THANK_YOU: "🙌 Thank you for choosing {{1}}.\n{{2}}\n{{3}}\n{{4}}",
    },
}
_WORDS = {
    "es": {
        "paid": "Seña pagada: {amount} ({provider})",
        "back": "Devolución de la seña: {amount}",
        "kept": "La seña no se devuelve, según la política de cancelación.",
        "reason": "Motivo: {reason}",
        "video": "Videollamada: {url}",
        "manage": "Para reprogramar: {url}",
        "survey": "¿Nos dejarías tu opinión? {url}",
        "none": "¡Te esperamos!",
        "again": "Cuando quieras, reservá un nuevo turno.",
        "with": "Con {who}",
        "booking": "Reserva: {url}",
    },
    "en": {
        "paid": "Deposit paid: {amount} ({provider})",
        "back": "Deposit refund: {amount}",
        "kept": "The deposit is not refunded, as the cancellation policy says.",
        "reason": "Reason: {reason}",
        "video": "Video call: {url}",
        "manage": "To reschedule: {url}",
        "survey": "Would you tell us how it went? {url}",
        "none": "See you soon!",
        "again": "You are welcome to book again any time.",
        "with": "With {who}",
        "booking": "Booking: {url}",
    },
}
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class TemplateChoice:
    """Which approved template a kind goes as (``status`` as Meta last reported it)."""

    name: str
    language: str  # WhatsApp's code: "es_AR", "en"
    status: str = ""  # APPROVED | PENDING | REJECTED | "" (never checked: try it)
    params: tuple[str, ...] = ()  # a business's own text: what each {{n}} stands for


def shipped_name(kind: MessageKind) -> str:
    return f"turnero_{kind.value}"


def shipped_body(kind: MessageKind, language: str) -> str:
    return _BODIES[_ours(language)][kind]


def buttons(kind: MessageKind, language: str) -> tuple[str, ...]:
    return BUTTON_TITLES[_ours(language)] if kind in _ANSWERABLE else ()


def _ours(language: str) -> str:
    return "en" if language.startswith("en") else "es"


def choice(kind: MessageKind, language: str, settings: Mapping[str, Any]) -> TemplateChoice:
    """The template the business set for ``kind`` in ``language`` (its WhatsApp settings'
    ``templates``), else ours under its shipped name."""
    ours = _ours(language)
    chosen = (settings.get("templates") or {}).get(f"{kind.value}.{ours}")
    if isinstance(chosen, Mapping) and chosen.get("name"):
        return TemplateChoice(
            str(chosen["name"]),
            str(chosen.get("language") or LANGUAGES[ours]),
            str(chosen.get("status") or ""),
            tuple(str(p) for p in chosen.get("params") or ()),
        )
    return TemplateChoice(shipped_name(kind), LANGUAGES[ours])


def _line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def parameters(kind: MessageKind, context: MessageContext) -> list[str]:
    """The four body parameters of ``kind`` for this booking (each one non-empty line)."""
    words = _WORDS[_ours(context.language)]
    details: list[str] = []
    if kind is not MessageKind.THANK_YOU:
        if context.address:
            details.append(context.address)
        if context.price_text and kind in _ANSWERABLE:
            details.append(context.price_text)
    receipt = context.receipt
    if receipt is not None and kind is MessageKind.CONFIRMED:
        details.append(
            words["paid"].format(amount=receipt.amount_text, provider=receipt.provider_name)
        )
    if kind is MessageKind.CANCELLED:
        if context.cancel_reason:
            details.append(words["reason"].format(reason=context.cancel_reason))
        if receipt is not None and receipt.refund == "back":
            details.append(words["back"].format(amount=receipt.refunded_text))
        elif receipt is not None and receipt.refund == "kept":
            details.append(words["kept"])
        details.append(words["again"])
    if context.meeting_url and kind in _ANSWERABLE:
        details.append(words["video"].format(url=context.meeting_url))
    if context.manage_url and kind in (MessageKind.CONFIRMED, MessageKind.RESCHEDULED):
        details.append(words["manage"].format(url=context.manage_url))
    if kind is MessageKind.THANK_YOU and context.survey_url:
        details.append(words["survey"].format(url=context.survey_url))
    when = f"{context.short_date_text}, {context.time_text} ({context.zone_name})"
    return [
        _line(context.business_name) or "-",
        _line(when),
        _line(context.title or context.service_name) or "-",
        _line(" · ".join(details)) or words["none"],
    ]


def organizer_parameters(kind: MessageKind, context: MessageContext) -> list[str]:
    """The four body parameters of ``kind`` for the staff member who organised the booking:
    who it is with, the video link and the booking's console page (never the client's
    manage link, price or payment)."""
    words = _WORDS[_ours(context.language)]
    details: list[str] = []
    if context.customer_name:
        details.append(words["with"].format(who=context.customer_name))
    if context.address and kind is not MessageKind.THANK_YOU:
        details.append(context.address)
    if kind is MessageKind.CANCELLED and context.cancel_reason:
        details.append(words["reason"].format(reason=context.cancel_reason))
    if context.meeting_url and kind in _ANSWERABLE:
        details.append(words["video"].format(url=context.meeting_url))
    if context.organizer is not None and context.organizer.url:
        details.append(words["booking"].format(url=context.organizer.url))
    when = f"{context.short_date_text}, {context.time_text} ({context.zone_name})"
    return [
        _line(context.business_name) or "-",
        _line(when),
        _line(context.title or context.service_name) or "-",
        _line(" · ".join(details)) or words["none"],
    ]


def button_payloads(kind: MessageKind, context: MessageContext) -> list[str]:
    if kind not in _ANSWERABLE:
        return []
    return [reply_payload(intent, context.booking_id) for intent in BUTTON_INTENTS]


def definition(kind: MessageKind, language: str) -> dict[str, Any]:
    """Our template for ``kind`` as the Business Management API creates it
    (``POST /{waba-id}/message_templates``, category UTILITY, examples for each placeholder:
    https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates)."""
    ours = _ours(language)
    example = (
        ["Lavadero Sur", "Martes 10 feb, 10:00 (hora de Argentina)", "Lavado completo", "-"]
        if ours == "es"
        else ["Sunny Wash", "Tuesday Feb 10, 10:00 AM (Argentina time)", "Full wash", "-"]
    )
    components: list[dict[str, Any]] = [
        {"type": "BODY", "text": shipped_body(kind, ours), "example": {"body_text": [example]}}
    ]
    titles = buttons(kind, ours)
    if titles:
        components.append(
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": t} for t in titles]}
        )
    return {
        "name": shipped_name(kind),
        "language": LANGUAGES[ours],
        "category": "UTILITY",
        "components": components,
    }


_OWN_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def own_definition(
    kind: MessageKind, language: str, text: str
) -> tuple[dict[str, Any], tuple[str, ...]] | None:
    """A business's own WhatsApp text for ``kind`` (written in the message-text editor, with
    ``{{ name }}`` placeholders) as a template to submit: each placeholder becomes ``{{n}}``
    in order of first use, and the names are returned to fill them in when sending. None
    when the text cannot be a template (it has ``{% %}`` blocks, or no words of its own).
    The name carries a digest of the text, so an edited text is a new template to review."""
    text = text.strip()
    if not text or "{%" in text or "{#" in text:
        return None
    params: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            params.append(name)
        return "{{" + str(params.index(name) + 1) + "}}"

    body = _OWN_PLACEHOLDER.sub(number, text)
    if "{{" in _OWN_PLACEHOLDER.sub("", text) or not _SPACES.sub(
        "", _OWN_PLACEHOLDER.sub("", text)
    ):
        return None
    ours = _ours(language)
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    components: list[dict[str, Any]] = [{"type": "BODY", "text": body}]
    if params:
        components[0]["example"] = {"body_text": [[f"({p})" for p in params]]}
    titles = buttons(kind, ours)
    if titles:
        components.append(
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": t} for t in titles]}
        )
    definition = {
        "name": f"{shipped_name(kind)}_{digest}",
        "language": LANGUAGES[ours],
        "category": "UTILITY",
        "components": components,
    }
    return definition, tuple(params)


def own_parameters(params: tuple[str, ...], context: MessageContext) -> list[str]:
    """The values of a business's own template's placeholders for this booking (each one
    non-empty line, as WhatsApp wants its parameters)."""
    values = []
    for name in params:
        value = getattr(context, name, None)
        text = value if isinstance(value, str) else "" if value is None else str(value)
        values.append(_line(text) or "-")
    return values


SHIPPED_KINDS = tuple(MessageKind)

# Client history's one-time code: an authentication template, whose body Meta writes
# itself ("*{{1}}* is your verification code.", plus the security advice) and whose
# copy-code button carries the code
# (https://developers.facebook.com/docs/whatsapp/business-management-api/authentication-templates).
CODE_KEY = "code"
CODE_TEMPLATE = "turnero_code"
CODE_MINUTES = 10
_COPY_CODE = {"es": "Copiar código", "en": "Copy code"}


def code_definition(language: str) -> dict[str, Any]:
    """Our code template as ``POST /{waba-id}/message_templates`` creates it."""
    ours = _ours(language)
    return {
        "name": CODE_TEMPLATE,
        "language": LANGUAGES[ours],
        "category": "AUTHENTICATION",
        "components": [
            {"type": "BODY", "add_security_recommendation": True},
            {"type": "FOOTER", "code_expiration_minutes": CODE_MINUTES},
            {
                "type": "BUTTONS",
                "buttons": [{"type": "OTP", "otp_type": "COPY_CODE", "text": _COPY_CODE[ours]}],
            },
        ],
    }


def code_choice(language: str, settings: Mapping[str, Any]) -> TemplateChoice:
    """The code template in ``language`` as the business's WhatsApp settings last saw it."""
    ours = _ours(language)
    stored = (settings.get("templates") or {}).get(f"{CODE_KEY}.{ours}")
    status = str(stored.get("status") or "") if isinstance(stored, Mapping) else ""
    return TemplateChoice(CODE_TEMPLATE, LANGUAGES[ours], status)
