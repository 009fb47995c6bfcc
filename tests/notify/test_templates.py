"""The texts clients read: the seed's WhatsApp messages, both languages, and overrides."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from connectors.notify.context import MessageChannel, MessageContext, MessageKind, build_context
from connectors.notify.templates import render, validate_override
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.errors import ValidationError
from tests.notify.conftest import NOW, World, make_world


def _context(
    world: World,
    now: datetime = NOW,
    manage_url: str | None = None,
    meeting_url: str | None = None,
) -> MessageContext:
    return build_context(
        world.booking,
        world.business,
        world.service,
        world.resource,
        world.customer,
        now=now,
        manage_url=manage_url,
        meeting_url=meeting_url,
    )


def test_whatsapp_confirmation_follows_the_seed(world: World) -> None:
    text = render(MessageKind.CONFIRMED, MessageChannel.WHATSAPP, "es", _context(world)).text
    lines = text.splitlines()
    assert lines[0] == "✅ Tu turno fue reservado!"
    assert lines[1].startswith("Martes 10 feb, 10:00")
    assert lines[1].endswith("(hora de Argentina)")
    assert lines[2:5] == ["Lavado Completo", "Av. Rivadavia 1234, CABA", "$5.000,00"]
    assert lines[-1] == "Si necesitás cancelar, respondé CANCELAR"


def test_whatsapp_reminder_says_tomorrow_or_today(world: World) -> None:
    day_before = render(MessageKind.REMINDER, MessageChannel.WHATSAPP, "es", _context(world))
    assert day_before.text.startswith("⏰ Recordatorio: Tu turno es mañana!")
    assert "Nos vemos ahí" in day_before.text
    same_day = _context(world, now=datetime(2026, 2, 10, 12, 45, tzinfo=UTC))
    assert (
        "Tu turno es hoy!"
        in render(MessageKind.REMINDER, MessageChannel.WHATSAPP, "es", same_day).text
    )
    # 23:30 UTC on the 9th is still the 9th in Buenos Aires: the booking is tomorrow there
    late = _context(world, now=datetime(2026, 2, 10, 2, 30, tzinfo=UTC))
    assert "mañana" in render(MessageKind.REMINDER, MessageChannel.WHATSAPP, "es", late).text


def test_thank_you_carries_the_business_survey_link(world: World) -> None:
    text = render(MessageKind.THANK_YOU, MessageChannel.WHATSAPP, "es", _context(world)).text
    assert text.splitlines() == [
        "✅ Gracias por elegirnos!",
        "¿Nos dejarías tu opinión? https://encuesta.example/lavadero",
    ]
    world.business.settings.clear()
    assert render(MessageKind.THANK_YOU, MessageChannel.WHATSAPP, "es", _context(world)).text == (
        "✅ Gracias por elegirnos!\n"
    )


def test_cancellation_names_the_reason(world: World) -> None:
    world.booking.cancel(NOW, ChangedBy(Actor.OPERATOR, Channel.CONSOLE), reason="Lluvia")
    context = _context(world)
    assert (
        "Motivo: Lluvia"
        in render(MessageKind.CANCELLED, MessageChannel.WHATSAPP, "es", context).text
    )
    email = render(MessageKind.CANCELLED, MessageChannel.EMAIL, "en", context)
    assert email.subject is not None and email.subject.startswith("Booking cancelled:")
    assert "Reason: Lluvia" in email.text


@pytest.mark.parametrize("kind", list(MessageKind))
@pytest.mark.parametrize("language", ["es", "en"])
def test_every_kind_renders_in_both_languages(kind: MessageKind, language: str) -> None:
    world = make_world(language=language)
    context = _context(
        world, manage_url="https://t.example/m", meeting_url="https://meet.example/x"
    )
    whatsapp = render(kind, MessageChannel.WHATSAPP, language, context)
    email = render(kind, MessageChannel.EMAIL, language, context)
    assert whatsapp.text.strip() and whatsapp.subject is None and whatsapp.html is None
    assert email.subject and "\n" not in email.subject
    assert email.html is not None and email.html.startswith("<!DOCTYPE html>")
    assert "{{" not in email.text + email.html + whatsapp.text
    assert "UTC" not in email.text + whatsapp.text


def test_business_override_replaces_one_text(world: World) -> None:
    overrides = {"confirmed.whatsapp.txt": "Listo {{ customer_name }}: {{ short_date_text }}"}
    context = _context(world)
    text = render(MessageKind.CONFIRMED, MessageChannel.WHATSAPP, "es", context, overrides).text
    assert text == "Listo Juan Pérez: Martes 10 feb\n"
    # other kinds keep the shipped text
    reminder = render(MessageKind.REMINDER, MessageChannel.WHATSAPP, "es", context, overrides)
    assert reminder.text.startswith("⏰ Recordatorio")
    # a language-specific override wins for that language only
    overrides["en/confirmed.whatsapp.txt"] = "Done!"
    assert (
        render(MessageKind.CONFIRMED, MessageChannel.WHATSAPP, "en", context, overrides).text
        == "Done!\n"
    )


def test_a_missing_link_prints_as_nothing_in_a_business_text(world: World) -> None:
    # The admin writes the survey link without an {% if %}; the business has none yet.
    overrides = {"thank_you.whatsapp.txt": "Gracias {{ customer_name }}! {{ survey_url }}"}
    context = dataclasses.replace(_context(world), survey_url=None)
    text = render(MessageKind.THANK_YOU, MessageChannel.WHATSAPP, "es", context, overrides).text
    assert "None" not in text
    assert text.strip() == "Gracias Juan Pérez!"


def test_broken_or_unsafe_override_falls_back_and_is_refused_at_save(world: World) -> None:
    context = _context(world)
    unsafe = "{{ customer_name.__class__.__mro__[1].__subclasses__() }}"
    for source in ("{{ nope }}", "{% if %}", unsafe):
        text = render(
            MessageKind.CONFIRMED,
            MessageChannel.WHATSAPP,
            "es",
            context,
            {"confirmed.whatsapp.txt": source},
        ).text
        assert text.startswith("✅ Tu turno fue reservado!")
        with pytest.raises(ValidationError):
            validate_override("confirmed.whatsapp.txt", source, context)
    with pytest.raises(ValidationError):
        validate_override("confirmed.fax.txt", "hola", context)
    validate_override("es/confirmed.email.html", "<p>{{ customer_name }}</p>", context)


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("kind", list(MessageKind))
def test_email_text_keeps_its_lines_apart(world: World, kind: MessageKind, language: str) -> None:
    """A line that ends in a condition ("mañana{% endif %}") keeps its line break, and no
    message has gaps of two empty lines."""
    context = _context(world, manage_url="https://turnero.example/t/abc")
    text = render(kind, MessageChannel.EMAIL, language, context).text
    assert "\n\n\n" not in text
    assert text.endswith("Turnero.\n") and "\n\n-- \n" in text
    if kind is MessageKind.REMINDER:
        heading = {
            "es": "⏰ Recordatorio: tu turno es mañana",
            "en": "⏰ Reminder: your booking is tomorrow",
        }
        intro = {"es": "Te esperamos en Lavadero XYZ.", "en": "See you at Lavadero XYZ."}
        lines = text.splitlines()
        assert lines[lines.index(heading[language]) + 1] == intro[language]
    if kind is MessageKind.CANCELLED:  # the reason ends its line; the details follow a gap
        reason = replace(context, cancel_reason="Lluvia")
        cancelled = render(kind, MessageChannel.EMAIL, language, reason).text
        assert "Lluvia\n\n" in cancelled


def test_every_shipped_text_passes_the_editors_check(world: World) -> None:
    """An admin who edits a shipped text a little is not refused for what we wrote: every
    placeholder our texts use is in the list the console shows for that message."""
    from importlib import resources

    from hub.services import message_texts as mt

    folder = resources.files("connectors.notify") / "templates"
    for language in mt.LANGUAGES:
        for kind in mt.PLACEHOLDERS:
            for part in mt.PARTS:
                source = (folder / language / f"{kind}.{part}").read_text()
                mt.check_text(kind, part, source)
                validate_override(f"{language}/{kind}.{part}", source, _context(world))
