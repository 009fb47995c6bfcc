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
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from connectors.notify.context import MessageChannel, MessageContext, MessageKind
from hub.domain.errors import ValidationError


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    subject: str | None = None  # email only
    html: str | None = None  # email only


_OPTIONS: dict[str, Any] = {
    "undefined": jinja2.StrictUndefined,
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


@functools.lru_cache(maxsize=256)
def _compiled(source: str, html: bool) -> jinja2.Template:
    return (_HTML if html else _TEXT).from_string(source)


def _render_one(
    name: str, language: str, variables: Mapping[str, Any], overrides: Mapping[str, str]
) -> str:
    html = name.endswith(".html")
    source = overrides.get(f"{language}/{name}", overrides.get(name))
    if source is not None:
        try:
            return _compiled(source, html).render(variables).strip()
        except jinja2.TemplateError:
            pass  # validate_override refuses these at save time; never leave a client unsent
    return _shipped(f"{language}/{name}", html).render(variables).strip()


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
    found = {
        part: _render_one(
            f"{kind.value}.{channel.value}.{part}", language, variables, overrides or {}
        )
        for part in _parts(channel)
    }
    subject = found.get("subject.txt")
    return Rendered(
        text=found["txt"] + "\n",
        subject=" ".join(subject.split()) if subject is not None else None,
        html=found.get("html"),
    )


def render_invitee(kind: MessageKind, language: str, context: MessageContext) -> Rendered:
    """The email to one invitee (``invitee.email.*``, one set for every kind; not
    overridable: it must carry only what an invitee may see)."""
    variables = _variables(context)
    variables["kind"] = kind.value
    found = {
        part: _render_one(f"invitee.email.{part}", language, variables, {})
        for part in _parts(MessageChannel.EMAIL)
    }
    return Rendered(
        text=found["txt"] + "\n", subject=" ".join(found["subject.txt"].split()), html=found["html"]
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
    except jinja2.TemplateError as exc:
        raise ValidationError(f"template {name!r}: {exc}", field="template") from exc
