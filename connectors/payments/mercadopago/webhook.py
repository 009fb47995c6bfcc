"""MercadoPago notifications of one business: ``x-signature`` checked with the SDK's
``WebhookSignatureValidator`` (HMAC manifest ``id:…;request-id:…;ts:…;``, five minutes of
tolerance); then the payment is fetched from the API — the notification itself carries only
an id — and only what the API says is recorded: approved → paid; its refunds (made by us, or
by the business in MercadoPago's dashboard, full or partial) → the ones not recorded yet.

Answers ``(status, code)``: 400 for a bad signature, a stale timestamp or an amount that is
not the deposit; 404 for a booking or payment unknown to this business; 409 for a refund of a
payment we never saw paid (all logged; nothing changes); 502 when the API cannot be reached
(MercadoPago delivers again later).
"""

from __future__ import annotations

import logging

from mercadopago.webhook import InvalidWebhookSignatureError, WebhookSignatureValidator

from connectors.payments.mercadopago.provider import NAME, MercadoPagoProvider
from hub.domain.errors import IllegalTransitionError, NotFoundError, ValidationError
from hub.domain.payments import PaymentStatus
from hub.services.bound import Services
from hub.services.payment_ports import PaymentProviderError
from hub.services.payments import PaidReport

log = logging.getLogger(__name__)
TOLERANCE_SECONDS = 300
REFUNDABLE = frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED})


def handle_notification(
    core: Services,
    provider: MercadoPagoProvider,
    *,
    business_id: str,
    data_id: str | None,
    topic: str | None,
    signature: str | None,
    request_id: str | None,
    secret: str,
) -> tuple[int, str]:
    if not signature or not signature.isascii():
        # The SDK compares with compare_digest, which raises TypeError on non-ASCII text.
        log.warning(
            "mercadopago notification for business %s refused: unreadable signature", business_id
        )
        return 400, "bad_signature"
    try:
        WebhookSignatureValidator.validate(
            signature,
            request_id,
            data_id,
            secret,
            tolerance_seconds=TOLERANCE_SECONDS,
            now=lambda: int(core.now().timestamp() * 1000),
        )
    except InvalidWebhookSignatureError as exc:
        log.warning(
            "mercadopago notification %s for business %s refused: %s",
            request_id,
            business_id,
            exc.reason.value,
        )
        return 400, "bad_signature"
    if topic != "payment" or not data_id:
        return 200, "ignored"
    try:
        payment = provider.fetch_payment(data_id)
    except PaymentProviderError as exc:
        log.warning("mercadopago payment %s could not be fetched: %s", data_id, exc)
        return 502, "provider_unreachable"
    booking_id = payment.booking_id or ""
    try:
        if payment.status is PaymentStatus.SUCCEEDED:
            report = PaidReport(
                business_id=business_id,
                booking_id=booking_id,
                provider=NAME,
                provider_payment_id=payment.provider_payment_id,
                amount_minor=payment.amount_minor,
                currency=payment.currency,
            )
            outcome = core.record_paid(report).value
            if not payment.refunds:
                return 200, outcome
        if payment.refunds and payment.status in REFUNDABLE:
            added = core.record_provider_refunds(business_id, NAME, payment)
            return 200, "refunded" if added else "duplicate"
        if payment.status is PaymentStatus.FAILED:
            core.record_failed(business_id, booking_id)
            return 200, "failed"
    except NotFoundError:
        log.warning(
            "mercadopago payment %s (booking %r) unknown to business %s refused",
            data_id,
            booking_id,
            business_id,
        )
        return 404, "unknown_booking"
    except IllegalTransitionError as exc:
        log.warning("mercadopago refund of payment %s refused: %s", data_id, exc)
        return 409, "not_paid"
    except ValidationError as exc:
        log.warning("mercadopago payment %s refused: %s %s", data_id, exc, exc.details)
        return 400, "amount_mismatch"
    return 200, "ignored"
