"""API v1: what happened to bookings — the service records written when bookings are
finished (JSON, or CSV for a spreadsheet) and one booking's history (its audit entries:
who did what, when, through which channel). Reads only, scoped by the API key's business.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.responses import JSONResponse, Response

from hub.api.registry import Call, Operations, Param
from hub.api.render import STR
from hub.api.schemas import DATE, DATE_TIME, ID, array, integer, nullable, obj
from hub.domain.errors import NotFoundError
from hub.domain.model import AuditEntry, ServiceRecord
from hub.services.calendars import get_business
from hub.services.records import booking_history, list_service_records, service_record_of

ops = Operations("records")

RECORD_SCHEMA = obj(
    {
        "id": ID,
        "booking_id": ID,
        "service_id": ID,
        "resource_id": ID,
        "customer_id": ID,
        "performed_at": DATE_TIME,
        "charged_minor": integer(0),
        "currency": STR,
        "notes": STR,
    },
    ("id", "booking_id", "performed_at", "charged_minor", "currency"),
    closed=False,
)
HISTORY_SCHEMA = obj(
    {
        "at": DATE_TIME,
        "action": STR,
        "actor": STR,
        "channel": STR,
        "user_id": nullable(STR),
        "data": {"type": "object"},
    },
    ("at", "action", "actor", "channel"),
    closed=False,
)
PERIOD = (
    Param("from", DATE, required=True, description="First day (business timezone)"),
    Param("to", DATE, required=True, description="Last day, inclusive (at most a year)"),
)
CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def record_json(record: ServiceRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "booking_id": record.booking_id,
        "service_id": record.service_id,
        "resource_id": record.resource_id,
        "customer_id": record.customer_id,
        "performed_at": record.performed_at.isoformat(),
        "charged_minor": record.charged_minor,
        "currency": record.currency,
        "notes": record.notes,
    }


def history_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(),
        "action": entry.action,
        "actor": entry.actor,
        "channel": entry.channel,
        "user_id": entry.actor_id,
        "data": entry.data,
    }


def _records(call: Call) -> list[ServiceRecord]:
    with call.hub.uow() as uow:
        tz = ZoneInfo(get_business(uow, call.business_id).timezone)
    first, last = call.query["from"], call.query["to"]
    return list_service_records(
        call.hub.uow(),
        call.business_id,
        datetime.combine(first, time(0), tz),
        datetime.combine(last + timedelta(days=1), time(0), tz),
    )


@ops.route(
    "GET",
    "/service-records",
    summary="Service records (what was done and charged when bookings were finished)",
    query=PERIOD,
    responses={200: obj({"items": array(RECORD_SCHEMA)}, ("items",), closed=False)},
)
async def list_records(call: Call) -> Response:
    found = await call.run(_records, call)
    return JSONResponse({"items": [record_json(r) for r in found]})


@ops.route(
    "GET",
    "/service-records.csv",
    summary="The same service records as a CSV file (UTF-8, one row per record)",
    query=PERIOD,
    responses={200: {"type": "string"}},
    media_type="text/csv",
)
async def export_records(call: Call) -> Response:
    found = await call.run(_records, call)
    out = io.StringIO()
    writer = csv.writer(out)
    columns = list(RECORD_SCHEMA["properties"])
    writer.writerow(columns)
    for record in found:
        row = record_json(record)
        writer.writerow(
            [
                "'" + v if isinstance(v, str) and v.startswith(CSV_FORMULA) else v
                for v in (row[c] for c in columns)
            ]
        )
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8")


@ops.route(
    "GET",
    "/bookings/{id}/service-record",
    summary="The service record of a finished booking (404 while it is not finished)",
    responses={200: RECORD_SCHEMA},
)
async def get_record(call: Call) -> Response:
    record = await call.run(service_record_of, call.hub.uow(), call.business_id, call.path["id"])
    if record is None:
        raise NotFoundError("the booking has no service record yet", entity="service_record")
    return JSONResponse(record_json(record))


@ops.route(
    "GET",
    "/bookings/{id}/history",
    summary="The booking's history: who did what, when, through which channel (oldest first)",
    responses={200: obj({"items": array(HISTORY_SCHEMA)}, ("items",), closed=False)},
)
async def get_history(call: Call) -> Response:
    entries = await call.run(booking_history, call.hub.uow(), call.business_id, call.path["id"])
    return JSONResponse({"items": [history_json(e) for e in entries]})
