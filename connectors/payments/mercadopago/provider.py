"""``MercadoPagoProvider``: the ``PaymentProvider`` port over one MercadoPago account.

The SDK builds every URL from a fixed root (``https://api.mercadopago.com``); to reach
another one (a test double, a proxy) the SDK's own extension point is used: an
``HttpClient`` that swaps that root for the configured one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import mercadopago
from mercadopago.config import RequestOptions
from mercadopago.http import HttpClient

from hub.domain.payments import Payment, PaymentStatus, to_major, to_minor
from hub.services.payment_ports import (
    Checkout,
    CheckoutRequest,
    PaymentProviderError,
    ProviderPayment,
    ProviderRefund,
)

NAME = "mercadopago"
DEFAULT_ROOT = "https://api.mercadopago.com"
STATUSES = {
    "approved": PaymentStatus.SUCCEEDED,
    "rejected": PaymentStatus.FAILED,
    "cancelled": PaymentStatus.FAILED,
    "refunded": PaymentStatus.REFUNDED,
    "charged_back": PaymentStatus.REFUNDED,
}
# A refund rejected or cancelled gave nothing back.
REFUND_COUNTS = frozenset({"approved", "in_process", "authorized"})


class RootedHttpClient(HttpClient):  # type: ignore[misc]
    """The SDK's HTTP client, sending to ``root`` instead of the public API."""

    def __init__(self, root: str) -> None:
        self.root = root.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if url.startswith(DEFAULT_ROOT):
            url = self.root + url[len(DEFAULT_ROOT) :]
        return super().request(method, url, *args, **kwargs)


def _ok(result: Any, what: str) -> dict[str, Any]:
    status = int(result.get("status", 0)) if isinstance(result, dict) else 0
    body = result.get("response") if isinstance(result, dict) else None
    if not 200 <= status < 300 or not isinstance(body, dict):
        raise PaymentProviderError(f"MercadoPago refused the {what} (HTTP {status}): {body}")
    return body


class MercadoPagoProvider:
    name = NAME

    def __init__(self, access_token: str, *, api_base: str | None = None) -> None:
        client = RootedHttpClient(api_base) if api_base else None
        self.sdk = mercadopago.SDK(access_token, http_client=client)

    def _options(self, idempotency_key: str) -> RequestOptions:
        return RequestOptions(custom_headers={"x-idempotency-key": idempotency_key})

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        preference: dict[str, Any] = {
            "items": [
                {
                    "id": request.booking_id,
                    "title": request.description,
                    "quantity": 1,
                    "currency_id": request.currency,
                    "unit_price": float(to_major(request.amount_minor, request.currency)),
                }
            ],
            "external_reference": request.booking_id,
            "metadata": {"business_id": request.business_id, "booking_id": request.booking_id},
            "back_urls": {
                "success": request.success_url,
                "pending": request.success_url,
                "failure": request.cancel_url,
            },
            "auto_return": "approved",
        }
        # No ``notification_url``: the SDK deprecates it for the Webhooks configured in the
        # account, which point at ``/connectors/payments/mercadopago/webhook?business=<id>``.
        if request.customer_email:
            preference["payer"] = {"email": request.customer_email}
        if request.expires_at is not None:
            preference["expires"] = True
            preference["expiration_date_to"] = request.expires_at.isoformat(timespec="seconds")
        try:
            result = self.sdk.preference().create(
                preference, self._options(f"deposit-{request.booking_id}")
            )
        except Exception as exc:  # the SDK raises requests' errors as they come
            raise PaymentProviderError(f"MercadoPago unreachable: {exc}") from exc
        body = _ok(result, "preference")
        return Checkout(str(body["id"]), str(body["init_point"]))

    def refund(self, payment: Payment, amount_minor: int, *, idempotency_key: str) -> str:
        if not payment.provider_payment_id:
            raise PaymentProviderError("no MercadoPago payment to refund")
        amount = float(to_major(amount_minor, payment.currency))
        try:
            result = self.sdk.refund().create(
                payment.provider_payment_id, {"amount": amount}, self._options(idempotency_key)
            )
        except Exception as exc:
            raise PaymentProviderError(f"MercadoPago unreachable: {exc}") from exc
        return str(_ok(result, "refund")["id"])

    def fetch_payment(self, provider_payment_id: str) -> ProviderPayment:
        try:
            result = self.sdk.payment().get(provider_payment_id)
        except Exception as exc:
            raise PaymentProviderError(f"MercadoPago unreachable: {exc}") from exc
        body = _ok(result, "payment lookup")
        currency = str(body.get("currency_id") or "").upper()
        refunds = body.get("refunds") if isinstance(body.get("refunds"), list) else []
        return ProviderPayment(
            provider_payment_id=str(body["id"]),
            status=STATUSES.get(str(body.get("status")), PaymentStatus.PENDING),
            amount_minor=to_minor(str(body.get("transaction_amount", 0)), currency or "XXX"),
            currency=currency,
            booking_id=str(body["external_reference"]) if body.get("external_reference") else None,
            refunds=tuple(
                _refund(r, currency)
                for r in refunds or ()
                if isinstance(r, dict) and r.get("status") in REFUND_COUNTS
            ),
        )


def _refund(body: dict[str, Any], currency: str) -> ProviderRefund:
    created = body.get("date_created")
    at = datetime.fromisoformat(str(created)) if created else None
    return ProviderRefund(
        provider_refund_id=str(body["id"]),
        amount_minor=to_minor(str(body.get("amount", 0)), currency or "XXX"),
        currency=currency,
        created_at=at if at is not None and at.tzinfo is not None else None,
    )
