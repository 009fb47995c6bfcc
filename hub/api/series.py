"""Recurring series of bookings (bearer API key of one business): preview which dates are
free, book the series (what fits, or all or nothing), read it, cancel one occurrence, it and
the following ones, or all, and move them by a time shift.

Each occurrence is an independent booking (``GET /bookings/{id}`` reads it, ``series_id``
links it); every change goes through the single-booking use cases, so webhooks and messages
are those of single bookings. Every lookup is scoped to the key's business.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.responses import JSONResponse, Response

from hub.api import inputs
from hub.api.bookings import NEW_BOOKING_FIELDS, new_booking
from hub.api.errors import ApiError
from hub.api.registry import Call, Operations
from hub.api.render import STR
from hub.api.schemas import DATE, DATE_TIME, ID, TEXT, array, enum, integer, nullable, obj
from hub.api.views import BOOKING_SCHEMA, INTEGRATION, booking
from hub.domain.booking import Booking
from hub.domain.errors import ValidationError
from hub.services.booking_create import NewBooking
from hub.services.calendars import get_business
from hub.services.recurrence import MonthlyByWeekday, Repeat, Weekly, week_of_month
from hub.services.series import MAX_SERIES, Scope, SeriesResult

ops = Operations("series")

REPEAT = obj(
    {
        "frequency": enum(["weekly", "monthly"]),
        "interval": {
            **integer(1, 52),
            "description": "Every N weeks (weekly) or months (monthly, at most 12); default 1",
        },
        "week": {
            "type": "integer",
            "enum": [1, 2, 3, 4, 5, -1],
            "description": "Monthly: which weekday of the month (2 = the 2nd Tuesday when the "
            "first booking is a Tuesday; -1 = the last); default: the first booking's",
        },
        "count": {**integer(1, MAX_SERIES), "description": "How many occurrences"},
        "until": {**DATE, "description": "Or the last local date (inclusive)"},
    },
    ("frequency",),
)
# A series' first date says what a single booking says (an external reference excepted: it
# names one booking), plus how it repeats.
SERIES_IN = obj(
    {
        **{k: v for k, v in NEW_BOOKING_FIELDS.items() if k != "external_ref"},
        "start": {**DATE_TIME, "description": "The first occurrence"},
        "repeat": REPEAT,
        "mode": {
            **enum(["fits", "all"]),
            "description": "fits: book the free dates and report the others; all (default): "
            "book nothing if any date is not free (409 listing them)",
        },
    },
    ("service", "start", "repeat"),
)
OCCURRENCE = obj(
    {
        "start": DATE_TIME,
        "free": {"type": "boolean"},
        "code": nullable(STR),
        "reason": nullable(STR),
    },
    ("start", "free"),
    closed=False,
)
PREVIEW_OUT = obj(
    {"occurrences": array(OCCURRENCE), "free": integer(0), "taken": integer(0)},
    ("occurrences", "free", "taken"),
    closed=False,
)
SERIES_OUT = obj(
    {
        "id": ID,
        "bookings": array(BOOKING_SCHEMA),
        "conflicts": array(OCCURRENCE),
    },
    ("id", "bookings"),
    closed=False,
)
SCOPE_IN = {
    "booking": {**ID, "description": "The occurrence the change starts from (not for all)"},
    "scope": enum([s.value for s in Scope]),
}
CANCEL_IN = obj({**SCOPE_IN, "reason": TEXT}, ("scope",))
SHIFT_IN = obj(
    {
        **SCOPE_IN,
        "shift_minutes": {
            **integer(-527040, 527040),
            "description": "Minutes to move each occurrence (negative: earlier), at most a year",
        },
        "force": {"type": "boolean"},
    },
    ("scope", "shift_minutes"),
)
CHANGED_OUT = obj({"id": ID, "changed": array(BOOKING_SCHEMA)}, ("id", "changed"), closed=False)


def _repeat(body: dict[str, Any], first: datetime, timezone: str) -> Repeat:
    spec = body["repeat"]
    try:
        until = date.fromisoformat(spec["until"]) if "until" in spec else None
    except ValueError as exc:
        raise ValidationError("repeat.until is not a date", field="repeat.until") from exc
    count = spec.get("count")
    if count is None and until is None:
        raise ValidationError("give repeat.count or repeat.until", field="repeat.count")
    interval = spec.get("interval", 1)
    if spec["frequency"] == "weekly":
        return Weekly(every_weeks=interval, count=count, until=until)
    if interval > 12:
        raise ValidationError("repeat every 1 to 12 months", field="repeat.interval")
    week = spec.get("week") or week_of_month(first.astimezone(ZoneInfo(timezone)).date())
    return MonthlyByWeekday(week=week, every_months=interval, count=count, until=until)


def _first(call: Call) -> NewBooking:
    """The first date, read like a single booking's body (customer, place, organizer…)."""
    return new_booking(call, call.body, inputs.instant(call.body["start"], "start"))


def _plan(call: Call) -> tuple[NewBooking, Repeat, str]:
    first = _first(call)
    with call.hub.uow() as uow:
        business = get_business(uow, call.business_id)
    return first, _repeat(call.body, first.start, business.timezone), business.timezone


def _occurrences(result: SeriesResult, timezone: str, *, free_too: bool) -> list[dict[str, Any]]:
    """Each date in the business's local time (as bookings are shown)."""
    tz = ZoneInfo(timezone)
    return [
        {
            "start": at.astimezone(tz).isoformat(),
            "free": conflict is None,
            "code": conflict.code if conflict else None,
            "reason": conflict.message if conflict else None,
        }
        for at, conflict in result.occurrences
        if free_too or conflict is not None
    ]


def _views(call: Call, items: list[Booking]) -> list[dict[str, Any]]:
    with call.hub.uow() as uow:
        business = get_business(uow, call.business_id)
        people = {c: uow.customers.get(business.id, c) for c in {b.customer_id for b in items}}
    base = call.hub.settings.base_url
    return [booking(b, business, base, people.get(b.customer_id)) for b in items]


@ops.route(
    "POST",
    "/series/preview",
    summary="Which dates of a series are free and why the others are not; books nothing",
    body=SERIES_IN,
    responses={200: PREVIEW_OUT},
)
async def preview_series(call: Call) -> Response:
    def run() -> dict[str, Any]:
        first, repeat, tz = _plan(call)
        result = call.hub.core.preview_series(first, repeat, by=INTEGRATION)
        found = _occurrences(result, tz, free_too=True)
        free = sum(1 for o in found if o["free"])
        return {"occurrences": found, "free": free, "taken": len(found) - free}

    return JSONResponse(await call.run(run))


@ops.route(
    "POST",
    "/series",
    summary="Book a series: every N weeks or the Nth weekday of each month, N times or until "
    f"a date (at most {MAX_SERIES}); mode all (default) books nothing when a date is taken "
    "(409 lists them), mode fits books the free ones",
    body=SERIES_IN,
    responses={201: SERIES_OUT},
    errors=(409,),
)
async def create_series(call: Call) -> Response:
    def run() -> Response:
        first, repeat, tz = _plan(call)
        result = call.hub.core.create_series(
            first, repeat, by=INTEGRATION, all_or_nothing=call.body.get("mode", "all") == "all"
        )
        conflicts = _occurrences(result, tz, free_too=False)
        if not result.booked:
            raise ApiError(
                409,
                "series_conflict",
                "no date was booked: some are not free",
                {"conflicts": conflicts},
            )
        response = JSONResponse(
            {
                "id": result.series_id,
                "bookings": _views(call, list(result.booked)),
                "conflicts": conflicts,
            },
            status_code=201,
        )
        response.headers["Location"] = f"/api/v1/series/{result.series_id}"
        return response

    return await call.run(run)


@ops.route(
    "GET",
    "/series/{id}",
    summary="A series' occurrences (every status) by start",
    responses={200: obj({"id": ID, "bookings": array(BOOKING_SCHEMA)}, ("id",), closed=False)},
)
async def get_series(call: Call) -> Response:
    def read() -> dict[str, Any]:
        found = call.hub.core.series_bookings(call.business_id, call.path["id"])
        return {"id": call.path["id"], "bookings": _views(call, found)}

    return JSONResponse(await call.run(read))


def _pivot(call: Call, scope: Scope) -> str | None:
    pivot = call.body.get("booking")
    if pivot is None and scope is not Scope.ALL:
        raise ApiError(
            422, "validation_error", "name the occurrence (booking)", {"field": "booking"}
        )
    return pivot if isinstance(pivot, str) else None


@ops.route(
    "POST",
    "/series/{id}/cancel",
    summary="Cancel one occurrence (scope this), it and the following ones (following) or "
    "every open one (all); each is cancelled and announced as a single booking",
    body=CANCEL_IN,
    responses={200: CHANGED_OUT},
    errors=(409,),
)
async def cancel_series(call: Call) -> Response:
    scope = Scope(call.body["scope"])
    pivot = _pivot(call, scope)

    def run() -> dict[str, Any]:
        done = call.hub.core.cancel_series(
            call.business_id,
            call.path["id"],
            booking_id=pivot,
            scope=scope,
            by=INTEGRATION,
            reason=str(call.body.get("reason", "")).strip(),
        )
        return {"id": call.path["id"], "changed": _views(call, done)}

    return JSONResponse(await call.run(run))


@ops.route(
    "POST",
    "/series/{id}/reschedule",
    summary="Move one occurrence, it and the following ones, or all by shift_minutes; if one "
    "cannot move (taken, not offered) none moves (409)",
    body=SHIFT_IN,
    responses={200: CHANGED_OUT},
    errors=(409,),
)
async def reschedule_series(call: Call) -> Response:
    scope = Scope(call.body["scope"])
    pivot = _pivot(call, scope)

    def run() -> dict[str, Any]:
        moved = call.hub.core.shift_series(
            call.business_id,
            call.path["id"],
            booking_id=pivot,
            scope=scope,
            shift=timedelta(minutes=call.body["shift_minutes"]),
            by=INTEGRATION,
            force=call.body.get("force", False),
        )
        return {"id": call.path["id"], "changed": _views(call, moved)}

    return JSONResponse(await call.run(run))
