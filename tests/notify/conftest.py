"""Fixtures of the notification tests: a booking world, a real SMTP server (aiosmtpd) and a
fake WhatsApp Graph API, both on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from hub.domain.booking import Booking, BookingStatus, Invitee
from hub.domain.model import Business, Customer, Resource, Service
from tests.support.smtp import SmtpSink, running_smtp_sink
from tests.support.whatsapp import FakeWhatsAppGraph, running_graph

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


@pytest.fixture
def smtp_server() -> Iterator[SmtpSink]:
    yield from running_smtp_sink()


@pytest.fixture
def graph() -> Iterator[FakeWhatsAppGraph]:
    yield from running_graph("test-token")
