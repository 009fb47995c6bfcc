"""What the console and the REST API do with a business's payment settings around the core's
``hub.services.payment_settings``: seal the credentials with the hub's encryption key
(``hub.sealed``, as the WhatsApp credentials are) and read them back only where a provider is
called, check their shape before they are stored, show which ones are stored (never their
values) and the webhook URL to paste in each provider, and "test the connection" by calling
the provider with them (Stripe: the account's balance; MercadoPago: ``/users/me``).

A value without the ``fernet:`` prefix is read as it is (settings written by hand before).
"""

from __future__ import annotations

import re
from typing import Any

import stripe

from connectors.payments.mercadopago.provider import MercadoPagoProvider
from hub.config import Settings
from hub.domain.errors import ValidationError
from hub.domain.model import Business
from hub.sealed import reveal, seal
from hub.services.payment_settings import PROVIDERS, SECRETS, PaymentChange, payment_config

FIELDS = tuple(f"{provider}_{field}" for provider in PROVIDERS for field in SECRETS[provider])
# The shapes the providers hand out: Stripe secret (sk_) or restricted (rk_) keys and
# webhook signing secrets (whsec_) (https://docs.stripe.com/keys,
# https://docs.stripe.com/webhooks#verify-official-libraries); MercadoPago access tokens
# (APP_USR-… in production, TEST-… for test users;
# https://www.mercadopago.com.ar/developers/en/docs/your-integrations/credentials).
SHAPES = {
    "stripe_secret_key": re.compile(r"^(sk|rk)_[A-Za-z0-9_]{8,250}$"),
    "stripe_webhook_secret": re.compile(r"^whsec_[A-Za-z0-9_+/=]{8,250}$"),
    "mercadopago_access_token": re.compile(r"^(APP_USR|TEST)-[A-Za-z0-9_-]{4,250}$"),
    "mercadopago_webhook_secret": re.compile(r"^[ -~]{8,250}$"),
}


def credentials(settings: Settings, business: Business, provider: str) -> dict[str, str]:
    """``provider``'s credentials as stored for ``business``, in the clear ("" when unset)."""
    stored = payment_config(business).get(provider) or {}
    return {
        field: reveal(stored.get(field), settings.encryption_key)
        for field in SECRETS.get(provider, ())
    }


def chosen(business: Business) -> str:
    return str(payment_config(business).get("provider") or "")


def stored_secrets(business: Business) -> dict[str, bool]:
    config = payment_config(business)
    return {
        f"{provider}_{field}": bool(config[provider].get(field))
        for provider in PROVIDERS
        for field in SECRETS[provider]
    }


def webhook_url(base_url: str, business_id: str, provider: str) -> str:
    return f"{base_url}/connectors/payments/{provider}/webhook?business={business_id}"


def webhook_urls(base_url: str, business_id: str) -> dict[str, str]:
    return {p: webhook_url(base_url, business_id, p) for p in PROVIDERS}


def change_of(values: dict[str, Any], key: str | None) -> PaymentChange:
    """The change asked for, secrets checked and sealed (a blank one keeps the stored one).
    Raises ``ValidationError`` (``field`` named) or ``SecretKeyMissingError``."""
    sealed: dict[str, str | None] = {}
    for field in FIELDS:
        value = str(values.get(field) or "").strip()
        if value and not SHAPES[field].match(value):
            raise ValidationError(f"{field.replace('_', ' ')} has not the right shape", field=field)
        sealed[field] = seal(value, key) if value else None
    provider = values.get("provider")
    return PaymentChange(provider=None if provider is None else str(provider), **sealed)


def test_connection(settings: Settings, business: Business, provider: str) -> str:
    """Call ``provider`` with the stored credentials; what it says about the account.
    Raises ``ConnectionRefusedByProvider`` with the provider's own words."""
    found = credentials(settings, business, provider)
    if provider == "stripe":
        if not found.get("secret_key"):
            raise ValidationError("save the Stripe secret key first", field="stripe_secret_key")
        client = stripe.StripeClient(
            found["secret_key"],
            base_addresses={"api": settings.stripe_api_base} if settings.stripe_api_base else None,
        )
        try:
            balance = client.v1.balance.retrieve()
        except stripe.StripeError as exc:
            raise ConnectionRefusedByProvider(exc.user_message or str(exc)) from exc
        currencies = sorted({str(b.currency).upper() for b in balance.available})
        return " · ".join(["live" if balance.livemode else "test", *currencies])
    if provider == "mercadopago":
        if not found.get("access_token"):
            raise ValidationError(
                "save the MercadoPago access token first", field="mercadopago_access_token"
            )
        sdk = MercadoPagoProvider(found["access_token"], api_base=settings.mercadopago_api_base).sdk
        try:
            result = sdk.user().get()
        except OSError as exc:  # the SDK's requests errors are OSErrors: MercadoPago unreachable
            raise ConnectionRefusedByProvider(str(exc)) from exc
        status = int(result.get("status", 0)) if isinstance(result, dict) else 0
        body = result.get("response") if isinstance(result, dict) else None
        if not 200 <= status < 300 or not isinstance(body, dict):
            message = body.get("message") if isinstance(body, dict) else None
            raise ConnectionRefusedByProvider(str(message or f"HTTP {status}"))
        who = body.get("nickname") or body.get("email") or body.get("id")
        return " · ".join(str(part) for part in (who, body.get("site_id")) if part)
    raise ValidationError(f"{provider!r} is not a payment provider", field="provider")


class ConnectionRefusedByProvider(Exception):
    """The provider refused the stored credentials; ``str`` is its message."""
