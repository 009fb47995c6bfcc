"""Private endpoints for the business's own settings: name, contact WhatsApp, language,
timezone, currency and booking rules (``hub.services.business_settings`` validates them).

A change of timezone or currency while bookings are still to come answers 409
``confirm_change`` (with how many) unless the body says ``"confirm": true``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from hub.api.registry import Call, Operations
from hub.api.render import BOOL, INT, STR
from hub.api.schemas import NAME, enum, integer, nullable, obj, output
from hub.api.views import INTEGRATION
from hub.domain.model import Business
from hub.services import business_settings, setup
from hub.services.business_settings import LANGUAGES, POLICY_LIMITS, SettingsChange

ops = Operations("business")

RULES_IN = obj(
    {
        **{k: integer(0, limit) for k, limit in POLICY_LIMITS.items()},
        "slot_step_minutes": nullable(integer(1, POLICY_LIMITS["slot_step_minutes"])),
        "requires_confirmation": BOOL,
    }
)
SETTINGS_IN = obj(
    {
        "name": {**NAME, "maxLength": 120},
        "whatsapp_contact": nullable({"type": "string", "maxLength": 40}),
        "language": enum(list(LANGUAGES)),
        "timezone": {"type": "string", "minLength": 1, "maxLength": 64},
        "currency": {"type": "string", "pattern": "^[A-Za-z]{3}$"},
        "booking_rules": RULES_IN,
        "confirm": BOOL,
    }
)
SETTINGS_SCHEMA = obj(
    {
        "id": STR,
        "slug": STR,
        "name": STR,
        "whatsapp_contact": nullable(STR),
        "language": STR,
        "timezone": STR,
        "currency": STR,
        "booking_rules": obj(
            {
                **dict.fromkeys(POLICY_LIMITS, INT),
                "slot_step_minutes": nullable(INT),
                "requires_confirmation": BOOL,
            },
            closed=False,
        ),
    },
    ("id", "slug", "name", "language", "timezone", "currency", "booking_rules"),
    closed=False,
)


def settings(business: Business) -> dict[str, Any]:
    policy = business.policy
    return {
        "id": business.id,
        "slug": business.slug,
        "name": business.name,
        "whatsapp_contact": business.whatsapp_contact,
        "language": business.language,
        "timezone": business.timezone,
        "currency": business.currency,
        "booking_rules": {k: getattr(policy, k) for k in business_settings.POLICY_FIELDS},
    }


@ops.route(
    "GET",
    "/business",
    summary="The business's settings and booking rules",
    responses={200: output(SETTINGS_SCHEMA)},
)
async def get_settings(call: Call) -> Response:
    found = await call.run(setup.find_business, call.hub.uow(), business_id=call.business_id)
    return JSONResponse(settings(found))


@ops.route(
    "PATCH",
    "/business",
    summary="Change the business's settings (fields given are replaced)",
    description=(
        "Bookings already made keep their instant, price and currency. Changing the timezone "
        "or the currency while bookings are still to come needs `confirm: true` (else 409 "
        "`confirm_change`, with `upcoming`: how many)."
    ),
    body=SETTINGS_IN,
    responses={200: output(SETTINGS_SCHEMA)},
    errors=(409,),
)
async def patch_settings(call: Call) -> Response:
    body: dict[str, Any] = call.body
    change = SettingsChange(
        name=body.get("name"),
        whatsapp_contact=(
            ""
            if "whatsapp_contact" in body and body["whatsapp_contact"] is None
            else body.get("whatsapp_contact")
        ),
        language=body.get("language"),
        timezone=body.get("timezone"),
        currency=body.get("currency"),
        rules=body.get("booking_rules"),
    )
    saved = await call.run(
        business_settings.change_settings,
        call.hub.uow(),
        call.business_id,
        change,
        confirm=bool(body.get("confirm")),
        by=INTEGRATION,
        now=call.hub.now(),
    )
    return JSONResponse(settings(saved))
