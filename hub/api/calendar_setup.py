"""Private endpoints for when resources work: weekly availability rules, date exceptions
(holidays, vacations, different hours) and blocks (busy intervals).

A weekly rule has no row of its own (it is part of its resource), so its id is derived from
what it is: ``<resource id>.<weekday>.<HHMM>.<HHMM>``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from hub.api import inputs
from hub.api.errors import ApiError
from hub.api.registry import Call, Operations, Param
from hub.api.render import BLOCK_SCHEMA, EXCEPTION_SCHEMA, STR, block, exception, hhmm
from hub.api.schemas import DATE, DATE_TIME, ID, TEXT, array, integer, obj, output
from hub.api.setup_inputs import CLOCK, clock
from hub.api.views import INTEGRATION
from hub.domain.model import DateException, Resource, WeeklyInterval
from hub.services import resource_setup, setup
from hub.services.blocks import NewBlock, create_block, delete_block
from hub.services.calendars import get_business

ops = Operations("calendar setup")

RULE_SCHEMA = obj(
    {"id": STR, "resource_id": STR, "weekday": {"type": "integer"}, "start": STR, "end": STR},
    ("id", "resource_id", "weekday", "start", "end"),
    closed=False,
)
RESOURCE_FILTER = (Param("resource", ID),)


def rule_id(resource_id: str, rule: WeeklyInterval) -> str:
    start, end = (hhmm(t).replace(":", "") for t in (rule.start, rule.end))
    return f"{resource_id}.{rule.weekday}.{start}.{end}"


def _rule(resource_id: str, rule: WeeklyInterval) -> dict[str, Any]:
    return {
        "id": rule_id(resource_id, rule),
        "resource_id": resource_id,
        "weekday": rule.weekday,
        "start": hhmm(rule.start),
        "end": hhmm(rule.end),
    }


def _resources(call: Call) -> list[Resource]:
    found = setup.list_resources(call.hub.uow(), call.business_id)
    wanted = call.query.get("resource")
    return [r for r in found if wanted is None or r.id == wanted]


def _owner_of_rule(call: Call) -> tuple[Resource, WeeklyInterval]:
    resource_id = call.path["id"].split(".", 1)[0]
    for item in _resources(call):
        if item.id == resource_id:
            for rule in item.weekly:
                if rule_id(item.id, rule) == call.path["id"]:
                    return item, rule
    raise ApiError(404, "not_found", "no such availability rule", {"id": call.path["id"]})


@ops.route(
    "GET",
    "/availability-rules",
    summary="Weekly opening rules of the resources",
    query=RESOURCE_FILTER,
    responses={200: obj({"items": array(RULE_SCHEMA)}, ("items",))},
)
async def list_availability_rules(call: Call) -> Response:
    def read() -> dict[str, Any]:
        return {"items": [_rule(r.id, w) for r in _resources(call) for w in r.weekly]}

    return JSONResponse(await call.run(read))


@ops.route(
    "POST",
    "/availability-rules",
    summary="Add a weekly opening rule to a resource",
    body=obj(
        {"resource_id": ID, "weekday": integer(0, 6), "start": CLOCK, "end": CLOCK},
        ("resource_id", "weekday", "start", "end"),
    ),
    responses={201: RULE_SCHEMA},
    errors=(404,),
)
async def create_availability_rule(call: Call) -> Response:
    body = call.body
    rule = WeeklyInterval(body["weekday"], clock(body["start"]), clock(body["end"]))

    def add() -> dict[str, Any]:
        current = setup.get_resource(call.hub.uow(), call.business_id, body["resource_id"])
        resource_setup.set_weekly_rules(
            call.hub.uow(),
            call.business_id,
            current.id,
            (*current.weekly, rule),
            by=INTEGRATION,
            now=call.hub.now(),
        )
        return _rule(current.id, rule)

    return JSONResponse(await call.run(add), status_code=201)


@ops.route("GET", "/availability-rules/{id}", summary="One rule", responses={200: RULE_SCHEMA})
async def get_availability_rule(call: Call) -> Response:
    owner, rule = await call.run(_owner_of_rule, call)
    return JSONResponse(_rule(owner.id, rule))


@ops.route("DELETE", "/availability-rules/{id}", summary="Remove a rule", responses={204: None})
async def delete_availability_rule(call: Call) -> Response:
    def remove() -> None:
        owner, rule = _owner_of_rule(call)
        kept = [w for w in owner.weekly if w != rule]
        resource_setup.set_weekly_rules(
            call.hub.uow(), call.business_id, owner.id, kept, by=INTEGRATION, now=call.hub.now()
        )

    await call.run(remove)
    return Response(status_code=204)


EXCEPTION_OUT = {
    **output(EXCEPTION_SCHEMA),
    "properties": {**EXCEPTION_SCHEMA["properties"], "resource_id": STR},
}


def _owner_of_exception(call: Call) -> tuple[Resource, DateException]:
    for item in _resources(call):
        for found in item.exceptions:
            if found.id == call.path["id"]:
                return item, found
    raise ApiError(404, "not_found", "no such exception", {"id": call.path["id"]})


@ops.route(
    "GET",
    "/exceptions",
    summary="Date exceptions (closed days, different hours)",
    query=RESOURCE_FILTER,
    responses={200: obj({"items": array(EXCEPTION_OUT)}, ("items",))},
)
async def list_exceptions(call: Call) -> Response:
    def read() -> dict[str, Any]:
        return {
            "items": [
                exception(e, resource_id=r.id) for r in _resources(call) for e in r.exceptions
            ]
        }

    return JSONResponse(await call.run(read))


@ops.route(
    "POST",
    "/exceptions",
    summary="Close a resource on some dates, or give them other hours",
    body=obj(
        {
            "resource_id": ID,
            "start_date": DATE,
            "end_date": DATE,
            "intervals": array(obj({"start": CLOCK, "end": CLOCK}, ("start", "end")), 20),
            "reason": TEXT,
        },
        ("resource_id", "start_date", "end_date"),
    ),
    responses={201: EXCEPTION_OUT},
    errors=(404,),
)
async def create_exception(call: Call) -> Response:
    body = call.body
    item = DateException(
        start_date=inputs.day(body["start_date"], "start_date"),
        end_date=inputs.day(body["end_date"], "end_date"),
        intervals=tuple((clock(i["start"]), clock(i["end"])) for i in body.get("intervals", [])),
        reason=body.get("reason", ""),
    )

    def add() -> dict[str, Any]:
        resource_setup.add_exception(
            call.hub.uow(),
            call.business_id,
            body["resource_id"],
            item,
            by=INTEGRATION,
            now=call.hub.now(),
        )
        return exception(item, resource_id=body["resource_id"])

    return JSONResponse(await call.run(add), status_code=201)


@ops.route("GET", "/exceptions/{id}", summary="One exception", responses={200: EXCEPTION_OUT})
async def get_exception(call: Call) -> Response:
    owner, found = await call.run(_owner_of_exception, call)
    return JSONResponse(exception(found, resource_id=owner.id))


@ops.route("DELETE", "/exceptions/{id}", summary="Remove an exception", responses={204: None})
async def delete_exception(call: Call) -> Response:
    def remove() -> None:
        owner, found = _owner_of_exception(call)
        resource_setup.remove_exception(
            call.hub.uow(),
            call.business_id,
            owner.id,
            found.id,
            by=INTEGRATION,
            now=call.hub.now(),
        )

    await call.run(remove)
    return Response(status_code=204)


@ops.route(
    "GET",
    "/blocks",
    summary="Blocks (busy intervals) overlapping a time range",
    query=(
        Param("from", DATE_TIME, required=True),
        Param("to", DATE_TIME, required=True),
        Param("resource", ID),
    ),
    responses={200: obj({"items": array(BLOCK_SCHEMA)}, ("items",))},
)
async def list_blocks(call: Call) -> Response:
    q = call.query
    if q["to"] <= q["from"]:
        raise ApiError(422, "validation_error", "to must be after from", {"field": "to"})

    def read() -> dict[str, Any]:
        with call.hub.uow() as uow:
            business = get_business(uow, call.business_id)
            resources = [q["resource"]] if "resource" in q else []
            found = uow.blocks.overlapping(business.id, q["from"], q["to"], resources)
        return {"items": [block(b, business.timezone) for b in found]}

    return JSONResponse(await call.run(read))


@ops.route(
    "POST",
    "/blocks",
    summary="Block time on a resource or a whole branch",
    body=obj(
        {"start": DATE_TIME, "end": DATE_TIME, "resource_id": ID, "branch_id": ID, "reason": TEXT},
        ("start", "end"),
    ),
    responses={201: BLOCK_SCHEMA},
    errors=(404,),
)
async def create_block_endpoint(call: Call) -> Response:
    body = call.body
    request = NewBlock(
        business_id=call.business_id,
        start=inputs.instant(body["start"], "start"),
        end=inputs.instant(body["end"], "end"),
        resource_id=body.get("resource_id"),
        branch_id=body.get("branch_id"),
        reason=body.get("reason", ""),
        source="api",
    )

    def add() -> dict[str, Any]:
        result = create_block(call.hub.uow(), request, by=INTEGRATION, now=call.hub.now())
        with call.hub.uow() as uow:
            tz = get_business(uow, call.business_id).timezone
        return block(result.blocks[0], tz)

    return JSONResponse(await call.run(add), status_code=201)


@ops.route("GET", "/blocks/{id}", summary="One block", responses={200: BLOCK_SCHEMA})
async def get_block(call: Call) -> Response:
    def read() -> dict[str, Any]:
        with call.hub.uow() as uow:
            business = get_business(uow, call.business_id)
            found = uow.blocks.get(business.id, call.path["id"])
        if found is None:
            raise ApiError(404, "not_found", "no such block", {"id": call.path["id"]})
        return block(found, business.timezone)

    return JSONResponse(await call.run(read))


@ops.route("DELETE", "/blocks/{id}", summary="Remove a block", responses={204: None})
async def delete_block_endpoint(call: Call) -> Response:
    await call.run(
        lambda: delete_block(
            call.hub.uow(), call.business_id, call.path["id"], by=INTEGRATION, now=call.hub.now()
        )
    )
    return Response(status_code=204)
