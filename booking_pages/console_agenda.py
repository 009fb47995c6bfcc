"""Console agenda: the day timeline (today by default), week and month views with filters
(status, branch, resource), one booking's page (with its notification log), the state
actions (confirm, start, finish, cancel with reason, no-show), and the week summary.

An employee sees the resources they are linked to; any other booking is a 404 for them.
Creating bookings is in ``console_booking``, blocks in ``console_blocks``; setup screens
in ``console_setup``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages import agenda, catalogue
from booking_pages.console_auth import Staff, safe_next, staff_only
from booking_pages.console_forms import MAX_INVITEES, parse_invitees
from booking_pages.web import PageError, Pages, read_form
from hub.domain.booking import Booking, BookingStatus
from hub.domain.errors import DomainError, NotFoundError
from hub.domain.model import Block, Customer
from hub.services import accounts, customer_setup, setup
from hub.services.availability import get_booking, list_bookings
from hub.services.bound import Services
from hub.services.ports import UnitOfWork
from hub.services.records import booking_history, service_record_of
from hub.services.zones import get_zone
from scheduler.status import NotificationRecord, notification_log

VIEWS = ("day", "week", "month")
ACTIONS = {
    "confirm": Services.confirm_booking,
    "start": Services.start_booking,
    "complete": Services.complete_booking,
    "no_show": Services.mark_no_show,
}


@dataclass(frozen=True, slots=True)
class Filters:
    view: str
    day: date
    status: str
    branch: str
    resource: str

    def query(self, **changes: str) -> str:
        values = {
            "view": self.view,
            "date": self.day.isoformat(),
            "status": self.status,
            "branch": self.branch,
            "resource": self.resource,
            **changes,
        }
        return "?" + urlencode({k: v for k, v in values.items() if v})


def booking_seen_by(uow: UnitOfWork, staff: Staff, booking_id: str) -> Booking:
    """The booking, if it is this staff member's business's and on a resource they see; a
    404 page otherwise (never saying which)."""
    try:
        booking = get_booking(uow, staff.business.id, booking_id)
    except NotFoundError as exc:
        raise PageError(404, "error.no_booking") from exc
    if not staff.sees(booking.resource_id):
        raise PageError(404, "error.no_booking")
    return booking


def filters_of(request: Request, staff: Staff, now: datetime) -> Filters:
    params = request.query_params
    today = catalogue.today_in(staff.business, now)
    view = params.get("view", "day")
    status = params.get("status", "")
    resource = params.get("resource", "")
    return Filters(
        view=view if view in VIEWS else "day",
        day=catalogue.parse_day(params.get("date")) or today,
        status=status if status in {s.value for s in BookingStatus} else "",
        branch=params.get("branch", ""),
        resource=resource if any(r.id == resource for r in staff.resources) else "",
    )


def span(f: Filters) -> tuple[date, date]:
    if f.view == "week":
        first = f.day - timedelta(days=f.day.weekday())
        return first, first + timedelta(days=6)
    if f.view == "month":
        first = f.day.replace(day=1)
        return first, catalogue.month_end(first)
    return f.day, f.day


def load(pages: Pages, staff: Staff, f: Filters) -> dict[str, Any]:
    """Bookings and blocks of the visible resources over the view's span, as cards."""
    first, last = span(f)
    return load_span(pages, staff, f, first, last)


def load_span(pages: Pages, staff: Staff, f: Filters, first: date, last: date) -> dict[str, Any]:
    """Bookings and blocks of the visible resources from ``first`` to ``last``, as cards."""
    tz = staff.business.tz
    start = datetime.combine(first, time(0), tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tz)
    resources = [
        r
        for r in staff.resources
        if (not f.resource or r.id == f.resource) and (not f.branch or f.branch in r.branch_ids)
    ]
    ids = [r.id for r in resources]
    now = pages.hub.now()
    statuses = [BookingStatus(f.status)] if f.status else None
    bookings = (
        list_bookings(
            pages.hub.uow(), staff.business.id, start, end, resource_ids=ids, statuses=statuses
        )
        if ids
        else []
    )
    with pages.hub.uow() as uow:
        blocks = (
            uow.blocks.overlapping(staff.business.id, start, end, resource_ids=ids) if ids else []
        )
    services = {s.id: s.name for s in setup.list_services(pages.hub.uow(), staff.business.id)}
    names = {r.id: r.name for r in staff.resources}
    customers: dict[str, Customer | None] = {}
    cards = []
    for b in bookings:
        if b.customer_id not in customers:
            try:
                customers[b.customer_id] = customer_setup.get_customer(
                    pages.hub.uow(), staff.business.id, b.customer_id
                )
            except NotFoundError:
                customers[b.customer_id] = None
        cards.append(
            agenda.Card(
                b,
                customers[b.customer_id],
                services.get(b.service_id, "?"),
                names.get(b.resource_id, "?"),
                agenda.phase(b.start, b.end, now),
                agenda.actions_for(b, now),
            )
        )
    return {
        "resources": resources,
        "cards": cards,
        "blocks": blocks,
        "start": start,
        "end": end,
        "now": now,
        "first": first,
        "last": last,
    }


@dataclass(frozen=True, slots=True)
class HistoryLine:
    at: datetime
    action: str
    channel: str
    who: str
    data: dict[str, Any]


def agenda_history(pages: Pages, staff: Staff, booking_id: str) -> list[HistoryLine]:
    """The booking's audit entries as lines to read: staff by name, others by their role."""
    entries = booking_history(pages.hub.uow(), staff.business.id, booking_id)
    names = {
        u.id: u.name or u.email
        for u in accounts.list_users(pages.hub.accounts_uow(), staff.business.id)
    }
    return [
        HistoryLine(
            e.at,
            e.action,
            e.channel,
            names.get(e.actor_id or "", "") or staff.t(f"history.actor.{e.actor}"),
            e.data,
        )
        for e in entries
    ]


def day_lanes(
    staff: Staff, f: Filters, data: dict[str, Any], day: date | None = None
) -> list[agenda.Lane]:
    cards: list[agenda.Card] = data["cards"]
    blocks: list[Block] = data["blocks"]
    return [
        agenda.lane(
            r,
            day or f.day,
            tz=staff.business.tz,
            cards=[c for c in cards if c.booking.resource_id == r.id],
            blocks=blocks,
            now=data["now"],
        )
        for r in data["resources"]
    ]


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    async def agenda_page(request: Request, staff: Staff) -> Response:
        f = filters_of(request, staff, hub.now())
        data = await run_in_threadpool(load, pages, staff, f)
        first, last = span(f)
        step = {"day": timedelta(days=1), "week": timedelta(days=7)}.get(f.view)
        prev_day = f.day - step if step else catalogue.add_months(f.day.replace(day=1), -1)
        next_day = f.day + step if step else catalogue.add_months(f.day.replace(day=1), 1)
        context = {
            "staff": staff,
            "f": f,
            "data": data,
            "lanes": day_lanes(staff, f, data) if f.view == "day" else [],
            "days": [first + timedelta(days=i) for i in range((last - first).days + 1)],
            "grid": catalogue.month_grid(
                f.day.replace(day=1),
                set(),
                today=catalogue.today_in(staff.business, data["now"]),
                selected=f.day,
            )
            if f.view == "month"
            else [],
            "branches": setup.list_branches(hub.uow(), staff.business.id),
            "prev": f.query(date=prev_day.isoformat()),
            "next": f.query(date=next_day.isoformat()),
            "today": f.query(date=catalogue.today_in(staff.business, data["now"]).isoformat()),
            "statuses": [s.value for s in BookingStatus],
            "back": request.url.path + ("?" + request.url.query if request.url.query else ""),
            "done": request.query_params.get("done"),
            "code": catalogue.slot_code,
            "tz": staff.business.tz,
            "hours": agenda.grid_hours(staff.resources),
            "week_blocks": agenda.blocks_by_day(data["blocks"], staff.business.tz, first, last),
            "names": {r.id: r.name for r in staff.resources},
            "columns": [{"id": r.id, "title": r.name} for r in data["resources"]],
            "filters": {
                k: v
                for k, v in (("status", f.status), ("branch", f.branch), ("resource", f.resource))
                if v
            },
        }
        return pages.render(request, "console/agenda.html", context, t=staff.t)

    def visible_booking(staff: Staff, booking_id: str) -> Booking:
        return booking_seen_by(hub.uow(), staff, booking_id)

    async def booking_page(
        request: Request, staff: Staff, problem: str | None = None, status: int = 200
    ) -> Response:
        booking = await run_in_threadpool(visible_booking, staff, request.path_params["id"])

        def details() -> dict[str, Any]:
            uow = hub.uow()
            return {
                "customer": customer_setup.get_customer(
                    uow, staff.business.id, booking.customer_id
                ),
                "service": setup.get_service(uow, staff.business.id, booking.service_id),
                "resource": setup.get_resource(uow, staff.business.id, booking.resource_id),
                "zone": (
                    get_zone(uow, staff.business.id, booking.zone_id)
                    if booking.zone_id is not None
                    else None
                ),
            }

        def log() -> list[NotificationRecord]:
            with hub.database.sessions() as session:
                return notification_log(session, staff.business.id, booking.id)

        def organizer() -> str | None:
            if booking.organizer_id is None:
                return None
            with hub.accounts_uow() as accounts_uow:
                user = accounts_uow.users.get(booking.organizer_id)
            if user is None or user.business_id != staff.business.id:
                return None
            return user.name or user.email

        extra = await run_in_threadpool(details)
        organizer_name = await run_in_threadpool(organizer)
        notifications = await run_in_threadpool(log)
        history = await run_in_threadpool(agenda_history, pages, staff, booking.id)
        record = await run_in_threadpool(
            service_record_of, hub.uow(), staff.business.id, booking.id
        )
        now = hub.now()
        card = agenda.Card(
            booking,
            extra["customer"],
            extra["service"].name,
            extra["resource"].name,
            agenda.phase(booking.start, booking.end, now),
            agenda.actions_for(booking, now),
        )
        back = safe_next(request.query_params.get("next"))
        context = {
            "staff": staff,
            "card": card,
            "back": back,
            "problem": problem,
            "notifications": notifications,
            "history": history,
            "record": record,
            "zone": extra["zone"],
            "manage_url": f"{hub.settings.base_url}/book/manage/{booking.token}",
            "organizer": organizer_name,
            "invitees_text": "\n".join(
                f"{i.name} <{i.email}>" if i.name else i.email for i in booking.invitees
            ),
        }
        return pages.render(request, "console/booking.html", context, t=staff.t, status=status)

    async def act(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        action = request.path_params["action"]
        booking = await run_in_threadpool(visible_booking, staff, request.path_params["id"])
        kwargs: dict[str, Any] = {"by": staff.by}
        if form.get("version", "").isdigit():
            kwargs["expected_version"] = int(form["version"])
        try:
            if action == "cancel":
                await run_in_threadpool(
                    hub.core.cancel_booking,
                    staff.business.id,
                    booking.id,
                    reason=form.get("reason", "").strip()[:500],
                    **kwargs,
                )
            elif action == "edit":
                invitees = parse_invitees(form.get("invitees", ""))
                if invitees is None or len(invitees) > MAX_INVITEES:
                    problem = staff.t("console.field.invitees")
                    return await booking_page(request, staff, problem=problem, status=422)
                notes = form.get("notes", "").strip()[:2000]
                title = form["title"].strip()[:200] if "title" in form else None
                await run_in_threadpool(
                    lambda: hub.core.edit_booking(
                        staff.business.id,
                        booking.id,
                        by=staff.by,
                        title=title,
                        notes=notes,
                        invitees=invitees,
                        expected_version=kwargs.get("expected_version"),
                    )
                )
            elif action in ACTIONS:
                await run_in_threadpool(
                    ACTIONS[action], hub.core, staff.business.id, booking.id, **kwargs
                )
            else:
                raise PageError(404, "error.not_found")
        except DomainError as exc:
            problem = staff.t(f"console.refused.{exc.code}")
            return await booking_page(request, staff, problem=problem, status=409)
        target = safe_next(form.get("next"))
        joiner = "&" if "?" in target else "?"
        return RedirectResponse(f"{target}{joiner}done={action}#b-{booking.id}", status_code=303)

    async def summary(request: Request, staff: Staff) -> Response:
        f = filters_of(request, staff, hub.now())
        week = Filters("week", f.day, "", f.branch, f.resource)
        data = await run_in_threadpool(load, pages, staff, week)
        starting = [c.booking for c in data["cards"] if data["start"] <= c.booking.start]
        context = {
            "staff": staff,
            "summary": agenda.summarise(starting, staff.business.tz),
            "first": data["first"],
            "last": data["last"],
            "prev": week.query(view="", date=(f.day - timedelta(days=7)).isoformat()),
            "next": week.query(view="", date=(f.day + timedelta(days=7)).isoformat()),
        }
        return pages.render(request, "console/summary.html", context, t=staff.t)

    return [
        Route("/agenda", staff_only(pages, agenda_page), methods=["GET"], name="agenda"),
        Route("/bookings/{id}", staff_only(pages, booking_page), methods=["GET"]),
        Route("/bookings/{id}/{action}", staff_only(pages, act), methods=["POST"]),
        Route("/summary", staff_only(pages, summary), methods=["GET"], name="summary"),
    ]
