"""Private endpoints for customers (the business's clients) and the business's API keys.

A new API key is shown once, in the answer that creates it; only its hash is kept.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from hub.api.errors import ApiError
from hub.api.registry import Call, Operations, Param
from hub.api.render import API_KEY_SCHEMA, CUSTOMER_SCHEMA, STR, api_key, customer
from hub.api.schemas import EMAIL, NAME, TEXT, array, integer, nullable, obj, output
from hub.api.views import INTEGRATION
from hub.services import accounts, customer_setup
from hub.services.calendars import get_business
from hub.services.customers import CustomerDetails

ops = Operations("accounts")

PHONE = {"type": "string", "minLength": 3, "maxLength": 40}
CUSTOMER_IN = obj(
    {"name": NAME, "phone": nullable(PHONE), "email": nullable(EMAIL), "address": nullable(TEXT)}
)


@ops.route(
    "GET",
    "/customers",
    summary="Customers of the business",
    query=(Param("limit", integer(1, 500)), Param("offset", integer(0, 10**6))),
    responses={200: obj({"items": array(CUSTOMER_SCHEMA)}, ("items",), closed=False)},
)
async def list_customers(call: Call) -> Response:
    def read() -> dict[str, Any]:
        found = customer_setup.list_customers(
            call.hub.uow(),
            call.business_id,
            call.query.get("limit", 100),
            call.query.get("offset", 0),
        )
        return {"items": [customer(c) for c in found]}

    return JSONResponse(await call.run(read))


@ops.route(
    "POST",
    "/customers",
    summary="Add a customer, or return the one with the same phone or email",
    body={**CUSTOMER_IN, "required": ["name"]},
    responses={201: CUSTOMER_SCHEMA},
)
async def create_customer(call: Call) -> Response:
    details = CustomerDetails(
        name=call.body["name"].strip(),
        phone=call.body.get("phone"),
        email=call.body.get("email"),
        address=call.body.get("address"),
    )

    def add() -> dict[str, Any]:
        return customer(
            customer_setup.upsert_customer(
                call.hub.uow(), call.business_id, details, by=INTEGRATION, now=call.hub.now()
            )
        )

    return JSONResponse(await call.run(add), status_code=201)


@ops.route("GET", "/customers/{id}", summary="One customer", responses={200: CUSTOMER_SCHEMA})
async def get_customer(call: Call) -> Response:
    found = await call.run(
        customer_setup.get_customer, call.hub.uow(), call.business_id, call.path["id"]
    )
    return JSONResponse(customer(found))


@ops.route(
    "PATCH",
    "/customers/{id}",
    summary="Change a customer (fields given are replaced)",
    body=CUSTOMER_IN,
    responses={200: CUSTOMER_SCHEMA},
    errors=(409,),
)
async def update_customer(call: Call) -> Response:
    def change() -> dict[str, Any]:
        current = customer_setup.get_customer(call.hub.uow(), call.business_id, call.path["id"])
        body = call.body
        details = CustomerDetails(
            name=body["name"].strip() if "name" in body else current.name,
            phone=body.get("phone", current.phone),
            email=body.get("email", current.email),
            address=body.get("address", current.address),
        )
        return customer(
            customer_setup.update_customer(
                call.hub.uow(),
                call.business_id,
                current.id,
                details,
                by=INTEGRATION,
                now=call.hub.now(),
            )
        )

    return JSONResponse(await call.run(change))


NEW_KEY_SCHEMA = {
    **output(API_KEY_SCHEMA),
    "properties": {**API_KEY_SCHEMA["properties"], "key": STR},
    "required": [*API_KEY_SCHEMA["required"], "key"],
}


def _tz(call: Call) -> str:
    with call.hub.uow() as uow:
        return get_business(uow, call.business_id).timezone


@ops.route(
    "GET",
    "/api-keys",
    summary="API keys of the business (never the secrets)",
    responses={200: obj({"items": array(API_KEY_SCHEMA)}, ("items",), closed=False)},
)
async def list_api_keys(call: Call) -> Response:
    def read() -> dict[str, Any]:
        tz = _tz(call)
        found = accounts.list_api_keys(call.hub.accounts_uow(), call.business_id)
        return {"items": [api_key(k, tz) for k in found]}

    return JSONResponse(await call.run(read))


@ops.route(
    "POST",
    "/api-keys",
    summary="Create an API key; the key is in this answer only",
    body=obj({"name": NAME}, ("name",)),
    responses={201: NEW_KEY_SCHEMA},
)
async def create_api_key(call: Call) -> Response:
    def add() -> dict[str, Any]:
        key, raw = accounts.create_api_key(
            call.hub.accounts_uow(), call.business_id, call.body["name"], call.hub.now()
        )
        return {**api_key(key, _tz(call)), "key": raw}

    return JSONResponse(await call.run(add), status_code=201)


@ops.route("GET", "/api-keys/{id}", summary="One API key", responses={200: API_KEY_SCHEMA})
async def get_api_key(call: Call) -> Response:
    def read() -> dict[str, Any]:
        for key in accounts.list_api_keys(call.hub.accounts_uow(), call.business_id):
            if key.id == call.path["id"]:
                return api_key(key, _tz(call))
        raise ApiError(404, "not_found", "no such API key", {"id": call.path["id"]})

    return JSONResponse(await call.run(read))


@ops.route(
    "DELETE",
    "/api-keys/{id}",
    summary="Revoke an API key (it stops working at once)",
    responses={200: API_KEY_SCHEMA},
)
async def revoke_api_key(call: Call) -> Response:
    def revoke() -> dict[str, Any]:
        key = accounts.revoke_api_key(
            call.hub.accounts_uow(), call.business_id, call.path["id"], call.hub.now()
        )
        return api_key(key, _tz(call))

    return JSONResponse(await call.run(revoke))
