"""Use cases of a business's payment provider settings: which provider takes its deposits
(Stripe, MercadoPago or none) and each provider's credentials (Stripe: secret key and webhook
signing secret; MercadoPago: access token and webhook secret) — handed in already sealed by
the adapter, never read back here.

Everything lands in ``business.settings["payments"]`` in one transaction, audited without the
secrets, in the shape the payments connector reads::

    {"provider": "stripe",
     "stripe": {"secret_key": "fernet:…", "webhook_secret": "fernet:…"},
     "mercadopago": {"access_token": "fernet:…", "webhook_secret": "fernet:…"}}

Each provider keeps its own credentials, so switching to another one leaves the old one
reachable: deposits paid through it are still refunded and its webhooks still verified.
Settings written before this shape (``secret_key``/``access_token``/``webhook_secret`` next
to ``provider``) are moved under their provider on the first save.

Not here: talking to the providers or sealing secrets (``connectors.payments``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from hub.domain.booking import ChangedBy
from hub.domain.errors import ValidationError
from hub.domain.model import Business
from hub.services.calendars import get_business
from hub.services.events import record_audit
from hub.services.ports import UnitOfWork

PROVIDERS = ("stripe", "mercadopago")
SECRETS: dict[str, tuple[str, ...]] = {
    "stripe": ("secret_key", "webhook_secret"),
    "mercadopago": ("access_token", "webhook_secret"),
}


@dataclass(frozen=True, slots=True)
class PaymentChange:
    """What the admin typed. ``provider``: ``None`` keeps the one chosen, ``""`` takes no
    deposits online. A ``None`` (or blank) secret keeps the value stored."""

    provider: str | None = None
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    mercadopago_access_token: str | None = None
    mercadopago_webhook_secret: str | None = None


def payment_config(business: Business) -> dict[str, Any]:
    """The stored settings in today's shape (older flat settings moved under their
    provider)."""
    raw = business.settings.get("payments")
    config = dict(raw) if isinstance(raw, Mapping) else {}
    provider = str(config.get("provider") or "")
    legacy = {
        k: config.pop(k) for k in ("secret_key", "access_token", "webhook_secret") if k in config
    }
    for name in PROVIDERS:
        nested = config.get(name)
        config[name] = dict(nested) if isinstance(nested, Mapping) else {}
    if provider in PROVIDERS and legacy:
        own = config[provider]
        if provider == "mercadopago" and "access_token" not in legacy and "secret_key" in legacy:
            legacy["access_token"] = legacy.pop("secret_key")
        for field in SECRETS[provider]:
            if legacy.get(field) and not own.get(field):
                own[field] = legacy[field]
    return config


def save_payments(
    uow: UnitOfWork, business_id: str, change: PaymentChange, *, by: ChangedBy, now: datetime
) -> Business:
    """Store the chosen provider and credentials; refuses an unknown provider and choosing one
    without both of its credentials (a checkout needs the key, a payment is only believed
    through a signed webhook)."""
    if change.provider is not None and change.provider not in ("", *PROVIDERS):
        raise ValidationError(f"{change.provider!r} is not a payment provider", field="provider")
    with uow:
        business = get_business(uow, business_id)
        config = payment_config(business)
        changed: list[str] = []
        for provider, fields in SECRETS.items():
            for field in fields:
                value = getattr(change, f"{provider}_{field}")
                if value:
                    config[provider][field] = value
                    changed.append(f"{provider}.{field}")
        if change.provider is not None and change.provider != config.get("provider"):
            config["provider"] = change.provider
            changed.append("provider")
        chosen = str(config.get("provider") or "")
        if chosen:
            for field in SECRETS[chosen]:
                if not config[chosen].get(field):
                    raise ValidationError(
                        f"{chosen} needs its {field.replace('_', ' ')}",
                        field=f"{chosen}_{field}",
                    )
        updated = replace(business, settings={**business.settings, "payments": config})
        uow.businesses.update(updated)
        record_audit(
            uow,
            business_id=business.id,
            entity="business",
            entity_id=business.id,
            action="payments_updated",
            by=by,
            now=now,
            data={"changed": changed, "provider": chosen},
        )
        uow.commit()
        return updated
