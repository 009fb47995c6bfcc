"""Message texts: Jinja2 templates per kind, channel and language, shipped as files in
``templates/<language>/`` (Spanish — Argentina — and English), overridable per business.

A template is named ``<kind>.<channel>.<part>`` with part ``subject.txt``, ``txt`` or
``html`` (email) or ``txt`` (WhatsApp), e.g. ``confirmed.whatsapp.txt``. Overrides are a
mapping from such a name — optionally prefixed by a language, ``es/confirmed.whatsapp.txt`` —
to Jinja2 source; they run in a sandbox, since business admins write them (the shipped files
are ours: they are compiled once, outside the sandbox, and never reloaded). An override that
fails to render falls back to the shipped text (a message still goes out);
``validate_override`` lets the console refuse a broken one before it is saved.

Not here: which messages to send, when, or to whom (the dispatcher), and how they travel.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from connectors.notify.context import MessageChannel, MessageContext, MessageKind
from hub.domain.errors import ValidationError


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    subject: str | None = None  # email only
    html: str | None = None  # email only


def _blank_none(value: object) -> object:
    """A value the booking does not have (no survey link, no Meet link) prints as nothing,
    never as "None", in a business's own text as in ours."""
    return "" if value is None else value


_OPTIONS: dict[str, Any] = {
    "undefined": jinja2.StrictUndefined,
    "finalize": _blank_none,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": False,
}
_LOADER = jinja2.PackageLoader("connectors.notify", "templates")

# Overrides (business admins' source): sandboxed.
_TEXT = SandboxedEnvironment(loader=_LOADER, autoescape=False, **_OPTIONS)
_HTML = SandboxedEnvironment(loader=_LOADER, autoescape=True, **_OPTIONS)
# Shipped files: plain environments, no sandbox checks and no mtime check per render. The
# text one writes plain-text parts and WhatsApp bodies, where HTML escaping would be wrong.
_SHIPPED_TEXT = jinja2.Environment(
    loader=_LOADER,
    autoescape=False,  # noqa: S701
    auto_reload=False,
    **_OPTIONS,
)
_SHIPPED_HTML = jinja2.Environment(loader=_LOADER, autoescape=True, auto_reload=False, **_OPTIONS)


def _parts(channel: MessageChannel) -> tuple[str, ...]:
    return ("subject.txt", "txt", "html") if channel is MessageChannel.EMAIL else ("txt",)


_FIELDS = tuple(f.name for f in fields(MessageContext))


def _variables(context: MessageContext) -> dict[str, Any]:
    values = {name: getattr(context, name) for name in _FIELDS}
    values["when_text"] = context.when_text
    return values


# Both shipped environments keep Jinja's default globals (``range``, ``namespace``, …).
_SHIPPED_GLOBALS = dict(_SHIPPED_TEXT.globals)


def _with_globals(variables: Mapping[str, Any]) -> dict[str, Any]:
    """The variables of a message merged with the shipped globals once, so the parts of one
    message share one context dict (``Template.render`` copies and merges them again for
    every part: a reminder's three parts took about 100 µs of CPU that way, 65 µs this way).
    Never handed to an override: the sandbox has globals of its own (a bounded ``range``)."""
    return {**_SHIPPED_GLOBALS, **variables}


def _render_shipped(template: jinja2.Template, shared: dict[str, Any]) -> str:
    context = template.new_context(shared, shared=True)
    try:
        return "".join(template.root_render_func(context))
    except Exception:
        template.environment.handle_exception()


@functools.lru_cache(maxsize=256)
def _compiled(source: str, html: bool) -> jinja2.Template:
    return (_HTML if html else _TEXT).from_string(source)


def _render_one(
    name: str,
    language: str,
    variables: Mapping[str, Any],
    overrides: Mapping[str, str],
    shared: dict[str, Any],
) -> str:
    html = name.endswith(".html")
    source = overrides.get(f"{language}/{name}", overrides.get(name))
    if source is not None:
        try:
            return _compiled(source, html).render(variables).strip()
        except Exception:  # noqa: S110 - any failure of an admin's text, e.g. a filter's TypeError
            pass  # validate_override refuses these at save time; never leave a client unsent
    return _render_shipped(_shipped(f"{language}/{name}", html), shared).strip()


@functools.lru_cache(maxsize=256)
def _shipped(name: str, html: bool) -> jinja2.Template:
    return (_SHIPPED_HTML if html else _SHIPPED_TEXT).get_template(name)


def render(
    kind: MessageKind,
    channel: MessageChannel,
    language: str,
    context: MessageContext,
    overrides: Mapping[str, str] | None = None,
) -> Rendered:
    """The texts of one message. ``language`` is a shipped language ("es" or "en")."""
    variables = _variables(context)
    shared = _with_globals(variables)
    found = {
        part: _render_one(
            f"{kind.value}.{channel.value}.{part}", language, variables, overrides or {}, shared
        )
        for part in _parts(channel)
    }
    subject = found.get("subject.txt")
    overrides = overrides or {}
    own_text = _own(overrides, language, kind, "txt")
    if channel is MessageChannel.EMAIL and own_text and not _own(overrides, language, kind, "html"):
        found["html"] = _as_html(found["txt"])  # the business's text, not ours, in HTML
    return Rendered(
        text=found["txt"] + "\n",
        subject=" ".join(subject.split()) if subject is not None else None,
        html=found.get("html"),
    )


def _own(overrides: Mapping[str, str], language: str, kind: MessageKind, part: str) -> bool:
    name = f"{kind.value}.email.{part}"
    return f"{language}/{name}" in overrides or name in overrides


def _as_html(text: str) -> str:
    """A business's plain text as the HTML part: paragraphs and line breaks, escaped."""
    paragraphs = [p for p in text.strip().split("\n\n") if p.strip()]
    return "\n".join(
        Markup("<p>{}</p>").format(Markup("<br>\n").join(p.strip().splitlines()))
        for p in paragraphs
    )


def render_invitee(
    kind: MessageKind, language: str, context: MessageContext, *, removed: bool = False
) -> Rendered:
    """The email to one invitee (``invitee.email.*``, one set for every kind; not
    overridable: it must carry only what an invitee may see); ``removed``: the one telling
    them they are no longer invited."""
    variables = _variables(context)
    variables["kind"] = "removed" if removed else kind.value
    shared = _with_globals(variables)
    found = {
        part: _render_one(f"invitee.email.{part}", language, variables, {}, shared)
        for part in _parts(MessageChannel.EMAIL)
    }
    return Rendered(
        text=found["txt"] + "\n", subject=" ".join(found["subject.txt"].split()), html=found["html"]
    )


def render_organizer(
    kind: MessageKind, channel: MessageChannel, language: str, context: MessageContext
) -> Rendered:
    """The message to the staff member who organised the booking (``organizer.<channel>.*``,
    one set for every kind; not overridable, like the invitees')."""
    variables = _variables(context)
    variables["kind"] = kind.value
    shared = _with_globals(variables)
    found = {
        part: _render_one(f"organizer.{channel.value}.{part}", language, variables, {}, shared)
        for part in _parts(channel)
    }
    subject = found.get("subject.txt")
    return Rendered(
        text=found["txt"] + "\n",
        subject=" ".join(subject.split()) if subject is not None else None,
        html=found.get("html"),
    )


def validate_override(name: str, source: str, sample: MessageContext) -> None:
    """Refuse an override that does not parse or render against ``sample`` (console use)."""
    bare = name.split("/", 1)[-1]
    kind, channel, part = [*bare.split(".", 2), "", ""][:3]
    known_kinds = {k.value for k in MessageKind}
    known_channels = {c.value for c in MessageChannel}
    if kind not in known_kinds or channel not in known_channels:
        raise ValidationError(f"unknown template {name!r}", field="template")
    if part not in _parts(MessageChannel(channel)):
        raise ValidationError(f"unknown template part {name!r}", field="template")
    try:
        _compiled(source, name.endswith(".html")).render(_variables(sample))
    except jinja2.TemplateSyntaxError as exc:
        raise ValidationError(
            f"template {name!r}, line {exc.lineno}: {exc.message}",
            field="template",
            line=exc.lineno,
        ) from exc
    except Exception as exc:  # a filter given the wrong type fails with TypeError etc.
        raise ValidationError(f"template {name!r}: {exc}", field="template") from exc


def shipped_source(language: str, name: str) -> str:
    """The source of a shipped text (what "reset" goes back to), e.g. ``confirmed.email.txt``."""
    source, _, _ = _LOADER.get_source(_SHIPPED_TEXT, f"{language}/{name}")
    return source


def sample_context(
    business_name: str, language: str, survey_url: str | None = None
) -> MessageContext:
    """A made-up booking to preview and check a business's texts against."""
    english = language == "en"
    start = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
    return MessageContext(
        booking_id="sample",
        booking_uid="sample@turnero",
        sequence=0,
        status="confirmed",
        business_name=business_name,
        language=language,
        locale="en" if english else "es_AR",
        timezone="UTC",
        service_name="Full wash" if english else "Lavado completo",
        resource_name="Bay 1" if english else "Box 1",
        customer_name="María López",
        customer_phone="+5491122334455",
        customer_email="maria@example.com",
        invitees=(),
        start=start,
        end=start.replace(hour=11),
        date_text="Tuesday, 10 March 2026" if english else "Martes, 10 de marzo de 2026",
        short_date_text="Tue 10 Mar" if english else "Martes 10 mar",
        time_text="10:00",
        end_time_text="11:00",
        zone_name="Argentina time" if english else "hora de Argentina",
        days_until=1,
        previous_date_text="Monday, 9 March 2026" if english else "Lunes, 9 de marzo de 2026",
        previous_time_text="09:00",
        address="Av. Rivadavia 1234, CABA",
        notes="",
        price_minor=500000,
        currency="ARS",
        price_text="$5.000,00",
        deposit_text=None,
        cancel_reason="",
        manage_url="https://turnero.example/book/manage/sample",
        meeting_url=None,
        survey_url=survey_url,
        business_whatsapp=None,
        organizer_email=None,
        ical_event=b"",
    )
