"""Invite emails through a real SMTP server on loopback: what Gmail, Outlook and Apple Mail
get, parsed back the way they parse it."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event

from connectors.notify.context import MessageChannel, MessageKind, build_context
from connectors.notify.errors import MailRefusedError, MailUnavailableError
from connectors.notify.mail import build_email, recipients
from connectors.notify.mailers import SmtpMailer
from connectors.notify.templates import Rendered, render
from hub.domain.booking import Actor, ChangedBy, Channel
from tests.notify.conftest import NOW, World, make_world
from tests.support.live import free_port
from tests.support.smtp import SmtpSink

SENDER = "turnos@lavadero.example"
OPERATOR = ChangedBy(Actor.OPERATOR, Channel.CONSOLE)


def _send(
    world: World,
    kind: MessageKind,
    smtp: SmtpSink,
    *,
    previous_start: datetime | None = None,
    now: datetime = NOW,
) -> EmailMessage:
    context = build_context(
        world.booking,
        world.business,
        world.service,
        world.resource,
        world.customer,
        now=now,
        manage_url="https://turnero.example/t/abc/modificar",
        previous_start=previous_start,
        organizer_email=SENDER,
    )
    rendered = render(kind, MessageChannel.EMAIL, context.language, context)
    mailer = SmtpMailer(smtp.host, smtp.port, timeout=5)
    for to in recipients(context):
        mailer.send(build_email(kind, context, rendered, to=to, sender=SENDER, now=now))
    raw = smtp.messages[-1 - (len(recipients(context)) - 1)].data
    parsed = email.message_from_bytes(raw, policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _structure(message: EmailMessage) -> tuple[str, list[str], list[str]]:
    top = message.get_content_type()
    children = list(message.iter_parts())
    alternative = [p.get_content_type() for p in children[0].iter_parts()]
    return top, [p.get_content_type() for p in children], alternative


def _calendar_parts(message: EmailMessage) -> tuple[EmailMessage, EmailMessage]:
    inline = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    attached = next(p for p in message.walk() if p.get_filename() == "invite.ics")
    assert isinstance(inline, EmailMessage) and isinstance(attached, EmailMessage)
    return inline, attached


def _event(part: EmailMessage) -> tuple[Calendar, Event]:
    cal = Calendar.from_ical(part.get_payload(decode=True))
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return cal, events[0]


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def test_booking_lifecycle_arrives_as_invite_updates(smtp_server: SmtpSink, world: World) -> None:
    # Confirmation: 10:00 in Buenos Aires, shown as 10:00 and as DTSTART;TZID
    confirmed = _send(world, MessageKind.CONFIRMED, smtp_server)
    assert smtp_server.messages[-1].rcpt_tos == ["maria@example.com"]
    assert smtp_server.messages[-2].rcpt_tos == ["juan@example.com"]
    assert confirmed["To"] == "juan@example.com"
    assert confirmed["Subject"].startswith("Turno confirmado: Lavado Completo")
    assert _structure(confirmed) == (
        "multipart/mixed",
        ["multipart/alternative", "application/ics"],
        ["text/plain", "text/html", "text/calendar"],
    )
    inline, attached = _calendar_parts(confirmed)
    assert inline.get_param("method") == "REQUEST"
    assert attached.get_content_disposition() == "attachment"
    assert inline.get_payload(decode=True) == attached.get_payload(decode=True)
    cal, event = _event(inline)
    assert str(cal["METHOD"]) == "REQUEST"
    assert event["DTSTART"].params["TZID"] == "America/Argentina/Buenos_Aires"
    assert (event.start.hour, event.start.minute) == (10, 0)
    assert event.start.utcoffset() == timedelta(hours=-3)
    assert event.start.astimezone(UTC) == world.booking.start
    assert [tz.tz_name for tz in cal.timezones] == ["America/Argentina/Buenos_Aires"]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ORGANIZER"]) == f"mailto:{SENDER}"
    assert {str(a) for a in event["ATTENDEE"]} == {
        "mailto:juan@example.com",
        "mailto:maria@example.com",
    }
    uid = str(event["UID"])
    assert event["SEQUENCE"] == 0
    text = _text(confirmed)
    assert "10:00" in text and "hora de Argentina" in text
    assert "Martes, 10 de febrero de 2026" in text
    assert "$5.000,00" in text
    assert "UTC" not in text and "13:00" not in text
    assert "https://turnero.example/t/abc/modificar" in text

    # Reminder the day before: the same invite, "mañana" in the text
    reminder = _send(world, MessageKind.REMINDER, smtp_server)
    assert reminder["Subject"].startswith("Recordatorio:")
    assert "mañana" in _text(reminder)
    _, event = _event(_calendar_parts(reminder)[0])
    assert str(event["UID"]) == uid and event["SEQUENCE"] == 0

    # Reschedule to 11:30 local: same UID, SEQUENCE + 1, the old time named in the text
    previous = world.booking.start
    new_start = datetime(2026, 2, 10, 14, 30, tzinfo=UTC)
    world.booking.reschedule(new_start, new_start + timedelta(hours=1), NOW, OPERATOR)
    moved = _send(world, MessageKind.RESCHEDULED, smtp_server, previous_start=previous)
    inline, _ = _calendar_parts(moved)
    assert inline.get_param("method") == "REQUEST"
    _, event = _event(inline)
    assert str(event["UID"]) == uid
    assert event["SEQUENCE"] == 1
    assert (event.start.hour, event.start.minute) == (11, 30)
    text = _text(moved)
    assert "Antes: Martes, 10 de febrero de 2026, 10:00" in text
    assert "11:30" in text

    # Cancellation: METHOD:CANCEL in the part and the object, same UID, higher SEQUENCE
    world.booking.cancel(NOW, OPERATOR, reason="Pronóstico de lluvia")
    cancelled = _send(world, MessageKind.CANCELLED, smtp_server)
    assert _structure(cancelled)[2] == ["text/plain", "text/html", "text/calendar"]
    inline, attached = _calendar_parts(cancelled)
    assert inline.get_param("method") == "CANCEL"
    cal, event = _event(attached)
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == uid
    assert event["SEQUENCE"] == 2
    assert str(event["STATUS"]) == "CANCELLED"
    assert "Motivo: Pronóstico de lluvia" in _text(cancelled)


def test_english_business_in_madrid_summer_time(smtp_server: SmtpSink) -> None:
    world = make_world(
        timezone="Europe/Madrid",
        language="en",
        country=None,
        currency="EUR",
        price_minor=5000,
        start=datetime(2026, 7, 1, 8, 0, tzinfo=UTC),  # 10:00 CEST
    )
    message = _send(world, MessageKind.CONFIRMED, smtp_server)
    text = _text(message)
    assert "Wednesday, July 1, 2026, 10:00" in text
    assert "Central European Time" in text
    assert "€50.00" in text
    cal, event = _event(_calendar_parts(message)[0])
    assert (event.start.hour, event.start.utcoffset()) == (10, timedelta(hours=2))
    assert [len(tz.daylight) > 0 for tz in cal.timezones] == [True]
    assert message["Content-Language"] == "en"


def test_thank_you_has_no_invite(smtp_server: SmtpSink, world: World) -> None:
    message = _send(world, MessageKind.THANK_YOU, smtp_server)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert "https://encuesta.example/lavadero" in _text(message)


def test_html_part_escapes_what_clients_typed(smtp_server: SmtpSink, world: World) -> None:
    world.customer.name = "<script>alert(1)</script>"
    message = _send(world, MessageKind.CONFIRMED, smtp_server)
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    assert "<script>" not in html.get_content()
    assert "&lt;script&gt;" in html.get_content()


def test_refused_recipient_is_permanent(smtp_server: SmtpSink, world: World) -> None:
    smtp_server.refuse.add("juan@example.com")
    with pytest.raises(MailRefusedError) as caught:
        _send(world, MessageKind.CONFIRMED, smtp_server)
    assert caught.value.code == 550
    assert not caught.value.retryable


def test_unreachable_server_is_retryable(world: World) -> None:
    context = build_context(
        world.booking, world.business, world.service, world.resource, world.customer, now=NOW
    )
    rendered = render(MessageKind.CONFIRMED, MessageChannel.EMAIL, "es", context)
    message = build_email(
        MessageKind.CONFIRMED, context, rendered, to="juan@example.com", sender=SENDER, now=NOW
    )
    with pytest.raises(MailUnavailableError) as caught:
        SmtpMailer("127.0.0.1", free_port(), timeout=2).send(message)
    assert caught.value.retryable


# Text as businesses and clients write it: accents, emoji, long lines, trailing spaces,
# "=" signs, lines starting with "." or "From ", and any kind of line break.
_PIECES = ["á", "ñ", "=", " ", ".", "From ", "😀", "\r\n", "\n", "\r", "x" * 90]
_TYPED = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=400,
) | st.lists(st.sampled_from(_PIECES))


@settings(max_examples=150, deadline=None)
@given(text=_TYPED.map(lambda v: v if isinstance(v, str) else "".join(v)))
def test_typed_text_arrives_unchanged_in_short_lines(text: str) -> None:
    world = make_world()
    context = build_context(
        world.booking, world.business, world.service, world.resource, world.customer, now=NOW
    )
    rendered = Rendered(text=text, subject="Turno", html=f"<p>{text}</p>")
    message = build_email(
        MessageKind.THANK_YOU, context, rendered, to="juan@example.com", sender=SENDER, now=NOW
    )
    raw = message.as_bytes()
    head, body = raw.split(b"\r\n\r\n", 1)
    assert all(len(line) <= 998 for line in head.split(b"\r\n"))  # RFC 5322 §2.1.1
    assert all(len(line) <= 78 for line in body.split(b"\r\n"))
    parsed = email.message_from_bytes(raw, policy=default)
    assert isinstance(parsed, EmailMessage)
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    plain = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert str(plain.get_content()).replace("\r\n", "\n") == expected
    assert str(html.get_content()).replace("\r\n", "\n") == f"<p>{expected}</p>"
