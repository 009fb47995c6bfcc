"""Console: create a booking by hand (a phone call, a walk-in), and block hours or days on a
resource or a whole branch (vacation, holiday, maintenance) — and remove blocks.

Staff book any offered time, or with "outside hours" any free time (``force``); overlaps
are refused by the core either way. Employees book and block only their own resources.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from email.utils import getaddresses
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages import catalogue
from booking_pages.console_auth import Staff, staff_only
from booking_pages.web import PageError, Pages, read_form
from hub.domain.errors import DomainError, ValidationError
from hub.services import people, setup
from hub.services.blocks import NewBlock, create_block, delete_block
from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails, InviteeDetails
from hub.services.recurrence import MonthlyByWeekday, Repeat, Weekly, week_of_month
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
BLOCK_DAYS = 90
MAX_INVITEES = 50


def parse_time(text: str) -> time | None:
    try:
        return time.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


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
            customer=CustomerDetails(
                values["name"],
                values["phone"] or None,
                values["email"] or None,
                values["address"] or None,
            ),
            resource_id=resource,
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

    def blocks_context(staff: Staff, problem: str | None) -> dict[str, Any]:
        now = hub.now()
        ids = [r.id for r in staff.resources]
        branches = setup.list_branches(hub.uow(), staff.business.id)
        with hub.uow() as uow:
            found = uow.blocks.overlapping(
                staff.business.id,
                now,
                now + timedelta(days=BLOCK_DAYS),
                resource_ids=ids,
                branch_ids=[b.id for b in branches] if staff.is_admin else (),
            )
        names = {r.id: r.name for r in staff.resources} | {b.id: b.name for b in branches}
        return {
            "staff": staff,
            "blocks": sorted(found, key=lambda b: b.start),
            "names": names,
            "branches": branches if staff.is_admin else [],
            "problem": problem,
            "today": catalogue.today_in(staff.business, now).isoformat(),
        }

    async def blocks_page(request: Request, staff: Staff) -> Response:
        context = await run_in_threadpool(blocks_context, staff, None)
        return pages.render(request, "console/blocks.html", context, t=staff.t)

    async def add_block(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        target = form.get("target", "")
        kind, _, target_id = target.partition(":")
        if kind == "resource" and staff.sees(target_id):
            resource_id, branch_id = target_id, None
        elif kind == "branch" and staff.is_admin:
            resource_id, branch_id = None, target_id
        else:
            raise PageError(404, "error.not_found")
        span = block_span(form, staff)
        if span is None:
            context = await run_in_threadpool(blocks_context, staff, staff.t("console.bad_time"))
            return pages.render(request, "console/blocks.html", context, t=staff.t, status=422)
        try:
            await run_in_threadpool(
                create_block,
                hub.uow(),
                NewBlock(
                    staff.business.id,
                    span[0],
                    span[1],
                    reason=form.get("reason", "")[:200],
                    resource_id=resource_id,
                    branch_id=branch_id,
                ),
                by=staff.by,
                now=hub.now(),
            )
        except DomainError as exc:
            context = await run_in_threadpool(
                blocks_context, staff, staff.t(f"console.refused.{exc.code}")
            )
            return pages.render(request, "console/blocks.html", context, t=staff.t, status=422)
        return RedirectResponse("/console/blocks?done=1", status_code=303)

    async def remove_block(request: Request, staff: Staff) -> Response:
        await read_form(request)

        def remove() -> None:
            with hub.uow() as uow:
                block = uow.blocks.get(staff.business.id, request.path_params["id"])
            if block is None or not (
                staff.sees(block.resource_id) if block.resource_id else staff.is_admin
            ):
                raise PageError(404, "error.not_found")
            delete_block(hub.uow(), staff.business.id, block.id, by=staff.by, now=hub.now())

        await run_in_threadpool(remove)
        return RedirectResponse("/console/blocks", status_code=303)

    return [
        Route("/bookings/new", staff_only(pages, new_page), methods=["GET"]),
        Route("/bookings/new", staff_only(pages, create), methods=["POST"]),
        Route("/blocks", staff_only(pages, blocks_page), methods=["GET"], name="blocks"),
        Route("/blocks", staff_only(pages, add_block), methods=["POST"]),
        Route("/blocks/{id}/delete", staff_only(pages, remove_block), methods=["POST"]),
    ]


def block_span(form: dict[str, str], staff: Staff) -> tuple[datetime, datetime] | None:
    """From/to dates with optional times: whole days when no times are given."""
    first = catalogue.parse_day(form.get("from_date"))
    last = catalogue.parse_day(form.get("to_date")) or first
    if first is None or last is None or last < first:
        return None
    tz = staff.business.tz
    opens, closes = parse_time(form.get("from_time", "")), parse_time(form.get("to_time", ""))
    start = datetime.combine(first, opens or time(0), tz)
    end_day: date = last if closes else last + timedelta(days=1)
    end = datetime.combine(end_day, closes or time(0), tz)
    return (start, end) if end > start else None


def parse_invitees(text: str) -> list[InviteeDetails] | None:
    """Addresses as typed ("María López <maria@example.com>", one a line or comma-separated);
    None when something is not an address (the core checks each one further)."""
    found: list[InviteeDetails] = []
    for name, email in getaddresses([text.replace("\n", ",")]):
        if not email and not name:
            continue
        if "@" not in email:
            return None
        found.append(InviteeDetails(email, name))
    return found


def edit_invitees(text: str, add: str, remove: str) -> str:
    """The invitees field with ``add`` appended and ``remove`` (an address) left out."""
    current = parse_invitees(text) or []
    if add:
        current += parse_invitees(add) or []
    lines: list[str] = []
    seen: set[str] = set()
    for who in current:
        key = who.email.lower()
        if key in seen or key == remove.strip().lower():
            continue
        seen.add(key)
        name = "".join(c for c in who.name if c not in ',;:<>"@()[]\\')
        lines.append(f"{name} <{who.email}>" if name.strip() else who.email)
    return "\n".join(lines)


def parse_repeat(values: dict[str, str], first: date | None = None) -> Repeat | None:
    """Every N weeks, or the same weekday of every N months (the first date's: "2nd
    Tuesday"), N times or until a date; None when neither is given right."""
    until = catalogue.parse_day(values.get("repeat_until")) if values.get("repeat_until") else None
    count: int | None = None
    if until is None:
        text = values.get("repeat_count", "")
        if not text.isdigit() or not 1 <= int(text) <= MAX_SERIES:
            return None
        count = int(text)
    every = values.get("repeat_every", "") or "1"
    if not every.isdigit() or not 1 <= int(every) <= 52:
        return None
    try:
        if values.get("repeat_freq") == "monthly":
            day = first or catalogue.parse_day(values.get("date"))
            if day is None or int(every) > 12:
                return None
            return MonthlyByWeekday(
                week=week_of_month(day), every_months=int(every), count=count, until=until
            )
        return Weekly(every_weeks=int(every), count=count, until=until)
    except ValidationError:
        return None
