"""``StripeProvider``: the ``PaymentProvider`` port over one Stripe account.

Each provider holds its own ``StripeClient`` (API key and base address per instance), so no
global ``stripe.api_key`` / ``stripe.api_base`` is shared between businesses or with tests.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import stripe

from hub.domain.payments import Payment, PaymentStatus
from hub.services.payment_ports import (
    Checkout,
    CheckoutRequest,
    PaymentProviderError,
    ProviderPayment,
    ProviderRefund,
)

NAME = "stripe"
# Stripe accepts a Checkout Session expiry between 30 minutes and 24 hours from its creation
# (https://docs.stripe.com/api/checkout/sessions/create#create_checkout_session-expires_at).
# A shorter hold is enforced on our side (a payment after it is refunded); a longer one gets
# a checkout that lasts 24 hours (a minute less, for the clocks' difference).
MIN_EXPIRY = 31 * 60
MAX_EXPIRY = 24 * 3600 - 60
# A refund that failed or was cancelled gave nothing back.
REFUND_COUNTS = frozenset({"succeeded", "pending", "requires_action"})


class StripeProvider:
    name = NAME

    def __init__(self, secret_key: str, *, api_base: str | None = None) -> None:
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=2,
        )

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        metadata = {"booking_id": request.booking_id, "business_id": request.business_id}
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": request.amount_minor,
                        "product_data": {"name": request.description},
                    },
                }
            ],
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "client_reference_id": request.booking_id,
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
        }
        if request.customer_email:
            params["customer_email"] = request.customer_email
        if request.expires_at is not None:
            now = int(time.time())
            wanted = int(request.expires_at.timestamp())
            params["expires_at"] = min(max(wanted, now + MIN_EXPIRY), now + MAX_EXPIRY)
        try:
            session = self.client.v1.checkout.sessions.create(
                params,  # type: ignore[arg-type]
                {"idempotency_key": f"deposit-{request.booking_id}"},
            )
        except stripe.StripeError as exc:
            raise PaymentProviderError(f"Stripe refused the checkout: {exc}") from exc
        if not session.url:
            raise PaymentProviderError("Stripe gave no checkout URL")
        return Checkout(session.id, session.url)

    def refund(self, payment: Payment, amount_minor: int, *, idempotency_key: str) -> str:
        if not payment.provider_payment_id:
            raise PaymentProviderError("no PaymentIntent to refund")
        try:
            refund = self.client.v1.refunds.create(
                {
                    "payment_intent": payment.provider_payment_id,
                    "amount": amount_minor,
                    "metadata": {"booking_id": payment.booking_id, "payment_id": payment.id},
                },
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise PaymentProviderError(f"Stripe refused the refund: {exc}") from exc
        return refund.id

    def fetch_payment(self, provider_payment_id: str) -> ProviderPayment:
        try:
            intent = self.client.v1.payment_intents.retrieve(provider_payment_id)
        except stripe.StripeError as exc:
            raise PaymentProviderError(f"Stripe could not read the payment: {exc}") from exc
        status = {
            "succeeded": PaymentStatus.SUCCEEDED,
            "canceled": PaymentStatus.FAILED,
            "requires_payment_method": PaymentStatus.FAILED,
        }.get(intent.status, PaymentStatus.PENDING)
        metadata = intent.metadata
        return ProviderPayment(
            provider_payment_id=intent.id,
            status=status,
            amount_minor=intent.amount_received or intent.amount,
            currency=intent.currency.upper(),
            booking_id=metadata["booking_id"] if metadata and "booking_id" in metadata else None,
            refunds=self._refunds(intent.id),
        )

    def _refunds(self, payment_intent: str) -> tuple[ProviderRefund, ...]:
        try:
            listed = self.client.v1.refunds.list({"payment_intent": payment_intent, "limit": 100})
            refunds = list(listed.auto_paging_iter())
        except stripe.StripeError as exc:
            raise PaymentProviderError(f"Stripe could not list the refunds: {exc}") from exc
        return tuple(
            ProviderRefund(
                provider_refund_id=r.id,
                amount_minor=r.amount,
                currency=r.currency.upper(),
                created_at=datetime.fromtimestamp(r.created, UTC) if r.created else None,
            )
            for r in refunds
            if r.status in REFUND_COUNTS
        )
