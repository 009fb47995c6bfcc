"""API v1: the business's figures for a week or a month beside the period before — the same
figures as the console's statistics page (``hub.services.analytics_read_model``). Read only,
scoped by the API key's business.
"""

from __future__ import annotations

from typing import Any, cast

from starlette.responses import JSONResponse, Response

from hub.api.registry import Call, Operations, Param
from hub.api.render import STR
from hub.api.schemas import DATE, array, enum, integer, nullable, obj
from hub.services.analytics_read_model import PERIODS, Figures, business_analytics
from hub.services.payment_ports import PaymentsUnitOfWork

ops = Operations("analytics")

MONEY = obj({"currency": STR, "amount_minor": integer()}, ("currency", "amount_minor"))
FIGURES_SCHEMA = obj(
    {
        "from": DATE,
        "to": DATE,
        "bookings": integer(0),
        "confirmed": integer(0),
        "confirmed_pct": integer(0, 100),
        "cancelled": integer(0),
        "no_shows": integer(0),
        "busiest_hour": nullable(integer(0, 23)),
        "busiest_count": integer(0),
        "per_hour": array(integer(0)),
        "per_day": array(obj({"date": DATE, "bookings": integer(0)}, ("date", "bookings"))),
        "zones": array(obj({"zone": STR, "bookings": integer(0)}, ("zone", "bookings"))),
        "revenue": array(MONEY),
        "deposits_kept": array(MONEY),
    },
    ("from", "to", "bookings", "confirmed", "cancelled", "no_shows", "revenue", "deposits_kept"),
    closed=False,
)


def figures_json(f: Figures) -> dict[str, Any]:
    return {
        "from": f.first.isoformat(),
        "to": f.last.isoformat(),
        "bookings": f.bookings,
        "confirmed": f.confirmed,
        "confirmed_pct": f.confirmed_pct,
        "cancelled": f.cancelled,
        "no_shows": f.no_shows,
        "busiest_hour": f.busiest_hour,
        "busiest_count": f.busiest_count,
        "per_hour": list(f.per_hour),
        "per_day": [{"date": d.isoformat(), "bookings": n} for d, n in f.per_day],
        "zones": [{"zone": z, "bookings": n} for z, n in f.zones],
        "revenue": [{"currency": c, "amount_minor": n} for c, n in f.revenue],
        "deposits_kept": [{"currency": c, "amount_minor": n} for c, n in f.deposits_kept],
    }


@ops.route(
    "GET",
    "/analytics",
    summary="Figures of a week or month beside the period before (bookings, confirmed %, "
    "cancellations, no-shows, busiest hour, zones, revenue, deposits kept)",
    query=(
        Param("period", enum(PERIODS), required=True, description="week (Monday-Sunday) or month"),
        Param("date", DATE, required=True, description="Any day of the period"),
    ),
    responses={
        200: obj(
            {"period": enum(PERIODS), "current": FIGURES_SCHEMA, "previous": FIGURES_SCHEMA},
            ("period", "current", "previous"),
        )
    },
)
async def analytics(call: Call) -> Response:
    found = await call.run(
        business_analytics,
        cast(PaymentsUnitOfWork, call.hub.database.unit_of_work()),
        call.business_id,
        call.query["period"],
        call.query["date"],
    )
    return JSONResponse(
        {
            "period": found.period,
            "current": figures_json(found.current),
            "previous": figures_json(found.previous),
        }
    )
