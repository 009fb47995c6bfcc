"""``/api/v1/whatsapp``: the business's WhatsApp settings for integrators, declared with the
API's own ``Operations`` (same bearer-key auth, error shape and OpenAPI document as every
other route); ``hub.api.routes`` lists ``ops`` with the other groups.

``GET`` shows the number, the account, which credentials are stored (never their values),
the webhook URL to paste in Meta's app and each kind's template with its last known review
status; ``PUT`` changes them (a secret left out keeps the stored one; secrets are sealed with
the server's encryption key, refused with 409 when there is none). Creating templates and
the test message are the console's, where Meta's answer is shown to a person.

Not here: storing (``hub.services.whatsapp_settings``), sealing (``secrets``).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from connectors.notify import secrets
from connectors.notify.whatsapp_setup import (
    config_of,
    stored_secrets,
    template_rows,
    webhook_url,
)
from hub.api.errors import ApiError
from hub.api.registry import Call, Operations
from hub.api.render import BOOL, STR
from hub.api.schemas import Schema, array, obj
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.model import Business
from hub.services import whatsapp_settings
from hub.services.calendars import get_business
from hub.services.notification_settings import MESSAGE_KINDS
from hub.services.whatsapp_settings import WhatsAppChange

ops = Operations("whatsapp")
BY_API = ChangedBy(Actor.OPERATOR, Channel.API)

GRAPH_ID: Schema = {"type": "string", "pattern": "^[0-9]{5,32}$"}
SECRET: Schema = {"type": "string", "minLength": 1, "maxLength": 1000}
SETTINGS_IN = obj(
    {
        "phone_number_id": GRAPH_ID,
        "waba_id": GRAPH_ID,
        "token": SECRET,
        "app_secret": SECRET,
        "verify_token": SECRET,
        "messages_off": array({"type": "string", "enum": list(MESSAGE_KINDS)}),
    }
)
TEMPLATE_SCHEMA = obj(
    {
        "kind": STR,
        "language": STR,
        "name": STR,
        "code": STR,
        "status": STR,
        "reason": STR,
    },
    ("kind", "language", "name", "code", "status"),
    closed=False,
)
SETTINGS_SCHEMA = obj(
    {
        "phone_number_id": STR,
        "waba_id": STR,
        "token_set": BOOL,
        "app_secret_set": BOOL,
        "verify_token_set": BOOL,
        "webhook_url": STR,
        "templates": array(TEMPLATE_SCHEMA),
        "messages_off": array(STR),
    },
    ("phone_number_id", "waba_id", "token_set", "webhook_url", "templates"),
    closed=False,
)


def shown(business: Business, base_url: str) -> dict[str, Any]:
    config = config_of(business)
    return {
        "phone_number_id": str(config.get("phone_number_id") or ""),
        "waba_id": str(config.get("waba_id") or ""),
        **{f"{name}_set": stored for name, stored in stored_secrets(business).items()},
        "webhook_url": webhook_url(base_url, business.id),
        "templates": template_rows(business),
        "messages_off": list(whatsapp_settings.messages_off(business)),
    }


@ops.route(
    "GET",
    "/whatsapp",
    summary="The business's WhatsApp settings (never its secrets) and template status",
    responses={200: SETTINGS_SCHEMA},
)
async def get_whatsapp(call: Call) -> Response:
    def read() -> dict[str, Any]:
        with call.hub.uow() as uow:
            business = get_business(uow, call.business_id)
        return shown(business, call.hub.settings.base_url)

    return JSONResponse(await call.run(read))


@ops.route(
    "PUT",
    "/whatsapp",
    summary="Set the WhatsApp number, account and credentials",
    description="phone_number_id and waba_id are Meta's numeric ids. token, app_secret and "
    "verify_token are stored sealed and never returned; one left out keeps the stored value. "
    "messages_off lists the message kinds that do not go by WhatsApp (email still goes); "
    "left out, it stays as it is. "
    "A number needs its access token. 409 encryption_key_missing when the server has no "
    "TURNERO_ENCRYPTION_KEY to seal secrets with.",
    body=SETTINGS_IN,
    responses={200: SETTINGS_SCHEMA},
)
async def put_whatsapp(call: Call) -> Response:
    key = call.hub.settings.encryption_key
    body: dict[str, Any] = call.body or {}

    def sealed(name: str) -> str | None:
        value = body.get(name)
        if not value:
            return None
        try:
            return secrets.seal(str(value), key)
        except secrets.SecretKeyMissingError as exc:
            raise ApiError(409, "encryption_key_missing", str(exc), {"field": name}) from exc

    change = WhatsAppChange(
        phone_number_id=body.get("phone_number_id"),
        waba_id=body.get("waba_id"),
        token=sealed("token"),
        app_secret=sealed("app_secret"),
        verify_token=sealed("verify_token"),
        messages_off=(
            tuple(str(k) for k in body["messages_off"]) if "messages_off" in body else None
        ),
    )

    def save() -> dict[str, Any]:
        hub = call.hub
        business = whatsapp_settings.save_whatsapp(
            hub.uow(), call.business_id, change, by=BY_API, now=hub.now()
        )
        return shown(business, hub.settings.base_url)

    return JSONResponse(await call.run(save))
