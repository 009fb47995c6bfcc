"""``/api/v1/payments``: the business's payment provider settings for integrators, declared
with the API's own ``Operations`` (same bearer-key auth, error shape and OpenAPI document as
every other route); the composition root lists ``ops`` with the other connectors'.

``GET`` shows the provider chosen, which credentials are stored (never their values) and
the webhook URL to paste in each provider; ``PUT`` changes them (a secret left out keeps the
stored one; secrets are sealed with the server's encryption key, refused with 409 when there
is none). The connection test is the console's, where the provider's answer is shown to a
person.

Not here: storing (``hub.services.payment_settings``), sealing (``setup``).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from connectors.payments import setup
from hub.api.errors import ApiError
from hub.api.registry import Call, Operations
from hub.api.render import BOOL, STR
from hub.api.schemas import Schema, obj
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.model import Business
from hub.sealed import SecretKeyMissingError
from hub.services import payment_settings
from hub.services.calendars import get_business

ops = Operations("payments")
BY_API = ChangedBy(Actor.OPERATOR, Channel.API)

SECRET: Schema = {"type": "string", "minLength": 1, "maxLength": 260}
SETTINGS_IN = obj(
    {
        "provider": {"type": "string", "enum": ["", "stripe", "mercadopago"]},
        **dict.fromkeys(setup.FIELDS, SECRET),
    }
)
SETTINGS_SCHEMA = obj(
    {
        "provider": STR,
        **{f"{field}_set": BOOL for field in setup.FIELDS},
        "webhook_urls": obj({"stripe": STR, "mercadopago": STR}, ("stripe", "mercadopago")),
    },
    ("provider", "webhook_urls", *(f"{field}_set" for field in setup.FIELDS)),
    closed=False,
)


def shown(business: Business, base_url: str) -> dict[str, Any]:
    return {
        "provider": setup.chosen(business),
        **{f"{name}_set": stored for name, stored in setup.stored_secrets(business).items()},
        "webhook_urls": setup.webhook_urls(base_url, business.id),
    }


@ops.route(
    "GET",
    "/payments",
    summary="The business's payment provider settings (never its secrets)",
    responses={200: SETTINGS_SCHEMA},
)
async def get_payments(call: Call) -> Response:
    def read() -> dict[str, Any]:
        with call.hub.uow() as uow:
            business = get_business(uow, call.business_id)
        return shown(business, call.hub.settings.base_url)

    return JSONResponse(await call.run(read))


@ops.route(
    "PUT",
    "/payments",
    summary="Choose the payment provider and set its credentials",
    description='provider: stripe, mercadopago or "" (no online payment); left out keeps '
    "the one chosen. stripe_secret_key (sk_… or rk_…), stripe_webhook_secret (whsec_…), "
    "mercadopago_access_token (APP_USR-… or TEST-…) and mercadopago_webhook_secret are stored "
    "sealed and never returned; one left out keeps the stored value. Choosing a provider "
    "needs both of its credentials (422 naming the field). Each provider keeps its "
    "credentials when another is chosen, so deposits paid through it are still refunded. "
    "409 encryption_key_missing when the server has no TURNERO_ENCRYPTION_KEY.",
    body=SETTINGS_IN,
    responses={200: SETTINGS_SCHEMA},
)
async def put_payments(call: Call) -> Response:
    key = call.hub.settings.encryption_key
    body: dict[str, Any] = call.body or {}
    try:
        change = setup.change_of(body, key)
    except SecretKeyMissingError as exc:
        raise ApiError(409, "encryption_key_missing", str(exc), {}) from exc

    def save() -> dict[str, Any]:
        hub = call.hub
        business = payment_settings.save_payments(
            hub.uow(), call.business_id, change, by=BY_API, now=hub.now()
        )
        return shown(business, hub.settings.base_url)

    return JSONResponse(await call.run(save))
