"""Ports of deposits: the payment records (``PaymentRepository`` in a
``PaymentsUnitOfWork``) and a provider account (``PaymentProvider``), with the typed values
that cross them (a checkout asked for, a payment and its refunds as the provider reports them).

The providers themselves (Stripe, MercadoPago) are in ``connectors.payments``; the use cases
in ``payments`` (checkout, paid, failed) and ``refunds``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hub.domain.payments import Payment, PaymentStatus
from hub.services.ports import UnitOfWork


class PaymentProviderError(Exception):
    """The provider could not be reached or refused the call (retried by whoever called)."""


class PaymentRepository(Protocol):
    def add(self, payment: Payment) -> None: ...
    def get(self, business_id: str, payment_id: str) -> Payment | None: ...
    def for_booking(self, business_id: str, booking_id: str) -> Payment | None:
        """The booking's deposit payment (the latest, if a provider was switched)."""
        ...

    def by_provider_payment(
        self, business_id: str, provider: str, provider_payment_id: str
    ) -> Payment | None:
        """The payment the provider knows as ``provider_payment_id`` (a PaymentIntent, a
        MercadoPago payment), in this business only."""
        ...

    def update(self, payment: Payment) -> None: ...


class PaymentsUnitOfWork(UnitOfWork, Protocol):
    """The unit of work with the payment records."""

    payments: PaymentRepository


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    """What a provider's hosted checkout is asked to collect."""

    business_id: str
    booking_id: str
    amount_minor: int
    currency: str
    description: str
    success_url: str
    cancel_url: str
    expires_at: datetime | None
    customer_email: str | None = None
    notification_url: str | None = None


@dataclass(frozen=True, slots=True)
class Checkout:
    checkout_id: str
    url: str


@dataclass(frozen=True, slots=True)
class ProviderRefund:
    """A refund as the provider reports it (made by us, or by the business in its
    dashboard); refunds that failed or were cancelled are left out at the edge."""

    provider_refund_id: str
    amount_minor: int
    currency: str
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ProviderPayment:
    """A payment as the provider reports it, turned into our terms at the edge."""

    provider_payment_id: str
    status: PaymentStatus
    amount_minor: int
    currency: str
    booking_id: str | None  # Stripe metadata / MercadoPago external_reference
    refunds: tuple[ProviderRefund, ...] = ()


class PaymentProvider(Protocol):
    """A payment provider account (one business's keys)."""

    name: str

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        """A hosted checkout for the deposit; the same booking gets the same checkout."""
        ...

    def refund(self, payment: Payment, amount_minor: int, *, idempotency_key: str) -> str:
        """Refund ``amount_minor`` of ``payment``; returns the provider's refund id. The key
        makes a retried call return the first refund instead of refunding again."""
        ...

    def fetch_payment(self, provider_payment_id: str) -> ProviderPayment:
        """The payment as the provider's API reports it, with its refunds (trusted, unlike a
        notification)."""
        ...
