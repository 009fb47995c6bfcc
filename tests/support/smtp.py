"""One SMTP server for the tests: aiosmtpd on loopback, keeping every message it accepted.

It can refuse recipients (550), defer them a number of times (451) and, once told, hold every
new recipient until released (to catch a sender in the middle of a delivery).
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from icalendar import Calendar

from tests.support.live import free_port


@dataclass(frozen=True)
class Received:
    """One message as the server accepted it."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def to(self) -> tuple[str, ...]:
        return tuple(self.rcpt_tos)

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def booking_id(self) -> str:
        return str(self.message["X-Turnero-Booking-Id"])

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"]).strip()

    @property
    def event_id(self) -> str:
        return self.message_id.strip("<>").split(".", 1)[0]

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


class SmtpSink:
    """The aiosmtpd handler and what it accepted. Recipients in ``refuse`` get a 550; those
    in ``defer`` a 451 that many more times. ``hold_after``: once that many messages were
    accepted, every new RCPT waits until ``release`` is set (``holding`` tells that one is
    waiting), then gets a 451."""

    def __init__(
        self, host: str = "127.0.0.1", port: int | None = None, refuse: Iterable[str] = ()
    ) -> None:
        self.host = host
        self.port = port if port is not None else free_port()
        self.refuse: set[str] = set(refuse)
        self.defer: dict[str, int] = {}
        self.hold_after: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def count(self) -> int:
        with self._lock:
            return len(self._received)

    def per_event(self) -> Counter[tuple[str, str]]:
        """How many messages each (event, recipient) pair got."""
        return Counter((m.event_id, ",".join(m.to)) for m in self.messages)

    def start(self) -> SmtpSink:
        self._controller = Controller(self, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
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
        received = Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        with self._lock:
            self._received.append(received)
        return "250 Message accepted"


def running_smtp_sink() -> Iterator[SmtpSink]:
    """An SMTP sink on loopback for as long as the generator runs (a fixture's body)."""
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()
