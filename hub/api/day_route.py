"""API v1: the day's route — per worker, the at-address visits of a day in the order that
drives least while keeping every booked time, driving booked vs suggested, and visits worth
giving to another worker (``hub.services.day_route``, as the console shows it). Read only,
scoped by the API key's business.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from hub.api.registry import Call, Operations, Param
from hub.api.render import STR
from hub.api.schemas import DATE, DATE_TIME, ID, array, enum, integer, nullable, obj
from hub.services.day_route import WINDOWS, Stop

ops = Operations("route")

POINT = obj({"lat": {"type": "number"}, "lng": {"type": "number"}}, ("lat", "lng"))
STOP = obj(
    {
        "booking_id": ID,
        "start": DATE_TIME,
        "arrive": DATE_TIME,
        "address": nullable(STR),
        "location": POINT,
    },
    ("booking_id", "start", "arrive", "location"),
)
WORKER = obj(
    {
        "resource_id": ID,
        "name": STR,
        "stops": array(STOP),
        "driving_minutes": integer(0),
        "booked_driving_minutes": integer(0),
        "saved_minutes": integer(0),
        "proven_optimal": {"type": "boolean"},
        "feasible": {"type": "boolean"},
        "unlocated_booking_ids": array(ID),
    },
    ("resource_id", "stops", "driving_minutes", "booked_driving_minutes", "feasible"),
)
MOVE = obj(
    {"booking_id": ID, "from_resource_id": ID, "to_resource_id": ID, "saves_minutes": integer(0)},
    ("booking_id", "from_resource_id", "to_resource_id", "saves_minutes"),
)


def stop_json(stop: Stop) -> dict[str, Any]:
    return {
        "booking_id": stop.booking.id,
        "start": stop.booking.start.isoformat(),
        "arrive": stop.arrive.isoformat(),
        "address": stop.booking.address,
        "location": {"lat": stop.location.lat, "lng": stop.location.lng},
    }


@ops.route(
    "GET",
    "/route",
    summary="The day's route per worker: suggested order of at-address visits, driving "
    "booked vs suggested, and moves to another worker that save driving",
    query=(
        Param("date", DATE, required=True, description="The day (business timezone)"),
        Param(
            "window",
            enum([str(w) for w in WINDOWS]),
            description="Minutes after the booked start a visit may begin (default 0)",
        ),
        Param("branch", ID, description="Only this branch's workers"),
    ),
    responses={
        200: obj(
            {"date": DATE, "window": integer(0), "workers": array(WORKER), "moves": array(MOVE)},
            ("date", "workers", "moves"),
        )
    },
)
async def get_route(call: Call) -> Response:
    found = await call.run(
        lambda: call.hub.core.day_route(
            call.business_id,
            call.query["date"],
            branch_id=call.query.get("branch"),
            window_minutes=int(call.query.get("window") or 0),
        )
    )
    return JSONResponse(
        {
            "date": found.day.isoformat(),
            "window": found.window_minutes,
            "workers": [
                {
                    "resource_id": r.resource.id,
                    "name": r.resource.name,
                    "stops": [stop_json(s) for s in r.stops],
                    "driving_minutes": r.driving_minutes,
                    "booked_driving_minutes": r.booked_driving_minutes,
                    "saved_minutes": r.saved_minutes,
                    "proven_optimal": r.proven_optimal,
                    "feasible": r.feasible,
                    "unlocated_booking_ids": [b.id for b in r.unlocated],
                }
                for r in found.routes
            ],
            "moves": [
                {
                    "booking_id": m.booking.id,
                    "from_resource_id": m.from_resource.id,
                    "to_resource_id": m.to_resource.id,
                    "saves_minutes": m.saves_minutes,
                }
                for m in found.moves
            ],
        }
    )
