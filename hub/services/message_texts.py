"""Use case: a business admin edits the text of each message, per language, and the survey
link the thank-you message carries.

Stored in ``Business.settings``: ``"templates"`` (a mapping from ``<language>/<kind>.<channel>.
<part>`` to the text, read by the notification code, which falls back to the shipped text for
anything not there) and ``"survey_url"``. Placeholders are written ``{{ name }}``; a text that
names an unknown placeholder, leaves a brace open or is too long is refused whole, naming the
problem. Resetting a text removes it, so the shipped default applies again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.domain.booking import ChangedBy
from hub.domain.errors import ValidationError
from hub.domain.model import require_aware
from hub.services.calendars import get_business
from hub.services.events import record_audit
from hub.services.notification_settings import MESSAGE_KINDS
from hub.services.ports import UnitOfWork

LANGUAGES = ("es", "en")
# The editable parts: the email's subject and text, and the WhatsApp text.
PARTS = ("email.subject.txt", "email.txt", "whatsapp.txt")
MAX_LENGTH = {"email.subject.txt": 200, "email.txt": 4000, "whatsapp.txt": 1000}
MAX_URL = 500
# What every message may say; the rest depend on the kind.
COMMON = (
    "customer_name",
    "business_name",
    "service_name",
    "title",
    "resource_name",
    "date_text",
    "short_date_text",
    "time_text",
    "end_time_text",
    "zone_name",
    "when_text",
    "address",
    "price_text",
    "notes",
    "manage_url",
    "meeting_url",
    "business_whatsapp",
)
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "received": COMMON,
    "confirmed": (
        *COMMON,
        "deposit_text",
        "receipt",
    ),
    "rescheduled": (*COMMON, "previous_date_text", "previous_time_text"),
    "cancelled": (
        *COMMON,
        "cancel_reason",
        "receipt",
    ),
    "expired": COMMON,
    "reminder": (
        *COMMON,
        "days_until",
    ),
    "thank_you": (
        *COMMON,
        "survey_url",
    ),
}
_OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_TOKEN = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_TAG = re.compile(r"\{%-?\s*([A-Za-z_]+)")
_BLOCKS = ("if", "for", "with", "filter", "raw", "macro", "call", "block")
_EXPRESSION = re.compile(r"\{\{-?\s*([A-Za-z_][A-Za-z0-9_]*)")
# A checker the adapter supplies (the message engine's own parse); raises ValidationError.
Check = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class MessageTexts:
    texts: dict[str, str]  # "<language>/<kind>.<part>" -> the business's own text
    survey_url: str | None


def template_name(language: str, kind: str, part: str) -> str:
    return f"{language}/{kind}.{part}"


def read_texts(settings: dict[str, Any]) -> MessageTexts:
    raw = settings.get("templates")
    texts = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    survey = settings.get("survey_url")
    return MessageTexts(texts, str(survey) if survey else None)


def get_texts(uow: UnitOfWork, business_id: str) -> MessageTexts:
    with uow:
        return read_texts(get_business(uow, business_id).settings)


def check_text(kind: str, part: str, source: str) -> None:
    """Refuse unbalanced braces, unknown placeholders and over-long texts, naming them."""
    if kind not in PLACEHOLDERS:
        raise ValidationError(f"unknown message {kind!r}", field="kind")
    if part not in PARTS:
        raise ValidationError(f"unknown part {part!r}", field="part")
    if len(source) > MAX_LENGTH[part]:
        raise ValidationError(
            f"the text is {len(source)} characters long; at most {MAX_LENGTH[part]}",
            field="text",
        )
    if not source.strip():
        raise ValidationError("the text is empty (use reset for the default)", field="text")
    expected: str | None = None
    for match in _TOKEN.finditer(source):
        token = match.group()
        if expected is None and token in _OPENERS:
            expected = _OPENERS[token]
        elif token == expected:
            expected = None
        elif expected is None or token in _OPENERS:
            line = source.count("\n", 0, match.start()) + 1
            raise ValidationError(f"unbalanced braces: {token!r} on line {line}", field="text")
    if expected is not None:
        raise ValidationError(f"unbalanced braces: {expected!r} missing", field="text")
    _check_blocks(source)
    allowed = set(PLACEHOLDERS[kind])
    for name in _EXPRESSION.findall(source):
        if name not in allowed:
            raise ValidationError(f"unknown placeholder {{{{ {name} }}}}", field="text")


def _check_blocks(source: str) -> None:
    """Every ``{% if %}`` (``for``…) closed by its own ``{% endif %}``, in order."""
    open_blocks: list[str] = []
    for tag in _TAG.findall(source):
        if tag in _BLOCKS:
            open_blocks.append(tag)
        elif tag.startswith("end"):
            if not open_blocks or open_blocks[-1] != tag[3:]:
                raise ValidationError(f"{{% {tag} %}} closes nothing", field="text")
            open_blocks.pop()
    if open_blocks:
        raise ValidationError(f"{{% {open_blocks[-1]} %}} is never closed", field="text")


def _valid_url(url: str) -> str | None:
    url = url.strip()
    if not url:
        return None
    if len(url) > MAX_URL or not re.fullmatch(r"https?://[^\s<>\"']+\.[^\s<>\"']+", url):
        raise ValidationError("the survey link is a web address (https://…)", field="survey_url")
    return url


def set_text(
    uow: UnitOfWork,
    business_id: str,
    *,
    language: str,
    kind: str,
    part: str,
    source: str | None,
    check: Check | None = None,
    by: ChangedBy,
    now: datetime,
) -> MessageTexts:
    """Save the business's text for one message part (``None``: back to the default)."""
    require_aware(now, "now")
    if language not in LANGUAGES:
        raise ValidationError(f"unknown language {language!r}", field="language")
    if kind not in MESSAGE_KINDS:
        raise ValidationError(f"unknown message {kind!r}", field="kind")
    name = template_name(language, kind, part)
    if source is not None:
        source = source.replace("\r\n", "\n")
        check_text(kind, part, source)
        if check is not None:
            check(name, source)
    elif part not in PARTS:
        raise ValidationError(f"unknown part {part!r}", field="part")
    with uow:
        business = get_business(uow, business_id)
        texts = dict(read_texts(business.settings).texts)
        if source is None:
            texts.pop(name, None)
        else:
            texts[name] = source
        business.settings = {**business.settings, "templates": texts}
        uow.businesses.update(business)
        record_audit(
            uow,
            business_id=business_id,
            entity="business",
            entity_id=business_id,
            action="message_text_reset" if source is None else "message_text_changed",
            by=by,
            now=now,
            data={"template": name},
        )
        uow.commit()
        return read_texts(business.settings)


def set_survey_url(
    uow: UnitOfWork, business_id: str, url: str, *, by: ChangedBy, now: datetime
) -> MessageTexts:
    """The survey link the thank-you message carries (empty: none)."""
    require_aware(now, "now")
    found = _valid_url(url)
    with uow:
        business = get_business(uow, business_id)
        settings = {k: v for k, v in business.settings.items() if k != "survey_url"}
        if found:
            settings["survey_url"] = found
        business.settings = settings
        uow.businesses.update(business)
        record_audit(
            uow,
            business_id=business_id,
            entity="business",
            entity_id=business_id,
            action="survey_url_changed",
            by=by,
            now=now,
            data={"survey_url": found},
        )
        uow.commit()
        return read_texts(business.settings)
