"""What the webhook routes take and answer: the JSON schemas of the OpenAPI document, and a
subscription and a delivery (with its attempts) as the answers show them."""

from __future__ import annotations

from typing import Any

from connectors.crm_webhooks import store
from connectors.crm_webhooks.messages import EVENT_TYPES
from connectors.crm_webhooks.models import AttemptRow, DeliveryRow, SubscriptionRow
from hub.api.registry import Call
from hub.api.render import BOOL, INT, STR, at
from hub.api.schemas import DATE_TIME, ID, TEXT, Schema, array, enum, nullable, obj
from hub.services.calendars import get_business

URL: Schema = {"type": "string", "minLength": 8, "maxLength": 2000}
EVENT_TYPE = enum([*EVENT_TYPES, "*"])
WEBHOOK_IN = obj(
    {
        "url": URL,
        "event_types": array(EVENT_TYPE, max_items=20),
        "description": TEXT,
        "active": BOOL,
    }
)

WEBHOOK_SCHEMA = obj(
    {
        "id": ID,
        "url": STR,
        "event_types": array(STR),
        "description": STR,
        "active": BOOL,
        "disabled_at": nullable(DATE_TIME),
        "disabled_reason": STR,
        "failing_since": nullable(DATE_TIME),
        "previous_secret_valid_until": nullable(DATE_TIME),
        "created_at": DATE_TIME,
        "updated_at": DATE_TIME,
    },
    ("id", "url", "event_types", "active", "created_at"),
    closed=False,
)
WITH_SECRET_SCHEMA = {
    **WEBHOOK_SCHEMA,
    "properties": {**WEBHOOK_SCHEMA["properties"], "secret": STR},
    "required": [*WEBHOOK_SCHEMA["required"], "secret"],
}
ATTEMPT_SCHEMA = obj(
    {
        "attempt": INT,
        "at": DATE_TIME,
        "status_code": nullable(INT),
        "latency_ms": INT,
        "response": STR,
        "error": STR,
    },
    ("attempt", "at", "status_code", "latency_ms"),
    closed=False,
)
DELIVERY_SCHEMA = obj(
    {
        "id": STR,
        "event_id": STR,
        "event_type": STR,
        "status": enum(["pending", "delivered", "failed"]),
        "attempts": INT,
        "next_attempt_at": nullable(DATE_TIME),
        "last_status_code": nullable(INT),
        "last_error": STR,
        "created_at": DATE_TIME,
        "finished_at": nullable(DATE_TIME),
        "log": array(ATTEMPT_SCHEMA),
    },
    ("id", "event_type", "status", "attempts", "created_at", "log"),
    closed=False,
)


def business_timezone(call: Call) -> str:
    with call.hub.uow() as uow:
        return get_business(uow, call.business_id).timezone


def webhook(row: SubscriptionRow, tz: str, *, secret: bool = False) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": row.id,
        "url": row.url,
        "event_types": list(row.event_types) or ["*"],
        "description": row.description,
        "active": row.active,
        "disabled_at": at(row.disabled_at, tz),
        "disabled_reason": row.disabled_reason,
        "failing_since": at(row.failing_since, tz),
        "previous_secret_valid_until": at(row.previous_secret_expires_at, tz),
        "created_at": at(row.created_at, tz),
        "updated_at": at(row.updated_at, tz),
    }
    if secret:
        shown["secret"] = row.secret
    return shown


def delivery(row: DeliveryRow, log: list[AttemptRow], tz: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "event_id": row.event_id,
        "event_type": row.event_type,
        "status": row.status,
        "attempts": row.attempts,
        "next_attempt_at": at(row.next_attempt_at, tz) if row.status == store.PENDING else None,
        "last_status_code": row.last_status_code,
        "last_error": row.last_error,
        "created_at": at(row.created_at, tz),
        "finished_at": at(row.finished_at, tz),
        "log": [
            {
                "attempt": a.attempt,
                "at": at(a.at, tz),
                "status_code": a.status_code,
                "latency_ms": a.latency_ms,
                "response": a.response_head,
                "error": a.error,
            }
            for a in log
        ],
    }


REPLAYED_SCHEMA = obj({"replayed": INT, "ids": array(STR)}, ("replayed", "ids"), closed=False)
