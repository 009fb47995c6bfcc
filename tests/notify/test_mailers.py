"""The mail folder used when no SMTP server is configured, and choosing the mailer."""

from __future__ import annotations

import email
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from connectors.notify.context import MessageChannel, MessageKind, build_context
from connectors.notify.errors import MailRefusedError
from connectors.notify.mail import OutgoingEmail, build_email
from connectors.notify.mailers import DirectoryMailer, SmtpMailer, mailer_from_settings
from connectors.notify.templates import render
from hub.config import Settings
from tests.notify.conftest import NOW, World
from tests.support.live import free_port
from tests.support.smtp import SmtpSink


def _invite(world: World, to: str, message_id: str | None = None) -> OutgoingEmail:
    context = build_context(
        world.booking,
        world.business,
        world.service,
        world.resource,
        world.customer,
        now=NOW,
        organizer_email="turnos@lavadero.example",
    )
    rendered = render(MessageKind.CONFIRMED, MessageChannel.EMAIL, "es", context)
    return build_email(
        MessageKind.CONFIRMED,
        context,
        rendered,
        to=to,
        sender="turnos@lavadero.example",
        now=NOW,
        message_id=message_id,
    )


def test_directory_mailer_writes_a_parseable_eml_once_per_message(
    tmp_path: Path, world: World
) -> None:
    mailer = DirectoryMailer(tmp_path / "outbox-mail")
    for _ in range(2):  # a re-dispatched outbox event sends the same Message-ID again
        mailer.send(
            _invite(
                world,
                "juan@example.com",
                message_id="<booking-1.confirmed.juan@lavadero.example>",
            )
        )
    files = sorted((tmp_path / "outbox-mail").iterdir())
    assert [f.name for f in files] == ["booking-1.confirmed.juan_lavadero.example.eml"]
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=default)
    assert parsed["To"] == "juan@example.com"
    assert parsed["Subject"].startswith("Turno confirmado")
    part = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    cal = Calendar.from_ical(part.get_payload(decode=True))
    assert str(cal.walk("VEVENT")[0]["UID"]) == world.booking.uid


def test_mailer_from_settings(tmp_path: Path) -> None:
    folder = mailer_from_settings(Settings.from_env({"TURNERO_DATA_DIR": str(tmp_path)}))
    assert isinstance(folder, DirectoryMailer)
    assert folder.directory == tmp_path / "outbox-mail"
    smtp = mailer_from_settings(
        Settings.from_env(
            {
                "TURNERO_SMTP_HOST": "mail.example",
                "TURNERO_SMTP_PORT": "587",
                "TURNERO_SMTP_USER": "u",
                "TURNERO_SMTP_PASSWORD": "p",
                "TURNERO_SMTP_STARTTLS": "1",
            }
        )
    )
    assert isinstance(smtp, SmtpMailer)
    assert (smtp.host, smtp.port, smtp.user, smtp.starttls) == ("mail.example", 587, "u", True)


class CountingSink(SmtpSink):
    sessions = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.sessions += 1
        session.host_name = hostname
        return responses


def test_smtp_mailer_sends_a_batch_over_one_session_and_survives_a_dropped_one(
    world: World,
) -> None:
    """Reminders go out many at a time: one SMTP session carries them. When the server has
    dropped that session in between (a restart, an idle timeout), the next message opens a
    new one and still arrives once; a refused recipient leaves the session usable."""
    sink = CountingSink("127.0.0.1", free_port(), refuse={"nadie@example.com"})
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    mailer = SmtpMailer(sink.host, sink.port, timeout=5)
    try:
        for n in range(5):
            mailer.send(_invite(world, f"cliente{n}@example.com"))
        assert len(sink.messages) == 5 and sink.sessions == 1
        with pytest.raises(MailRefusedError):
            mailer.send(_invite(world, "nadie@example.com"))
        mailer.send(_invite(world, "despues@example.com"))
        assert sink.sessions == 1 and len(sink.messages) == 6

        controller.stop()  # the server goes away with the session open
        controller = Controller(sink, hostname=sink.host, port=sink.port)
        controller.start()
        mailer.send(_invite(world, "otra-vez@example.com"))
        assert [m.rcpt_tos for m in sink.messages[-1:]] == [["otra-vez@example.com"]]
        assert len(sink.messages) == 7 and sink.sessions == 2
    finally:
        mailer.close()
        controller.stop()


@pytest.mark.parametrize(
    "body",
    [
        b"Hola\r\n.\r\nlinea con punto\r\n",  # a lone "." would end the message early
        b"..doble\r\n.inicio\r\n",
        b"sin punto al comienzo de ninguna linea\r\n",
        b"sin fin de linea",
    ],
)
def test_smtp_message_arrives_byte_for_byte(smtp_server: SmtpSink, body: bytes) -> None:
    """RFC 5321 §4.5.2: lines starting with "." are stuffed on the wire and unstuffed by the
    server, so what arrives is what was sent (aiosmtpd hands over the content without the
    final CRLF, which belongs to the terminating "." line)."""
    data = b"Subject: prueba\r\nMessage-ID: <p@lavadero.example>\r\n\r\n" + body
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, timeout=5)
    try:
        message = OutgoingEmail("turnos@lavadero.example", ("juan@example.com",), "<p@x>", data)
        mailer.send(message)
        mailer.send(message)  # the session is still in step after it
    finally:
        mailer.close()
    assert [m.rcpt_tos for m in smtp_server.messages] == [["juan@example.com"]] * 2
    for received in smtp_server.messages:
        assert received.data.rstrip(b"\r\n") == data.rstrip(b"\r\n")
