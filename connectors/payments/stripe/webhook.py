"""Stripe webhooks of one business: the signature checked with the library's
``construct_event`` (HMAC over ``t.payload``, five minutes of tolerance), then
``checkout.session.completed`` records the deposit as paid,
``payment_intent.payment_failed`` notes a declined attempt and ``charge.refunded`` records
the refunds Stripe's API lists for the PaymentIntent that we have not recorded yet (those made
in the Stripe dashboard; ours are already recorded under the same refund id).

Answers ``(status, code)``: 400 for a bad signature, a stale timestamp or an amount that is
not the deposit; 404 for a booking or payment unknown to this business; 409 for a refund of a
payment we never saw paid (all logged; nothing changes); 502 when Stripe's API cannot be
reached (Stripe delivers the event again later).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import stripe

from connectors.payments.stripe.provider import NAME, StripeProvider
from hub.domain.errors import IllegalTransitionError, NotFoundError, ValidationError
from hub.services.bound import Services
from hub.services.payment_ports import PaymentProviderError
from hub.services.payments import PaidReport

log = logging.getLogger(__name__)


def handle_event(
    core: Services,
    provider: StripeProvider,
    *,
    business_id: str,
    payload: bytes,
    signature: str | None,
    secret: str,
) -> tuple[int, str]:
    if not signature or not signature.isascii():
        # The library's compare_digest raises TypeError on non-ASCII text: refused here.
        log.warning("stripe webhook for business %s refused: unreadable signature", business_id)
        return 400, "bad_signature"
    try:
        event = provider.client.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError as exc:
        log.warning("stripe webhook for business %s refused: %s", business_id, exc)
        return 400, "bad_signature"
    except ValueError:
        return 400, "bad_payload"
    obj: dict[str, Any] = json.loads(payload)["data"]["object"]
    metadata = obj.get("metadata") or {}
    booking_id = str(metadata.get("booking_id") or "")
    try:
        if event.type == "checkout.session.completed":
            if obj.get("payment_status") != "paid":
                return 200, "not_paid_yet"  # delayed methods: async_payment_succeeded follows
            return _paid(core, business_id, booking_id, obj)
        if event.type == "checkout.session.async_payment_succeeded":
            return _paid(core, business_id, booking_id, obj)
        if event.type == "charge.refunded":
            return _refunded(core, provider, business_id, str(obj.get("payment_intent") or ""))
        if event.type == "payment_intent.payment_failed" and booking_id:
            core.record_failed(business_id, booking_id)
            return 200, "failed"
    except NotFoundError:
        log.warning(
            "stripe event %s for unknown booking %r of business %s refused",
            event.id,
            booking_id,
            business_id,
        )
        return 404, "unknown_booking"
    return 200, "ignored"


def _paid(
    core: Services, business_id: str, booking_id: str, obj: dict[str, Any]
) -> tuple[int, str]:
    report = PaidReport(
        business_id=business_id,
        booking_id=booking_id,
        provider=NAME,
        provider_payment_id=str(obj.get("payment_intent") or obj.get("id")),
        amount_minor=int(obj.get("amount_total") or 0),
        currency=str(obj.get("currency") or "").upper(),
    )
    try:
        outcome = core.record_paid(report)
    except ValidationError as exc:
        log.warning("stripe payment for booking %s refused: %s %s", booking_id, exc, exc.details)
        return 400, "amount_mismatch"
    return 200, outcome.value


def _refunded(
    core: Services, provider: StripeProvider, business_id: str, payment_intent: str
) -> tuple[int, str]:
    # Unknown here (a sale of the same Stripe account made outside Turnero, or another
    # business's): refused before asking Stripe anything.
    if not payment_intent or core.find_provider_payment(business_id, NAME, payment_intent) is None:
        log.warning(
            "stripe refund of unknown payment %r for business %s refused",
            payment_intent,
            business_id,
        )
        return 404, "unknown_payment"
    try:
        reported = provider.fetch_payment(payment_intent)
        added = core.record_provider_refunds(business_id, NAME, reported)
    except PaymentProviderError as exc:
        log.warning("stripe payment %s could not be fetched: %s", payment_intent, exc)
        return 502, "provider_unreachable"
    except NotFoundError:
        log.warning("stripe refund of unknown payment %r refused", payment_intent)
        return 404, "unknown_payment"
    except IllegalTransitionError as exc:
        log.warning("stripe refund of payment %s refused: %s", payment_intent, exc)
        return 409, "not_paid"
    except ValidationError as exc:
        log.warning("stripe refund of payment %s refused: %s %s", payment_intent, exc, exc.details)
        return 400, "refund_mismatch"
    return 200, "refunded" if added else "duplicate"
