"""The mail folder, read-only: the ``.eml`` files written when no SMTP server is configured
(``Settings.mail_dir``, see ``connectors.notify.mailers.DirectoryMailer``), listed with subject,
recipient and date, and one message's plain text.

Only names made of safe characters and ending in ``.eml`` are ever opened, directly inside the
folder (no sub-folders, no symbolic links), so a name from a URL cannot reach another file.
Which messages a business may read (by ``X-Turnero-Booking-Id``) is decided by the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}\.eml")
MAX_BYTES = 2_000_000  # larger files are not mail this hub wrote
NEWEST = 200  # messages listed, newest first


@dataclass(frozen=True, slots=True)
class MailSummary:
    name: str
    subject: str
    recipient: str
    sent_at: datetime | None
    booking_id: str


@dataclass(frozen=True, slots=True)
class MailText:
    summary: MailSummary
    sender: str
    body: str


def _path(directory: Path, name: str) -> Path | None:
    if not SAFE_NAME.fullmatch(name):
        return None
    path = directory / name
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
    except OSError:
        return None
    return path


def _read(path: Path) -> EmailMessage | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    return parsed if isinstance(parsed, EmailMessage) else None


def _date(value: object) -> datetime | None:
    try:
        moment = parsedate_to_datetime(str(value)) if value else None
    except (TypeError, ValueError):
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _summary(name: str, message: EmailMessage) -> MailSummary:
    return MailSummary(
        name=name,
        subject=str(message.get("Subject", "")),
        recipient=str(message.get("To", "")),
        sent_at=_date(message.get("Date")),
        booking_id=str(message.get("X-Turnero-Booking-Id", "")).strip(),
    )


def list_mail(directory: Path, *, limit: int = NEWEST) -> list[MailSummary]:
    """The newest messages of the folder (none when it does not exist yet)."""
    try:
        entries = [p for p in directory.iterdir() if SAFE_NAME.fullmatch(p.name)]
    except OSError:
        return []
    dated: list[tuple[float, str]] = []
    for entry in entries:
        try:
            dated.append((entry.stat().st_mtime, entry.name))
        except OSError:
            continue
    found = []
    for _, name in sorted(dated, reverse=True)[:limit]:
        path = _path(directory, name)
        message = _read(path) if path is not None else None
        if message is not None:
            found.append(_summary(name, message))
    return found


def read_mail(directory: Path, name: str) -> MailText | None:
    """One message by its file name; ``None`` for an unsafe or unknown name."""
    path = _path(directory, name)
    message = _read(path) if path is not None else None
    if message is None:
        return None
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if isinstance(body, EmailMessage) else ""
    return MailText(_summary(name, message), str(message.get("From", "")), str(text))
