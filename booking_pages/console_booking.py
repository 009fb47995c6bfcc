"""Console: create a booking by hand (a phone call, a walk-in, a meeting with invitees and
a Meet link, a recurring series).

Staff book any offered time, or with "outside hours" any free time (``force``); overlaps
are refused by the core either way. Employees book only their own resources. Reading the
form is ``console_forms``; blocking time is ``console_blocks``.
"""

from __future__ import annotations

from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages import catalogue
from booking_pages.console_auth import Staff, staff_only
from booking_pages.console_forms import (
    MAX_INVITEES,
    edit_invitees,
    parse_invitees,
    parse_repeat,
    parse_time,
)
from booking_pages.web import PageError, Pages, read_form
from hub.domain.errors import DomainError, ValidationError
from hub.services import people, setup
from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails
from hub.services.recurrence import Repeat
from hub.services.series import MAX_SERIES, SeriesResult
from hub.services.zones import list_zones

BOOKING_FIELDS = (
    "service",
    "resource",
    "date",
    "time",
    "name",
    "phone",
    "email",
    "address",
    "zone",
    "title",
    "notes",
    "force",
    "invitees",
    "invitee_q",
    "meet",
    "repeat",
    "repeat_count",
    "repeat_until",
    "repeat_freq",
    "repeat_every",
    "series_mode",
)


def customer_of(values: dict[str, str], staff: Staff, invitees: bool) -> CustomerDetails:
    """Who the booking is for: as typed; for a meeting of the staff's own (a title or
    invitees, and no name, phone or email typed), the staff member who books it."""
    typed = any(values[k] for k in ("name", "phone", "email"))
    if not typed and (values["title"] or invitees):
        user = staff.user
        return CustomerDetails(user.name or user.email, None, user.email)
    return CustomerDetails(
        values["name"],
        values["phone"] or None,
        values["email"] or None,
        values["address"] or None,
    )


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    def new_form(
        request: Request,
        staff: Staff,
        values: dict[str, str],
        problem: str | None,
        status: int = 200,
    ) -> Response:
        services = setup.list_services(hub.uow(), staff.business.id, active_only=True)
        matches: list[people.Person] | None = None
        if values.get("do") == "search" and values.get("invitee_q", "").strip():
            matches = [
                p
                for p in people.search_people(
                    hub.accounts_uow(),
                    hub.uow(),
                    staff.business.id,
                    values.get("invitee_q", "")[:100],
                    customers=staff.is_admin,
                )
                if p.email
            ]
        context = {
            "staff": staff,
            "values": values,
            "problem": problem,
            "services": services,
            "zones": list_zones(hub.uow(), staff.business.id, active_only=True),
            "matches": matches,
            "invited": [i.email for i in parse_invitees(values.get("invitees", "")) or []],
            "max_series": MAX_SERIES,
        }
        return pages.render(request, "console/new_booking.html", context, t=staff.t, status=status)

    async def new_page(request: Request, staff: Staff) -> Response:
        values = dict.fromkeys(BOOKING_FIELDS, "")
        start = catalogue.parse_slot_code(request.query_params.get("start", ""))
        local = (start or hub.now()).astimezone(staff.business.tz)
        values["date"] = local.date().isoformat()
        values["time"] = local.strftime("%H:%M") if start else ""
        at = request.query_params.get("at", "")
        if start is None and len(at) == 16 and at[10] == "T":
            day, moment = catalogue.parse_day(at[:10]), parse_time(at[11:])
            if day is not None and moment is not None:
                values["date"], values["time"] = day.isoformat(), moment.strftime("%H:%M")
        values["resource"] = request.query_params.get("resource", "")
        if not values["resource"] and not staff.is_admin and staff.resources:
            values["resource"] = staff.resources[0].id
        values["meet"] = "1" if default_meet(staff) else ""
        values["repeat_count"] = "4"
        values["series_mode"] = "fits"
        return await run_in_threadpool(new_form, request, staff, values, None)

    def default_meet(staff: Staff) -> bool:
        services = setup.list_services(hub.uow(), staff.business.id, active_only=True)
        return bool(services) and services[0].video_meeting

    async def create(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        values = {k: form.get(k, "").strip() for k in BOOKING_FIELDS}
        t = staff.t
        if form.get("do") == "search":
            values["do"] = "search"
            return await run_in_threadpool(new_form, request, staff, values, None)
        if form.get("add") or form.get("remove"):
            values["invitees"] = edit_invitees(
                values["invitees"], form.get("add", ""), form.get("remove", "")
            )
            return await run_in_threadpool(new_form, request, staff, values, None)
        invitees = parse_invitees(values["invitees"])
        if invitees is None or len(invitees) > MAX_INVITEES:
            return await run_in_threadpool(
                new_form, request, staff, values, t("console.field.invitees"), 422
            )
        repeat: Repeat | None = None
        if values["repeat"] == "1" or form.get("do") == "review":
            values["repeat"] = "1"
            repeat = parse_repeat(values)
            if repeat is None:
                return await run_in_threadpool(
                    new_form, request, staff, values, t("console.series.bad_repeat"), 422
                )
        resource = values["resource"] or None
        if resource is not None and not staff.sees(resource):
            raise PageError(404, "error.not_found")
        if resource is None and not staff.is_admin:
            return await run_in_threadpool(
                new_form, request, staff, values, t("console.pick_resource"), 422
            )
        day = catalogue.parse_day(values["date"])
        at = parse_time(values["time"])
        if day is None or at is None:
            return await run_in_threadpool(
                new_form, request, staff, values, t("console.bad_time"), 422
            )
        request_ = NewBooking(
            business_id=staff.business.id,
            service_id=values["service"],
            start=datetime.combine(day, at, staff.business.tz),
            customer=customer_of(values, staff, bool(invitees)),
            resource_id=resource,
            title=values["title"][:200],
            notes=values["notes"],
            address=values["address"] or None,
            zone_id=values["zone"] or None,
            force=values["force"] == "1",
            invitees=tuple(invitees),
            video_meeting=values["meet"] == "1",
        )
        try:
            if repeat is not None and form.get("do") == "review":
                preview = await run_in_threadpool(
                    lambda: hub.core.preview_series(request_, repeat, by=staff.by)
                )
                return await run_in_threadpool(review_page, request, staff, values, preview)
            if repeat is not None:
                result = await run_in_threadpool(
                    lambda: hub.core.create_series(
                        request_,
                        repeat,
                        by=staff.by,
                        all_or_nothing=values["series_mode"] == "all",
                    )
                )
                return await run_in_threadpool(series_page, request, staff, result)
            booking = await run_in_threadpool(hub.core.create_booking, request_, by=staff.by)
        except DomainError as exc:
            key = (
                f"console.field.{exc.field}"
                if isinstance(exc, ValidationError) and exc.field
                else f"console.refused.{exc.code}"
            )
            return await run_in_threadpool(
                new_form,
                request,
                staff,
                values,
                t(key),
                409 if not isinstance(exc, ValidationError) else 422,
            )
        local = booking.start.astimezone(staff.business.tz).date().isoformat()
        return RedirectResponse(f"/console/agenda?date={local}&done=created#b-{booking.id}", 303)

    def review_page(
        request: Request, staff: Staff, values: dict[str, str], preview: SeriesResult
    ) -> Response:
        """The "Revisar" step: each date free or taken (and why), then book what fits or
        all or nothing, with the form's values carried over."""
        context = {
            "staff": staff,
            "values": values,
            "dates": preview.occurrences,
            "taken": len(preview.conflicts),
        }
        return pages.render(request, "console/series_review.html", context, t=staff.t)

    def series_page(request: Request, staff: Staff, result: SeriesResult) -> Response:
        tz = staff.business.tz
        context = {
            "staff": staff,
            "booked": [(b.id, b.start.astimezone(tz)) for b in result.booked],
            "series_id": result.series_id if result.booked else None,
            "refused": [(c.start.astimezone(tz), c.code) for c in result.conflicts],
        }
        status = 200 if result.booked else 409
        return pages.render(
            request, "console/series_result.html", context, t=staff.t, status=status
        )

    return [
        Route("/bookings/new", staff_only(pages, new_page), methods=["GET"]),
        Route("/bookings/new", staff_only(pages, create), methods=["POST"]),
    ]
