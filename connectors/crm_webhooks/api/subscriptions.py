"""``/api/v1/webhooks`` and ``/api/v1/webhooks/{id}``: list, create, read, change, delete a
subscription, and rotate its signing secret (the secret is in the answers to create and
rotate only). What the calls do is ``connectors.crm_webhooks.subscriptions``'s."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from connectors.crm_webhooks import subscriptions
from connectors.crm_webhooks.api.schemas import (
    WEBHOOK_IN,
    WEBHOOK_SCHEMA,
    WITH_SECRET_SCHEMA,
    business_timezone,
    webhook,
)
from connectors.crm_webhooks.subscriptions import SubscriptionChange
from hub.api.registry import Call, Operations
from hub.api.schemas import array, obj

ops = Operations("webhooks")


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
        tz = business_timezone(call)
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
        return webhook(row, business_timezone(call), secret=True)

    return JSONResponse(await call.run(add), status_code=201)


@ops.route("GET", "/webhooks/{id}", summary="One webhook", responses={200: WEBHOOK_SCHEMA})
async def get_webhook(call: Call) -> Response:
    def read() -> dict[str, Any]:
        row = subscriptions.get(call.hub.database, call.business_id, call.path["id"])
        return webhook(row, business_timezone(call))

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
        return webhook(row, business_timezone(call))

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
        return webhook(row, business_timezone(call))

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
        return webhook(row, business_timezone(call), secret=True)

    return JSONResponse(await call.run(rotate))
