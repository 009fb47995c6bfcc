"""The API's map pieces: where an at-address visit is (``latitude``/``longitude`` or a
``zone_id`` on bookings), zones as JSON, and the business's travel settings.

The zones' CRUD is registered with the rest of the setup (``hub.api.setup``); the rules
(coverage, validation) are the core's.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from hub.api.errors import ApiError
from hub.api.registry import Call, Operations
from hub.api.render import BOOL, NUM, STR
from hub.api.schemas import ID, NAME, Schema, array, nullable, obj, output
from hub.api.views import INTEGRATION
from hub.domain.geo import GeoPoint, TravelModel, Zone
from hub.services import setup, zones

ops = Operations("geo")

LAT: Schema = {"type": "number", "minimum": -90, "maximum": 90}
LNG: Schema = {"type": "number", "minimum": -180, "maximum": 180}
POINT_IN = obj({"lat": LAT, "lng": LNG}, ("lat", "lng"))
POINT_OUT = obj({"lat": NUM, "lng": NUM}, ("lat", "lng"), closed=False)
VISIT_IN: dict[str, Schema] = {
    "latitude": {
        **LAT,
        "description": "At-address services: where the visit is (with longitude). Checked "
        "against the business's coverage: outside it, 422 `outside_coverage` (or booked "
        "with `needs_review` when the business flags such bookings)",
    },
    "longitude": LNG,
    "zone_id": {
        **ID,
        "description": "At-address services: the business's zone the visit is in (instead "
        "of, or as well as, coordinates); see GET /zones or the public business",
    },
}


def visit_in(body: dict[str, Any]) -> dict[str, Any]:
    """``location`` and ``zone_id`` for a booking command, from the body's fields."""
    has_lat, has_lng = "latitude" in body, "longitude" in body
    if has_lat != has_lng:
        missing = "longitude" if has_lat else "latitude"
        raise ApiError(
            422, "validation_error", "give latitude and longitude together", {"field": missing}
        )
    location = GeoPoint(body["latitude"], body["longitude"]) if has_lat else None
    return {"location": location, "zone_id": body.get("zone_id")}


ZONE_IN = obj(
    {
        "name": NAME,
        "branch_id": nullable(ID),
        "centre": nullable(POINT_IN),
        "radius_km": nullable({"type": "number", "exclusiveMinimum": 0, "maximum": 20000}),
        "polygon": {
            **array({**array(NUM, 2), "minItems": 2}, 500),
            "description": "[[lat, lng], …] (3 or more points); instead of centre and radius",
        },
        "active": BOOL,
    }
)
ZONE_SCHEMA = obj(
    {
        "id": ID,
        "name": STR,
        "branch_id": nullable(STR),
        "centre": nullable(POINT_OUT),
        "radius_km": nullable(NUM),
        "polygon": array(array(NUM)),
        "active": BOOL,
    },
    ("id", "name", "active"),
    closed=False,
)


def point(value: GeoPoint | None) -> dict[str, float] | None:
    return None if value is None else {"lat": value.lat, "lng": value.lng}


def zone(item: Zone) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "branch_id": item.branch_id,
        "centre": point(item.centre),
        "radius_km": item.radius_km,
        "polygon": [[p.lat, p.lng] for p in item.polygon],
        "active": item.active,
    }


def polygon_in(value: list[list[float]]) -> tuple[GeoPoint, ...]:
    for pair in value:
        if len(pair) != 2:
            raise ApiError(
                422, "validation_error", "a polygon point is [lat, lng]", {"field": "polygon"}
            )
    return tuple(GeoPoint(lat, lng) for lat, lng in value)


TRAVEL = obj(
    {
        "detour": {"type": "number", "minimum": 1, "maximum": 5},
        "speed_kmh": {"type": "number", "minimum": 1, "maximum": 200},
        "overhead_minutes": {"type": "number", "minimum": 0, "maximum": 240},
        "travel_gap_minutes": {"type": "integer", "minimum": 0, "maximum": 480},
        "return_to_base": {"type": "boolean"},
    }
)


def travel(business: Any) -> dict[str, Any]:
    model: TravelModel = business.travel
    return {
        "detour": model.detour,
        "speed_kmh": model.speed_kmh,
        "overhead_minutes": model.overhead_minutes,
        "travel_gap_minutes": business.policy.travel_gap_minutes,
        "return_to_base": business.policy.travel_return_to_base,
    }


TRAVEL_OUT = output(TRAVEL)


@ops.route(
    "GET",
    "/business/travel",
    summary="How travel between at-address visits is estimated",
    description="Straight-line km x `detour` / `speed_kmh` + `overhead_minutes`; "
    "`travel_gap_minutes`: a fixed gap kept between at-address visits; `return_to_base`: "
    "workers with a base must be back there by the end of their day (only times that "
    "allow it are offered).",
    responses={200: TRAVEL_OUT},
)
async def get_travel(call: Call) -> Response:
    found = await call.run(setup.find_business, call.hub.uow(), business_id=call.business_id)
    return JSONResponse(travel(found))


@ops.route(
    "PUT",
    "/business/travel",
    summary="Set the travel estimate (fields left out keep their value)",
    body=TRAVEL,
    responses={200: TRAVEL_OUT},
)
async def put_travel(call: Call) -> Response:
    body = call.body

    def change() -> dict[str, Any]:
        current = setup.find_business(call.hub.uow(), business_id=call.business_id)
        model = TravelModel(
            body.get("detour", current.travel.detour),
            body.get("speed_kmh", current.travel.speed_kmh),
            body.get("overhead_minutes", current.travel.overhead_minutes),
        )
        zones.set_travel(
            call.hub.uow(),
            call.business_id,
            model,
            travel_gap_minutes=body.get("travel_gap_minutes"),
            return_to_base=body.get("return_to_base"),
            by=INTEGRATION,
            now=call.hub.now(),
        )
        return travel(setup.find_business(call.hub.uow(), business_id=call.business_id))

    return JSONResponse(await call.run(change))
