"""Private endpoints for the business's own settings: name, contact WhatsApp, language,
timezone, currency and booking rules (``hub.services.business_settings`` validates them), and
reminders and the messages switched off (``hub.services.notification_settings``).

A change of timezone or currency while bookings are still to come answers 409
``confirm_change`` (with how many) unless the body says ``"confirm": true``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from hub.api.registry import Call, Operations
from hub.api.render import BOOL, INT, STR
from hub.api.schemas import NAME, array, enum, integer, nullable, obj, output
from hub.api.views import INTEGRATION
from hub.domain.model import Business
from hub.services import business_settings, message_texts, notification_settings, setup
from hub.services.business_settings import LANGUAGES, POLICY_LIMITS, SettingsChange

ops = Operations("business")

RULES_IN = obj(
    {
        **{k: integer(0, limit) for k, limit in POLICY_LIMITS.items()},
        "slot_step_minutes": nullable(integer(1, POLICY_LIMITS["slot_step_minutes"])),
        "no_show_after_minutes": nullable(
            {
                **integer(1, POLICY_LIMITS["no_show_after_minutes"]),
                "description": "A confirmed booking nobody checked in becomes a no-show this "
                "many minutes after its start (booking.no_show webhook); null: never by itself",
            }
        ),
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
        "deposit": obj(
            {"kind": enum(["none", "percent", "fixed"]), "value": integer(0, 10**12)},
            ("kind",),
        ),
        "refund_full_hours": integer(0, POLICY_LIMITS["client_cancel_until_hours"]),
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
                "no_show_after_minutes": nullable(INT),
                "requires_confirmation": BOOL,
            },
            closed=False,
        ),
        "deposit": obj({"kind": STR, "value": INT}, closed=False),
        "refund_full_hours": INT,
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
        "deposit": {"kind": business.deposit.kind.value, "value": business.deposit.value},
        "refund_full_hours": business.refund.full_refund_hours,
    }


def _deposit(given: dict[str, Any] | None) -> tuple[str, int] | None:
    return None if given is None else (given["kind"], given.get("value", 0))


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
        "`deposit`: none, a percentage of the price (1-100) or a fixed amount in minor units; "
        "`refund_full_hours`: a client cancelling at least this long before gets the deposit "
        "back. Bookings already made keep their instant, price and currency. Changing the timezone "
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
        deposit=(
            (body["deposit"]["kind"], body["deposit"].get("value", 0))
            if "deposit" in body
            else None
        ),
        refund_hours=body.get("refund_full_hours"),
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


REMINDER = obj(
    {
        "channel": enum(list(notification_settings.CHANNELS)),
        "minutes_before": integer(1, notification_settings.MAX_MINUTES_BEFORE),
    },
    ("channel", "minutes_before"),
)
NOTIFICATIONS = obj(
    {
        "reminders": array(REMINDER, notification_settings.MAX_REMINDERS),
        "messages_off": array(enum(list(notification_settings.MESSAGE_KINDS)), 10),
    },
    ("reminders", "messages_off"),
)


def notifications(found: notification_settings.NotificationSettings) -> dict[str, Any]:
    return {
        "reminders": [
            {"channel": r.channel, "minutes_before": r.minutes_before} for r in found.reminders
        ],
        "messages_off": list(found.messages_off),
    }


@ops.route(
    "GET",
    "/notification-settings",
    summary="When reminders go out, and which messages the business does not send",
    responses={200: output(NOTIFICATIONS)},
)
async def get_notification_settings(call: Call) -> Response:
    found = await call.run(
        notification_settings.get_notifications, call.hub.uow(), call.business_id
    )
    return JSONResponse(notifications(found))


@ops.route(
    "PUT",
    "/notification-settings",
    summary="Replace the reminders and the messages switched off",
    description=(
        "`reminders`: each by `whatsapp` or `email`, `minutes_before` the start (at most six). "
        "`messages_off`: message kinds not sent by any channel."
    ),
    body=NOTIFICATIONS,
    responses={200: output(NOTIFICATIONS)},
)
async def put_notification_settings(call: Call) -> Response:
    body: dict[str, Any] = call.body
    rules = [
        notification_settings.ReminderRule(r["channel"], r["minutes_before"])
        for r in body["reminders"]
    ]
    found = await call.run(
        lambda: notification_settings.set_notifications(
            call.hub.uow(),
            call.business_id,
            rules,
            body["messages_off"],
            by=INTEGRATION,
            now=call.hub.now(),
        )
    )
    return JSONResponse(notifications(found))


TEXT_ROW = obj(
    {
        "language": enum(list(message_texts.LANGUAGES)),
        "kind": enum(list(message_texts.PLACEHOLDERS)),
        "part": enum(list(message_texts.PARTS)),
        "text": {"type": "string", "maxLength": max(message_texts.MAX_LENGTH.values())},
    },
    ("language", "kind", "part", "text"),
)
MESSAGE_TEXTS = obj(
    {
        "texts": array(TEXT_ROW),
        "survey_url": nullable({"type": "string", "maxLength": message_texts.MAX_URL}),
        "placeholders": obj({k: array(STR) for k in message_texts.PLACEHOLDERS}, closed=False),
    },
    ("texts", "survey_url", "placeholders"),
)
TEXT_IN = obj(
    {
        **TEXT_ROW["properties"],
        "text": nullable(TEXT_ROW["properties"]["text"]),
    },
    ("language", "kind", "part", "text"),
)
SURVEY_IN = obj(
    {"survey_url": nullable({"type": "string", "maxLength": message_texts.MAX_URL})},
    ("survey_url",),
)


def texts_view(found: message_texts.MessageTexts) -> dict[str, Any]:
    rows = []
    for name, text in sorted(found.texts.items()):
        language, _, rest = name.partition("/")
        kind, _, part = rest.partition(".")
        rows.append({"language": language, "kind": kind, "part": part, "text": text})
    return {
        "texts": rows,
        "survey_url": found.survey_url,
        "placeholders": {k: list(v) for k, v in message_texts.PLACEHOLDERS.items()},
    }


@ops.route(
    "GET",
    "/message-texts",
    summary="The business's own message texts, the placeholders each message accepts, and "
    "the survey link",
    description=(
        "Only texts the business changed are listed; every other message uses the shipped "
        "text in its language. `part` is `email.subject.txt`, `email.txt` or `whatsapp.txt`."
    ),
    responses={200: output(MESSAGE_TEXTS)},
)
async def get_message_texts(call: Call) -> Response:
    found = await call.run(message_texts.get_texts, call.hub.uow(), call.business_id)
    return JSONResponse(texts_view(found))


@ops.route(
    "PUT",
    "/message-texts",
    summary="Set one message text for one language (null: back to the shipped text)",
    description=(
        "Placeholders are written `{{ name }}`, from the message's list in `placeholders`. "
        "An unknown placeholder, unbalanced braces or a text over the part's length limit "
        "(subject 200, email 4000, WhatsApp 1000 characters) answers 422 naming it; nothing "
        "is saved."
    ),
    body=TEXT_IN,
    responses={200: output(MESSAGE_TEXTS)},
)
async def put_message_text(call: Call) -> Response:
    body: dict[str, Any] = call.body
    found = await call.run(
        lambda: message_texts.set_text(
            call.hub.uow(),
            call.business_id,
            language=body["language"],
            kind=body["kind"],
            part=body["part"],
            source=body["text"],
            by=INTEGRATION,
            now=call.hub.now(),
        )
    )
    return JSONResponse(texts_view(found))


@ops.route(
    "PUT",
    "/survey-link",
    summary="The survey link the thank-you message carries (null or empty: none)",
    body=SURVEY_IN,
    responses={200: output(MESSAGE_TEXTS)},
)
async def put_survey_link(call: Call) -> Response:
    body: dict[str, Any] = call.body
    found = await call.run(
        lambda: message_texts.set_survey_url(
            call.hub.uow(),
            call.business_id,
            body["survey_url"] or "",
            by=INTEGRATION,
            now=call.hub.now(),
        )
    )
    return JSONResponse(texts_view(found))
