"""The mail folder used when no SMTP server is configured, and choosing the mailer."""

from __future__ import annotations

import email
from email.policy import default
from pathlib import Path

from icalendar import Calendar

from connectors.notify.context import MessageChannel, MessageKind, build_context
from connectors.notify.mail import build_email
from connectors.notify.mailers import DirectoryMailer, SmtpMailer, mailer_from_settings
from connectors.notify.templates import render
from hub.config import Settings
from tests.notify.conftest import NOW, World


def test_directory_mailer_writes_a_parseable_eml_once_per_message(
    tmp_path: Path, world: World
) -> None:
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
    mailer = DirectoryMailer(tmp_path / "outbox-mail")
    for _ in range(2):  # a re-dispatched outbox event sends the same Message-ID again
        message = build_email(
            MessageKind.CONFIRMED,
            context,
            rendered,
            to="juan@example.com",
            sender="turnos@lavadero.example",
            now=NOW,
            message_id="<booking-1.confirmed.juan@lavadero.example>",
        )
        mailer.send(message)
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
