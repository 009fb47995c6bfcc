"""``/api/v1/webhooks/{id}/deliveries…`` and ``/test``: the delivery log (each delivery with its
attempts), replay of one delivery or of every failed one since a time, and a test ``ping``.
What the calls do is ``connectors.crm_webhooks.subscriptions``' and the engine's."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from connectors.crm_webhooks import store, subscriptions
from connectors.crm_webhooks.api.schemas import (
    DELIVERY_SCHEMA,
    REPLAYED_SCHEMA,
    business_timezone,
    delivery,
)
from connectors.crm_webhooks.engine import Webhooks
from connectors.crm_webhooks.models import DeliveryRow
from hub.api import inputs
from hub.api.registry import Call, Operations, Param
from hub.api.schemas import DATE_TIME, array, enum, integer, obj

ops = Operations("webhooks")


def _deliveries(call: Call, rows: list[DeliveryRow]) -> list[dict[str, Any]]:
    tz = business_timezone(call)
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
