"""Public endpoints (no auth), used by the booking pages and embeddable widgets: find a
business, see its offer and its free times. Booking and managing a booking through its
token are in ``public_bookings``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from hub.api import geo
from hub.api.registry import Call, Operations, Param
from hub.api.render import (
    BRANCH_SCHEMA,
    PUBLIC_RESOURCE_SCHEMA,
    SERVICE_SCHEMA,
    STR,
    at,
    branch,
    public_resource,
    service,
)
from hub.api.schemas import (
    DATE,
    DATE_TIME,
    ID,
    array,
    integer,
    obj,
)
from hub.api.views import (
    CLIENT,
    INTEGRATION,
    business_by_slug,
)
from hub.domain.errors import ValidationError
from hub.services.availability import AvailabilityQuery

ops = Operations("public")

BUSINESS_SUMMARY = obj(
    {"slug": STR, "name": STR, "timezone": STR}, ("slug", "name", "timezone"), closed=False
)
SLOTS_SCHEMA = obj(
    {
        "timezone": STR,
        "slots": array(
            obj(
                {"start": DATE_TIME, "end": DATE_TIME, "resources": array(STR)},
                ("start", "end", "resources"),
                closed=False,
            )
        ),
    },
    ("timezone", "slots"),
    closed=False,
)
# At-address services: with the client's place, only times a worker can drive to.
VISIT_PARAMS = tuple(
    Param(name, schema, description=schema.get("description", ""))
    for name, schema in geo.VISIT_IN.items()
)


@ops.route(
    "GET",
    "/public/businesses",
    summary="Find businesses by name or slug",
    query=(Param("q", {"type": "string", "maxLength": 100}),),
    responses={200: obj({"items": array(BUSINESS_SUMMARY)}, ("items",), closed=False)},
    auth=False,
)
async def search_businesses(call: Call) -> Response:
    needle = str(call.query.get("q", "")).strip().lower()

    def find() -> list[dict[str, Any]]:
        with call.hub.uow() as uow:
            found = [
                b
                for b in uow.businesses.list()
                if needle in b.name.lower() or needle in b.slug.lower()
            ]
        found.sort(key=lambda b: (b.name.lower(), b.slug))
        return [{"slug": b.slug, "name": b.name, "timezone": b.timezone} for b in found[:50]]

    return JSONResponse({"items": await call.run(find)})


@ops.route(
    "GET",
    "/public/businesses/{slug}",
    summary="A business's branches, services and the resources a client may choose",
    responses={
        200: obj(
            {
                "slug": STR,
                "name": STR,
                "timezone": STR,
                "currency": STR,
                "language": STR,
                "branches": array(BRANCH_SCHEMA),
                "services": array(SERVICE_SCHEMA),
                "resources": array(PUBLIC_RESOURCE_SCHEMA),
                "zones": {
                    **array(obj({"id": STR, "name": STR}, ("id", "name"), closed=False)),
                    "description": "Where the business goes for at-address services: book "
                    "with `zone_id` (or `latitude`/`longitude`)",
                },
            },
            ("slug", "name", "timezone", "branches", "services", "resources"),
            closed=False,
        )
    },
    auth=False,
)
async def get_public_business(call: Call) -> Response:
    def read() -> dict[str, Any]:
        with call.hub.uow() as uow:
            business = business_by_slug(uow, call.path["slug"])
            return {
                "slug": business.slug,
                "name": business.name,
                "timezone": business.timezone,
                "currency": business.currency,
                "language": business.language,
                "branches": [branch(b) for b in uow.branches.list(business.id) if b.active],
                "services": [
                    service(s, business) for s in uow.services.list(business.id) if s.active
                ],
                "resources": [
                    public_resource(r) for r in uow.resources.list(business.id) if r.active
                ],
                "zones": [
                    {"id": z.id, "name": z.name} for z in uow.zones.list(business.id) if z.active
                ],
            }

    return JSONResponse(await call.run(read))


@ops.route(
    "GET",
    "/public/businesses/{slug}/availability",
    summary="Free start times for a service (at most 62 days per call)",
    query=(
        Param("service", ID, required=True),
        Param("from", DATE, required=True, description="First day, business timezone"),
        Param("to", DATE, required=True, description="Last day (inclusive)"),
        Param("branch", ID),
        Param("resource", ID),
        Param("group", ID),
        Param("persons", integer(1, 100)),
        *VISIT_PARAMS,
    ),
    responses={200: SLOTS_SCHEMA},
    auth=False,
)
async def public_availability(call: Call) -> Response:
    def read() -> dict[str, Any]:
        with call.hub.uow() as uow:
            business = business_by_slug(uow, call.path["slug"])
        return slots_json(call, business.id, business.timezone, public=True)

    return JSONResponse(await call.run(read))


QUERY_NAMES = {"date_from": "from", "date_to": "to"}


def slots_json(call: Call, business_id: str, tz: str, *, public: bool) -> dict[str, Any]:
    """Availability for the query of ``call`` (shared with the operator's view)."""
    query = AvailabilityQuery(
        business_id=business_id,
        service_id=call.query["service"],
        date_from=call.query["from"],
        date_to=call.query["to"],
        resource_id=call.query.get("resource"),
        group_id=call.query.get("group"),
        branch_id=call.query.get("branch"),
        persons=call.query.get("persons", 1),
        **geo.visit_in(call.query),
    )
    try:
        slots = call.hub.core.find_availability(query, by=CLIENT if public else INTEGRATION)
    except ValidationError as exc:  # name the query parameter, not the use case's field
        if exc.field in QUERY_NAMES:
            exc.details["field"] = QUERY_NAMES[exc.field]
        raise
    return {
        "timezone": tz,
        "slots": [
            {"start": at(s.start, tz), "end": at(s.end, tz), "resources": list(s.resource_ids)}
            for s in slots
        ],
    }


__all__ = ["VISIT_PARAMS", "ops", "slots_json"]
