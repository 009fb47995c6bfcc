"""Use cases of deposits: start the checkout of a pending booking's deposit and record what
the provider reports about the payment (paid, declined) idempotently; the audit entry and
outbox event of every payment change.

A paid deposit confirms the booking through ``confirm_booking`` (actor system, channel
payment), or — when the business also confirms by hand — keeps it pending, marked paid and
no longer on a hold that could expire it. Amount and currency must be what was asked; a report
for an unknown booking, or a booking of another business, is refused with ``NotFoundError``.

Entry points call these through the bound layer (``hub.core.record_paid(report)``,
``bound_payments``), at the hub's clock. Not here: refunds (``refunds``), the ports
(``payment_ports``), the providers and their webhooks (``connectors.payments``).
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.domain.booking import Actor, Booking, BookingStatus, ChangedBy, Channel
from hub.domain.errors import NotFoundError, PolicyViolationError
from hub.domain.model import OutboxEvent, require_aware
from hub.domain.payments import Payment
from hub.services.booking_status import confirm_booking
from hub.services.calendars import get_booking, get_business
from hub.services.events import record_audit, record_booking_event
from hub.services.payment_ports import (
    CheckoutRequest,
    PaymentProvider,
    PaymentsUnitOfWork,
)

log = logging.getLogger(__name__)

PAYMENT = ChangedBy(Actor.SYSTEM, Channel.PAYMENT)
PAYMENT_EVENTS = frozenset({"payment.succeeded", "payment.refunded"})


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
