"""Fixtures of the notification tests: a booking world, a real SMTP server (aiosmtpd) and a
fake WhatsApp Graph API, both on loopback."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from hub.domain.booking import Booking, BookingStatus, Invitee
from hub.domain.model import Business, Customer, Resource, Service

NOW = datetime(2026, 2, 9, 15, 0, tzinfo=UTC)


@dataclass
class World:
    business: Business
    service: Service
    resource: Resource
    customer: Customer
    booking: Booking


def make_world(
    *,
    timezone: str = "America/Argentina/Buenos_Aires",
    language: str = "es",
    country: str | None = "AR",
    currency: str = "ARS",
    start: datetime = datetime(2026, 2, 10, 13, 0, tzinfo=UTC),  # 10:00 in Buenos Aires
    status: BookingStatus = BookingStatus.CONFIRMED,
    price_minor: int = 500000,
) -> World:
    business = Business(
        slug="lavadero-xyz",
        name="Lavadero XYZ",
        timezone=timezone,
        currency=currency,
        language=language,
        country=country,
        settings={"survey_url": "https://encuesta.example/lavadero"},
    )
    service = Service(
        business_id=business.id,
        name="Lavado Completo",
        duration_minutes=60,
        price_minor=price_minor,
    )
    resource = Resource(business_id=business.id, name="Camioneta 1")
    customer = Customer(
        business_id=business.id,
        name="Juan Pérez",
        phone="+5491112345678",
        email="juan@example.com",
    )
    booking = Booking(
        business_id=business.id,
        service_id=service.id,
        resource_id=resource.id,
        customer_id=customer.id,
        start=start,
        end=start.replace(hour=start.hour + 1),
        status=status,
        created_at=NOW,
        address="Av. Rivadavia 1234, CABA",
        price_minor=price_minor,
        currency=currency,
        notes="Auto rojo, patente AB123CD",
        invitees=(Invitee("maria@example.com"),),
    )
    return World(business, service, resource, customer, booking)


@pytest.fixture
def world() -> World:
    return make_world()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class SmtpSink:
    """What the SMTP server accepted; recipients in ``refuse`` get a 550."""

    host: str
    port: int
    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        )
        return "250 Message accepted"


def running_smtp_sink() -> Iterator[SmtpSink]:
    """An aiosmtpd server on loopback for as long as the generator runs (fixture body)."""
    sink = SmtpSink("127.0.0.1", free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpSink]:
    yield from running_smtp_sink()


@dataclass
class GraphCall:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeWhatsAppGraph:
    """Stands in for graph.facebook.com's ``/{phone-number-id}/messages``: accepts messages,
    refuses numbers listed in ``not_on_whatsapp`` (400, code 131026), fails with 500 for
    numbers in ``broken``, and checks the bearer token."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[GraphCall] = []
        self.not_on_whatsapp: set[str] = set()
        self.broken: set[str] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.calls.append(GraphCall(self.path, dict(self.headers), body))
                status, answer = fake.answer(self.path, self.headers.get("Authorization"), body)
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v21.0"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def answer(
        self, path: str, authorization: str | None, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        if authorization != f"Bearer {self.token}":
            return 401, _graph_error(190, "Invalid OAuth access token.", "OAuthException")
        if not path.endswith("/messages") or body.get("messaging_product") != "whatsapp":
            return 400, _graph_error(100, "Invalid parameter", "OAuthException")
        to = str(body.get("to"))
        if to in self.broken:
            return 500, _graph_error(1, "An unknown error occurred", "OAuthException")
        if to in self.not_on_whatsapp:
            error = _graph_error(131026, "Message undeliverable", "OAuthException")
            error["error"]["error_data"] = {
                "messaging_product": "whatsapp",
                "details": "Recipient is not a WhatsApp user",
            }
            return 400, error
        number = len(self.calls)
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": f"wamid.TEST{number}"}],
        }


def _graph_error(code: int, message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf"}}


def running_graph(token: str) -> Iterator[FakeWhatsAppGraph]:
    """The fake Graph API on loopback, answering ``token``, while the generator runs."""
    fake = FakeWhatsAppGraph(token=token)
    fake.thread.start()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()


@pytest.fixture
def graph() -> Iterator[FakeWhatsAppGraph]:
    yield from running_graph("test-token")
