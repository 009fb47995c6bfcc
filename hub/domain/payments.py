"""Payments: the deposit ("seña") a client pays for a booking, as its own record — provider,
the provider's ids, amount in minor units, currency, status and refunds. Never a flag on the
booking.

``pending → succeeded → refunded``; ``pending → failed`` (the client may still pay through the
same checkout until the hold runs out). Each change is idempotent: recording the same success
or the same refund twice changes nothing and says so. Talking to providers and deciding when
to refund are the use cases' (``hub.services.payments``, ``hub.services.refunds``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from hub.domain.errors import IllegalTransitionError, ValidationError
from hub.domain.model import new_id, require_aware

# ISO 4217 currencies without minor units that the providers we support settle in.
ZERO_DECIMAL = frozenset({"CLP", "JPY", "KRW", "PYG", "UYI", "VND", "XAF", "XOF"})


def minor_exponent(currency: str) -> int:
    return 0 if currency.upper() in ZERO_DECIMAL else 2


def to_minor(amount: Decimal | float | str, currency: str) -> int:
    """A provider's decimal amount (``12.5`` ARS) in minor units (``1250``)."""
    scale = Decimal(10) ** minor_exponent(currency)
    value = (Decimal(str(amount)) * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(value)


def to_major(amount_minor: int, currency: str) -> Decimal:
    """Minor units as the decimal amount providers that want one expect (``12.50``)."""
    return Decimal(amount_minor) / (Decimal(10) ** minor_exponent(currency))


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"  # checkout created, not paid yet
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # an attempt was declined; the checkout may still be paid
    REFUNDED = "refunded"


class PaymentProviderName(enum.StrEnum):
    STRIPE = "stripe"
    MERCADOPAGO = "mercadopago"


@dataclass(frozen=True, slots=True)
class Refund:
    provider_refund_id: str
    amount_minor: int
    at: datetime
    reason: str = ""


@dataclass(slots=True)
class Payment:
    """The deposit of one booking at one provider."""

    business_id: str
    booking_id: str
    provider: str
    amount_minor: int
    currency: str
    created_at: datetime
    status: PaymentStatus = PaymentStatus.PENDING
    checkout_id: str | None = None  # Stripe Checkout Session / MercadoPago preference
    checkout_url: str | None = None
    provider_payment_id: str | None = None  # Stripe PaymentIntent / MercadoPago payment
    paid_at: datetime | None = None
    refunds: tuple[Refund, ...] = ()
    updated_at: datetime | None = None
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if self.amount_minor <= 0:
            raise ValidationError("a payment amount must be positive", field="amount_minor")
        if self.provider not in set(PaymentProviderName):
            raise ValidationError(f"unknown payment provider {self.provider!r}", field="provider")
        self.currency = self.currency.upper()

    @property
    def refunded_minor(self) -> int:
        return sum(r.amount_minor for r in self.refunds)

    @property
    def paid(self) -> bool:
        return self.status in (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED)

    def check_amount(self, amount_minor: int, currency: str) -> None:
        """What the provider says was paid must be what was asked."""
        if amount_minor != self.amount_minor or currency.upper() != self.currency:
            raise ValidationError(
                "the amount paid is not the deposit asked for",
                field="amount",
                asked=f"{self.amount_minor} {self.currency}",
                paid=f"{amount_minor} {currency.upper()}",
            )

    def succeed(self, provider_payment_id: str, at: datetime) -> bool:
        """Record the payment as made; ``False`` when it already was (a replayed event)."""
        require_aware(at, "at")
        if self.paid:
            return False
        self.status = PaymentStatus.SUCCEEDED
        self.provider_payment_id = provider_payment_id
        self.paid_at = at
        self.updated_at = at
        return True

    def fail(self, at: datetime) -> bool:
        if self.status is not PaymentStatus.PENDING:
            return False
        self.status = PaymentStatus.FAILED
        self.updated_at = at
        return True

    def add_refund(self, refund: Refund) -> bool:
        """Record a refund; ``False`` when this refund id is already recorded."""
        if not self.paid:
            raise IllegalTransitionError(
                "only a paid deposit can be refunded",
                current=self.status.value,
                requested="refund",
            )
        if any(r.provider_refund_id == refund.provider_refund_id for r in self.refunds):
            return False
        if refund.amount_minor <= 0 or self.refunded_minor + refund.amount_minor > (
            self.amount_minor
        ):
            raise ValidationError("a refund cannot exceed what was paid", field="amount")
        self.refunds = (*self.refunds, refund)
        if self.refunded_minor >= self.amount_minor:
            self.status = PaymentStatus.REFUNDED
        self.updated_at = refund.at
        return True
