"""Console: what the calendar component (``static/turnero-agenda.js``) talks to — the agenda's
events as JSON over a span of days, and moving a booking to another time or resource by
dragging it (through the reschedule use case, its refusal answered as JSON to show in place).

Scoped as the agenda page is: the business's data only, and for an employee only their
resources (anything else is a 404). The page itself and the list view are in
``console_agenda``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from booking_pages import agenda_events, catalogue
from booking_pages.console_agenda import Filters, booking_seen_by, day_lanes, filters_of, load_span
from booking_pages.console_auth import Staff, staff_only
from booking_pages.console_forms import parse_time
from booking_pages.web import PageError, Pages, read_form
from hub.domain.booking import Booking
from hub.domain.errors import DomainError, ValidationError

MAX_DAYS = 42  # a month view with its leading and trailing weeks
NO_STORE = {"Cache-Control": "no-store"}


def problem(status: int, message: str, code: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=NO_STORE)


def parse_wall(text: str, staff: Staff) -> datetime | None:
    """A wall-clock ``YYYY-MM-DDTHH:MM`` in the business's timezone (as the component sends)."""
    text = text.strip()
    if len(text) < 16 or text[10] != "T":
        return None
    day = catalogue.parse_day(text[:10])
    moment = parse_time(text[11:16])
    if day is None or moment is None:
        return None
    return datetime.combine(day, moment, staff.business.tz)


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    def events(staff: Staff, f: Filters, first: date, last: date, back: str) -> dict[str, Any]:
        data = load_span(pages, staff, f, first, last)
        tz = staff.business.tz
        now = data["now"]
        found = [
            agenda_events.booking_event(c, tz=tz, now=now, back=back, t=staff.t)
            for c in data["cards"]
        ]
        found += [
            agenda_events.block_event(b, data["resources"], tz=tz, t=staff.t)
            for b in data["blocks"]
        ]
        if (last - first).days < 7 and not f.status:
            day = first
            while day <= last:
                found += agenda_events.free_events(day_lanes(staff, f, data, day), tz=tz, t=staff.t)
                day += timedelta(days=1)
        return {"resources": agenda_events.resource_columns(data["resources"]), "events": found}

    async def feed(request: Request, staff: Staff) -> Response:
        params = request.query_params
        first = catalogue.parse_day(params.get("start"))
        end = catalogue.parse_day(params.get("end"))
        if first is None or end is None or not 0 < (end - first).days <= MAX_DAYS:
            return problem(400, staff.t("agenda.bad_span", days=MAX_DAYS), "bad_span")
        f = filters_of(request, staff, hub.now())
        back = params.get("back", "/console/agenda")
        back = back if back.startswith("/console/agenda") else "/console/agenda"
        body = await run_in_threadpool(events, staff, f, first, end - timedelta(days=1), back[:500])
        return JSONResponse(body, headers=NO_STORE)

    def visible_booking(staff: Staff, booking_id: str) -> Booking:
        return booking_seen_by(hub.uow(), staff, booking_id)

    async def move(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        booking = await run_in_threadpool(visible_booking, staff, request.path_params["id"])
        start = parse_wall(form.get("start", ""), staff)
        resource = form.get("resource", "").strip() or booking.resource_id
        if start is None:
            return problem(422, staff.t("console.bad_time"), "validation_error")
        if not staff.sees(resource):
            raise PageError(404, "error.not_found")
        kwargs: dict[str, Any] = {"by": staff.by}
        if form.get("version", "").isdigit():
            kwargs["expected_version"] = int(form["version"])
        try:
            if start == booking.start and resource != booking.resource_id:
                moved = await run_in_threadpool(
                    partial(hub.core.reassign_booking, **kwargs),
                    staff.business.id,
                    booking.id,
                    resource,
                )
            else:
                moved = await run_in_threadpool(
                    partial(hub.core.reschedule_booking, **kwargs),
                    staff.business.id,
                    booking.id,
                    start,
                    resource_id=resource,
                )
        except DomainError as exc:
            key = f"agenda.refused.{exc.code}"
            message = staff.t(key)
            if message == key:
                message = staff.t(f"console.refused.{exc.code}")
            status = 422 if isinstance(exc, ValidationError) else 409
            return problem(status, message, exc.code)
        tz = staff.business.tz
        return JSONResponse(
            {
                "id": moved.id,
                "resourceId": moved.resource_id,
                "start": agenda_events.wall(moved.start, tz),
                "end": agenda_events.wall(moved.end, tz),
                "version": moved.version,
                "message": staff.t("agenda.moved"),
            },
            headers=NO_STORE,
        )

    return [
        Route("/agenda.json", staff_only(pages, feed), methods=["GET"]),
        Route("/bookings/{id}/move", staff_only(pages, move), methods=["POST"]),
    ]
