"""Fixtures of the notification tests: a booking world, a real SMTP server (aiosmtpd) and a
fake WhatsApp Graph API, both on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from hub.domain.booking import Booking, BookingStatus, Invitee
from hub.domain.model import Business, Customer, Resource, Service
from tests.whatsapp_graph import FakeWhatsAppGraph

__all__ = ["FakeWhatsAppGraph"]

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


def running_graph(token: str) -> Iterator[FakeWhatsAppGraph]:
    """The fake Graph API on loopback, answering ``token``, while the generator runs."""
    fake = FakeWhatsAppGraph(token=token).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def graph() -> Iterator[FakeWhatsAppGraph]:
    yield from running_graph("test-token")
