"""Senders of built emails: SMTP when configured, else ``.eml`` files in a folder (the
embedded default, shown in the console). Both behind the ``Mailer`` port.

Building messages is ``connectors.notify.mail``'s; choosing recipients and retrying is the
dispatcher's — these raise ``RetryableDeliveryError``/``PermanentDeliveryError`` subclasses.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Protocol

from connectors.notify.errors import MailRefusedError, MailUnavailableError
from hub.config import Settings


class Mailer(Protocol):
    """Delivers one finished message to the recipients in its headers."""

    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """smtplib over a fresh connection per message (the dispatcher sends few at a time)."""

    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        user: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user and self.password:
                    smtp.login(self.user, self.password)
                refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(code >= 500 for code in codes):
                raise MailRefusedError(f"recipients refused: {exc.recipients}", codes[0]) from exc
            raise MailUnavailableError(f"recipients deferred: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            text = (
                exc.smtp_error.decode("utf-8", "replace")
                if isinstance(exc.smtp_error, bytes)
                else str(exc.smtp_error)
            )
            if exc.smtp_code >= 500:
                raise MailRefusedError(f"SMTP {exc.smtp_code}: {text}", exc.smtp_code) from exc
            raise MailUnavailableError(f"SMTP {exc.smtp_code}: {text}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise MailUnavailableError(f"cannot reach {self.host}:{self.port}: {exc}") from exc
        if refused:
            raise MailRefusedError(f"some recipients refused: {refused}")


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class DirectoryMailer:
    """Writes each message as ``<Message-ID>.eml`` in ``directory`` (one file per message;
    sending the same Message-ID again overwrites it, so re-dispatch is idempotent)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: EmailMessage) -> None:
        if message["Message-ID"] is None:
            message["Message-ID"] = make_msgid()
        name = _UNSAFE.sub("_", str(message["Message-ID"]).strip("<>")) or "message"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            target = self.directory / f"{name}.eml"
            partial = target.with_suffix(".eml.tmp")
            partial.write_bytes(message.as_bytes())
            partial.replace(target)  # readers never see half a message
        except OSError as exc:
            raise MailUnavailableError(f"cannot write to {self.directory}: {exc}") from exc


def mailer_from_settings(settings: Settings) -> Mailer:
    """SMTP when ``TURNERO_SMTP_HOST`` is set, else the mail folder."""
    if settings.smtp_host:
        return SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            user=settings.smtp_user,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )
    return DirectoryMailer(settings.mail_dir)
