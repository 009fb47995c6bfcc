"""Servers on loopback for the scheduler tests: a real SMTP server (aiosmtpd) that keeps
what it accepted and can be told to hold the next messages, and a fake WhatsApp Graph API."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from icalendar import Calendar

from tests.whatsapp_graph import FakeWhatsAppGraph


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    message: EmailMessage

    @property
    def booking_id(self) -> str:
        return str(self.message["X-Turnero-Booking-Id"])

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"]).strip()

    @property
    def event_id(self) -> str:
        return self.message_id.strip("<>").split(".", 1)[0]

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def calendar(self) -> Calendar | None:
        for part in self.message.walk():
            if part.get_content_type() == "text/calendar":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                return Calendar.from_ical(payload)
        return None

    def itip(self) -> tuple[str, str, int]:
        """(METHOD, UID, SEQUENCE) of the invite carried."""
        cal = self.calendar()
        assert cal is not None, "no text/calendar part"
        event = cal.walk("VEVENT")[0]
        return str(cal["METHOD"]), str(event["UID"]), int(event.get("SEQUENCE", 0))


class MailSink:
    """aiosmtpd handler. ``hold_after``: once that many messages were accepted, every new
    RCPT waits until ``release`` is set (``holding`` tells that one is waiting)."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self._lock = threading.Lock()
        self._mails: list[Mail] = []
        self.hold_after: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.refuse: set[str] = set()
        self.defer: dict[str, int] = {}  # address → how many more times to answer 451

    @property
    def mails(self) -> list[Mail]:
        with self._lock:
            return list(self._mails)

    def count(self) -> int:
        with self._lock:
            return len(self._mails)

    def per_event(self) -> Counter[tuple[str, str]]:
        """How many messages each (event, recipient) pair got."""
        return Counter((m.event_id, ",".join(m.to)) for m in self.mails)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.hold_after is not None and self.count() >= self.hold_after:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 4.3.0 try again later"
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        if self.defer.get(address, 0) > 0:
            self.defer[address] -= 1
            return "451 4.2.0 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self._mails.append(Mail(tuple(envelope.rcpt_tos), message))
        return "250 Message accepted"


class SmtpServer:
    def __init__(self) -> None:
        self.sink = MailSink()
        self._controller = Controller(self.sink, hostname=self.sink.host, port=self.sink.port)

    def start(self) -> MailSink:
        self._controller.start()
        return self.sink

    def stop(self) -> None:
        self.sink.release.set()
        self._controller.stop()


class FakeGraph(FakeWhatsAppGraph):
    """The fake Graph API (``tests.whatsapp_graph``) with the scheduler tests' token."""

    def __init__(self, token: str = "wa-token") -> None:
        super().__init__(token)
