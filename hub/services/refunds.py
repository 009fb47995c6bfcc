"""Use cases of refunds: refund a paid deposit when the business's policy says so
(``refund_due``: the client cancelled in time, staff cancelled, the booking expired before
the payment landed), and record the refunds a provider reports (ours, or ones the business
made in the provider's dashboard), each once, with a ``payment.refunded`` event.

Entry points call these through the bound layer (``hub.core.refund_deposit``,
``bound_payments``). Not here: checkouts and paid reports (``payments``).
"""

from __future__ import annotations

from datetime import datetime

from hub.domain.booking import Actor, Booking, BookingStatus
from hub.domain.errors import NotFoundError, ValidationError
from hub.domain.model import Business, require_aware
from hub.domain.payments import Payment, PaymentStatus, Refund
from hub.services.calendars import get_booking, get_business
from hub.services.payment_ports import PaymentProvider, PaymentsUnitOfWork, ProviderPayment
from hub.services.payments import record_payment_event


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
