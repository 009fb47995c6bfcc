"""``/api/v1/webhooks``: the REST routes of the webhooks connector, declared with the API's
own ``Operations`` (same bearer-key auth, error shape, Idempotency-Key handling and OpenAPI
document as every other route). ``hub.app.api_registry`` adds ``ops`` after the core's groups.

Subscriptions (the secret is in the answers to create and rotate only), the delivery log,
replay of one delivery or of every failed one since a time, and a test ``ping``.

Not here: what the calls do (``subscriptions``, ``delivery``).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from connectors.crm_webhooks import store, subscriptions
from connectors.crm_webhooks.delivery import Webhooks
from connectors.crm_webhooks.events import EVENT_TYPES
from connectors.crm_webhooks.models import AttemptRow, DeliveryRow, SubscriptionRow
from connectors.crm_webhooks.subscriptions import SubscriptionChange
from hub.api import inputs
from hub.api.registry import Call, Operations, Param
from hub.api.render import BOOL, INT, STR, at
from hub.api.schemas import DATE_TIME, ID, TEXT, Schema, array, enum, integer, nullable, obj
from hub.services.calendars import get_business

ops = Operations("webhooks")

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


def _tz(call: Call) -> str:
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


def _change(body: dict[str, Any]) -> SubscriptionChange:
    return SubscriptionChange(
        url=body.get("url"),
        event_types=body.get("event_types"),
        description=body.get("description"),
        active=body.get("active"),
    )


@ops.route(
    "GET",
    "/webhooks",
    summary="Webhook subscriptions of the business (never their secrets)",
    responses={200: obj({"items": array(WEBHOOK_SCHEMA)}, ("items",), closed=False)},
)
async def list_webhooks(call: Call) -> Response:
    def read() -> dict[str, Any]:
        tz = _tz(call)
        found = subscriptions.list_all(call.hub.database, call.business_id)
        return {"items": [webhook(r, tz) for r in found]}

    return JSONResponse(await call.run(read))


@ops.route(
    "POST",
    "/webhooks",
    summary="Subscribe a URL to events; the signing secret is in this answer only",
    description="URLs must be https in production; private, loopback and link-local "
    "addresses are refused unless TURNERO_WEBHOOK_ALLOW_HOSTS allows them. "
    "event_types: omitted, empty or ['*'] means every event.",
    body={**WEBHOOK_IN, "required": ["url"]},
    responses={201: WITH_SECRET_SCHEMA},
)
async def create_webhook(call: Call) -> Response:
    def add() -> dict[str, Any]:
        hub = call.hub
        row = subscriptions.create(
            hub.database, hub.settings, call.business_id, _change(call.body), hub.now()
        )
        return webhook(row, _tz(call), secret=True)

    return JSONResponse(await call.run(add), status_code=201)


@ops.route("GET", "/webhooks/{id}", summary="One webhook", responses={200: WEBHOOK_SCHEMA})
async def get_webhook(call: Call) -> Response:
    def read() -> dict[str, Any]:
        row = subscriptions.get(call.hub.database, call.business_id, call.path["id"])
        return webhook(row, _tz(call))

    return JSONResponse(await call.run(read))


@ops.route(
    "PATCH",
    "/webhooks/{id}",
    summary="Change a webhook; active=true switches a disabled one back on",
    body=WEBHOOK_IN,
    responses={200: WEBHOOK_SCHEMA},
)
async def update_webhook(call: Call) -> Response:
    def change() -> dict[str, Any]:
        hub = call.hub
        row = subscriptions.update(
            hub.database,
            hub.settings,
            call.business_id,
            call.path["id"],
            _change(call.body),
            now=hub.now(),
        )
        return webhook(row, _tz(call))

    return JSONResponse(await call.run(change))


@ops.route(
    "DELETE",
    "/webhooks/{id}",
    summary="Delete a webhook with its delivery log",
    responses={200: WEBHOOK_SCHEMA},
)
async def delete_webhook(call: Call) -> Response:
    def remove() -> dict[str, Any]:
        row = subscriptions.delete(call.hub.database, call.business_id, call.path["id"])
        return webhook(row, _tz(call))

    return JSONResponse(await call.run(remove))


@ops.route(
    "POST",
    "/webhooks/{id}/rotate-secret",
    summary="A new signing secret (in this answer only); the old one also signs for 24 h",
    responses={200: WITH_SECRET_SCHEMA},
)
async def rotate_webhook_secret(call: Call) -> Response:
    def rotate() -> dict[str, Any]:
        hub = call.hub
        row = subscriptions.rotate_secret(
            hub.database, call.business_id, call.path["id"], hub.now()
        )
        return webhook(row, _tz(call), secret=True)

    return JSONResponse(await call.run(rotate))


def _deliveries(call: Call, rows: list[DeliveryRow]) -> list[dict[str, Any]]:
    tz = _tz(call)
    with call.hub.database.sessions() as session:
        logs = store.attempts_of(session, [r.id for r in rows])
    return [delivery(r, logs[r.id], tz) for r in rows]


@ops.route(
    "POST",
    "/webhooks/{id}/test",
    summary="Send a ping now (one attempt) and answer with its delivery and log",
    responses={200: DELIVERY_SCHEMA},
)
async def ping_webhook(call: Call) -> Response:
    def ping() -> dict[str, Any]:
        hub = call.hub
        webhooks = Webhooks(hub.database, hub.settings, clock=hub.now)
        try:
            message_id = webhooks.ping(call.business_id, call.path["id"])
        finally:
            webhooks.close()
        with hub.database.sessions() as session:
            sub = store.get_subscription(session, call.business_id, call.path["id"])
            row = store.get_delivery(session, sub, message_id)
        return _deliveries(call, [row])[0]

    return JSONResponse(await call.run(ping))


@ops.route(
    "GET",
    "/webhooks/{id}/deliveries",
    summary="The delivery log of a webhook, newest first, each with its attempts",
    query=(
        Param("status", enum(["pending", "delivered", "failed"])),
        Param("since", DATE_TIME, description="Only deliveries created at or after this time"),
        Param("limit", integer(1, 500)),
    ),
    responses={200: obj({"items": array(DELIVERY_SCHEMA)}, ("items",), closed=False)},
)
async def list_webhook_deliveries(call: Call) -> Response:
    def read() -> dict[str, Any]:
        with call.hub.database.sessions() as session:
            sub = store.get_subscription(session, call.business_id, call.path["id"])
            rows = store.list_deliveries(
                session,
                sub.id,
                status=call.query.get("status"),
                since=call.query.get("since"),
                limit=call.query.get("limit", 100),
            )
        return {"items": _deliveries(call, rows)}

    return JSONResponse(await call.run(read))


@ops.route(
    "GET",
    "/webhooks/{id}/deliveries/{delivery_id}",
    summary="One delivery (its id is the webhook-id header) with its attempts",
    responses={200: DELIVERY_SCHEMA},
)
async def get_webhook_delivery(call: Call) -> Response:
    def read() -> dict[str, Any]:
        with call.hub.database.sessions() as session:
            sub = store.get_subscription(session, call.business_id, call.path["id"])
            row = store.get_delivery(session, sub, call.path["delivery_id"])
        return _deliveries(call, [row])[0]

    return JSONResponse(await call.run(read))


REPLAYED_SCHEMA = obj({"replayed": INT, "ids": array(STR)}, ("replayed", "ids"), closed=False)


def _replayed(ids: list[str]) -> JSONResponse:
    return JSONResponse({"replayed": len(ids), "ids": ids}, status_code=202)


@ops.route(
    "POST",
    "/webhooks/{id}/deliveries/{delivery_id}/replay",
    summary="Send one delivery again, with the same webhook-id",
    responses={202: REPLAYED_SCHEMA},
    errors=(409,),
)
async def replay_webhook_delivery(call: Call) -> Response:
    def replay() -> list[str]:
        hub = call.hub
        return subscriptions.replay(
            hub.database,
            call.business_id,
            call.path["id"],
            hub.now(),
            delivery_ids=[call.path["delivery_id"]],
        )

    return _replayed(await call.run(replay))


@ops.route(
    "POST",
    "/webhooks/{id}/replay",
    summary="Send again every failed delivery created since a time",
    body=obj({"since": DATE_TIME}, ("since",)),
    responses={202: REPLAYED_SCHEMA},
    errors=(409,),
)
async def replay_failed_webhooks(call: Call) -> Response:
    since = inputs.instant(call.body["since"], "since")

    def replay() -> list[str]:
        hub = call.hub
        return subscriptions.replay(
            hub.database, call.business_id, call.path["id"], hub.now(), failed_since=since
        )

    return _replayed(await call.run(replay))
