"""Use cases of deposits: start the checkout of a pending booking's deposit, record what the
provider reports (paid, refunded) idempotently, and refund by the business's policy when a
booking is cancelled.

A paid deposit confirms the booking through ``confirm_booking`` (actor system, channel
payment), or — when the business also confirms by hand — keeps it pending, marked paid and
no longer on a hold that could expire it. Amount and currency must be what was asked; a report
for an unknown booking, or a booking of another business, is refused with ``NotFoundError``.

Ports for the payment records and the providers are here too; the providers themselves
(Stripe, MercadoPago) and their webhooks are in ``connectors.payments``.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from hub.domain.booking import Actor, Booking, BookingStatus, ChangedBy, Channel
from hub.domain.errors import NotFoundError, PolicyViolationError, ValidationError
from hub.domain.model import Business, OutboxEvent, require_aware
from hub.domain.payments import Payment, PaymentStatus, Refund
from hub.services.booking_status import confirm_booking
from hub.services.calendars import get_booking, get_business
from hub.services.events import record_audit, record_booking_event
from hub.services.ports import UnitOfWork

log = logging.getLogger(__name__)

PAYMENT = ChangedBy(Actor.SYSTEM, Channel.PAYMENT)
PAYMENT_EVENTS = frozenset({"payment.succeeded", "payment.refunded"})


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


class PaidOutcome(enum.StrEnum):
    CONFIRMED = "confirmed"  # the booking is confirmed
    AWAITING_CONFIRMATION = "awaiting_confirmation"  # paid; the business confirms by hand
    DUPLICATE = "duplicate"  # already recorded: nothing changed
    LATE = "late"  # paid after the booking stopped waiting: refund it


def start_deposit(
    uow: PaymentsUnitOfWork,
    provider: PaymentProvider,
    token: str,
    *,
    success_url: str,
    cancel_url: str,
    now: datetime,
    notification_url: str | None = None,
) -> Payment:
    """The deposit checkout of the pending booking with manage token ``token``: created at
    the provider the first time, the same one on every later call. Raises ``NotFoundError``
    (no such booking), ``PolicyViolationError`` (nothing to pay, or not payable any more)."""
    require_aware(now, "now")
    with uow:
        booking = uow.bookings.get_by_token(token)
        if booking is None:
            raise NotFoundError("no such booking", entity="booking")
        business = get_business(uow, booking.business_id)
        customer = uow.customers.get(business.id, booking.customer_id)
        service = uow.services.get(business.id, booking.service_id)
        existing = uow.payments.for_booking(business.id, booking.id)
    if existing is not None and existing.paid:
        return existing
    _check_payable(booking, now)
    if existing is not None and existing.provider == provider.name and existing.checkout_url:
        return existing  # the checkout made before (a reload of the page)
    checkout = provider.create_checkout(
        CheckoutRequest(
            business_id=business.id,
            booking_id=booking.id,
            amount_minor=booking.deposit_minor,
            currency=booking.currency,
            description=f"{service.name if service else 'Booking'} — {business.name}",
            success_url=success_url,
            cancel_url=cancel_url,
            expires_at=booking.hold_until,
            # The payer's page shows it: the address given on this booking, not the record's.
            customer_email=booking.client_of(customer).email if customer else None,
            notification_url=notification_url,
        )
    )
    with uow:
        payment = uow.payments.for_booking(business.id, booking.id)
        if payment is None or payment.provider != provider.name:
            payment = Payment(
                business_id=business.id,
                booking_id=booking.id,
                provider=provider.name,
                amount_minor=booking.deposit_minor,
                currency=booking.currency,
                created_at=now,
                updated_at=now,
            )
            uow.payments.add(payment)
        payment.checkout_id = checkout.checkout_id
        payment.checkout_url = checkout.url
        uow.payments.update(payment)
        uow.commit()
    return payment


def _check_payable(booking: Booking, now: datetime) -> None:
    if booking.deposit_minor <= 0:
        raise PolicyViolationError("this booking needs no deposit", rule="no_deposit")
    if booking.status is not BookingStatus.PENDING or (
        booking.hold_until is not None and booking.hold_until <= now
    ):
        raise PolicyViolationError("this booking is no longer waiting for payment", rule="state")


@dataclass(frozen=True, slots=True)
class PaidReport:
    """A provider says the deposit of ``booking_id`` was paid (after verifying it came from
    the provider: a signed webhook, or the payment re-fetched from its API)."""

    business_id: str
    booking_id: str
    provider: str
    provider_payment_id: str
    amount_minor: int
    currency: str


def record_paid(uow: PaymentsUnitOfWork, report: PaidReport, *, now: datetime) -> PaidOutcome:
    """Record a paid deposit and move the booking on; idempotent (a replay is ``DUPLICATE``).

    Raises ``NotFoundError`` (unknown booking or payment in this business) and
    ``ValidationError`` (amount or currency not what was asked; nothing is written)."""
    require_aware(now, "now")
    with uow:
        booking = get_booking(uow, report.business_id, report.booking_id)
        business = get_business(uow, booking.business_id)
        payment = uow.payments.for_booking(business.id, booking.id)
        if payment is None or payment.provider != report.provider:
            raise NotFoundError("no deposit was asked for this booking", entity="payment")
        payment.check_amount(report.amount_minor, report.currency)
        if not payment.succeed(report.provider_payment_id, now):
            return PaidOutcome.DUPLICATE
        uow.payments.update(payment)
        record_payment_event(uow, payment, "payment.succeeded", now=now)
        if booking.status is not BookingStatus.PENDING:
            uow.commit()
            return PaidOutcome.LATE
        if business.policy.requires_confirmation:
            # Paid: the hold no longer applies; the booking waits for the business only.
            booking.hold_until = None
            booking.edit(now)
            uow.bookings.update(booking)
            record_booking_event(
                uow, booking, "booking.updated", by=PAYMENT, now=now, data={"deposit_paid": True}
            )
            uow.commit()
            return PaidOutcome.AWAITING_CONFIRMATION
        confirm_booking(uow, business.id, booking.id, by=PAYMENT, now=now)  # commits
    return PaidOutcome.CONFIRMED


def record_failed(
    uow: PaymentsUnitOfWork, business_id: str, booking_id: str, *, now: datetime
) -> None:
    """A declined attempt: noted on the payment; the client may try again until the hold."""
    with uow:
        get_booking(uow, business_id, booking_id)
        payment = uow.payments.for_booking(business_id, booking_id)
        if payment is not None and payment.fail(now):
            uow.payments.update(payment)
            uow.commit()


def refund_due(booking: Booking, business: Business) -> bool:
    """Whether the deposit of ``booking`` goes back: by the business's refund rule when the
    client cancelled, always when staff cancelled or the booking expired before the payment
    landed, never on a no-show or a booking that went ahead."""
    if booking.status is BookingStatus.EXPIRED:
        return True
    if booking.status is not BookingStatus.CANCELLED or booking.cancelled_at is None:
        return False
    by_operator = booking.cancelled_by is not Actor.CLIENT
    return business.refund.refundable(booking.start, booking.cancelled_at, by_operator)


def refund_deposit(
    uow: PaymentsUnitOfWork,
    provider: PaymentProvider,
    business_id: str,
    booking_id: str,
    *,
    now: datetime,
    reason: str = "",
) -> Payment | None:
    """Refund the booking's paid deposit if ``refund_due`` says so; returns the refunded
    payment, or ``None`` when nothing is to be refunded (not paid, already refunded, policy).
    Safe to call again: the provider call carries an idempotency key per payment."""
    require_aware(now, "now")
    with uow:
        booking = get_booking(uow, business_id, booking_id)
        business = get_business(uow, business_id)
        payment = uow.payments.for_booking(business_id, booking_id)
    if payment is None or payment.status is not PaymentStatus.SUCCEEDED:
        return None
    if payment.provider != provider.name or not refund_due(booking, business):
        return None
    amount = payment.amount_minor - payment.refunded_minor
    refund_id = provider.refund(payment, amount, idempotency_key=f"refund-{payment.id}")
    return record_refund(
        uow,
        business_id,
        booking_id,
        refund_id=refund_id,
        amount_minor=amount,
        now=now,
        reason=reason or booking.status.value,
    )


def record_refund(
    uow: PaymentsUnitOfWork,
    business_id: str,
    booking_id: str,
    *,
    refund_id: str,
    amount_minor: int,
    now: datetime,
    reason: str = "",
) -> Payment | None:
    """Record a refund the provider made (ours, or one made in its dashboard); ``None`` when
    it was already recorded."""
    with uow:
        payment = uow.payments.for_booking(business_id, booking_id)
        if payment is None:
            raise NotFoundError("no deposit for this booking", entity="payment")
        if not payment.add_refund(Refund(refund_id, amount_minor, now, reason)):
            return None
        uow.payments.update(payment)
        record_payment_event(
            uow,
            payment,
            "payment.refunded",
            now=now,
            refund_id=refund_id,
            refund_minor=amount_minor,
        )
        uow.commit()
    return payment


def record_provider_refunds(
    uow: PaymentsUnitOfWork,
    business_id: str,
    provider: str,
    reported: ProviderPayment,
    *,
    now: datetime,
) -> tuple[Refund, ...]:
    """Record the refunds the provider reports on a payment that we have not recorded yet —
    typically made by the business in the provider's dashboard, full or partial — with a
    ``payment.refunded`` event each. Returns those newly recorded: none on a replay, or for
    a refund we made ourselves (already recorded under the same refund id).

    The payment is looked up by the provider's payment id in this business; raises
    ``NotFoundError`` when unknown, ``ValidationError`` when the currency differs or the
    refunds would exceed what was paid, ``IllegalTransitionError`` when we never saw the
    payment succeed. Nothing is written in those cases."""
    require_aware(now, "now")
    with uow:
        payment = uow.payments.by_provider_payment(
            business_id, provider, reported.provider_payment_id
        )
        if payment is None:
            raise NotFoundError("no such payment in this business", entity="payment")
        known = {r.provider_refund_id for r in payment.refunds}
        added: list[Refund] = []
        for item in reported.refunds:
            if item.provider_refund_id in known:
                continue
            if item.currency.upper() != payment.currency:
                raise ValidationError(
                    "the refund is not in the currency paid",
                    field="currency",
                    paid=payment.currency,
                    refunded=item.currency.upper(),
                )
            refund = Refund(
                item.provider_refund_id, item.amount_minor, item.created_at or now, "provider"
            )
            payment.add_refund(refund)
            known.add(item.provider_refund_id)
            added.append(refund)
        if not added:
            return ()
        uow.payments.update(payment)
        for refund in added:
            record_payment_event(
                uow,
                payment,
                "payment.refunded",
                now=now,
                refund_id=refund.provider_refund_id,
                refund_minor=refund.amount_minor,
            )
        uow.commit()
    return tuple(added)


def find_provider_payment(
    uow: PaymentsUnitOfWork, business_id: str, provider: str, provider_payment_id: str
) -> Payment | None:
    with uow:
        return uow.payments.by_provider_payment(business_id, provider, provider_payment_id)


def get_payment(uow: PaymentsUnitOfWork, business_id: str, booking_id: str) -> Payment | None:
    with uow:
        return uow.payments.for_booking(business_id, booking_id)


def record_payment_event(
    uow: PaymentsUnitOfWork, payment: Payment, event_type: str, *, now: datetime, **extra: Any
) -> OutboxEvent:
    """The audit entry and outbox event of a payment change (for CRM webhooks, email)."""
    if event_type not in PAYMENT_EVENTS:
        raise ValueError(f"unknown payment event {event_type!r}")
    payload: dict[str, Any] = {
        "payment_id": payment.id,
        "booking_id": payment.booking_id,
        "business_id": payment.business_id,
        "provider": payment.provider,
        "provider_payment_id": payment.provider_payment_id,
        "amount_minor": payment.amount_minor,
        "refunded_minor": payment.refunded_minor,
        "currency": payment.currency,
        "status": payment.status.value,
        **extra,
    }
    record_audit(
        uow,
        business_id=payment.business_id,
        entity="payment",
        entity_id=payment.id,
        action=event_type.removeprefix("payment."),
        by=PAYMENT,
        now=now,
        data=payload,
    )
    event = OutboxEvent(
        business_id=payment.business_id,
        type=event_type,
        aggregate_id=payment.booking_id,
        payload=payload,
        created_at=now,
    )
    uow.outbox.add(event)
    return event


__all__ = [
    "PAYMENT",
    "Checkout",
    "CheckoutRequest",
    "PaidOutcome",
    "PaidReport",
    "PaymentProvider",
    "PaymentProviderError",
    "PaymentRepository",
    "PaymentsUnitOfWork",
    "ProviderPayment",
    "ProviderRefund",
    "find_provider_payment",
    "get_payment",
    "record_failed",
    "record_paid",
    "record_provider_refunds",
    "record_refund",
    "refund_deposit",
    "refund_due",
    "start_deposit",
]
