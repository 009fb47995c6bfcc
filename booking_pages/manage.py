"""The client's own booking, reached by its private link ``/book/manage/{token}``: the
confirmation after booking, the ICS download and "add to Google Calendar" link, cancelling
with a reason, and rescheduling to one of the offered times — within the business's limits,
which are explained when they stop the client.

An unknown token is a plain 404: the link is the only credential, so nothing tells a wrong
token from a booking of another business.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import segno
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages import catalogue
from booking_pages.catalogue import CLIENT
from booking_pages.i18n import Translator
from booking_pages.public import translator
from booking_pages.web import PageError, Pages, read_form
from hub.calendar_io import booking_download
from hub.domain.booking import Booking
from hub.domain.errors import (
    DomainError,
    IllegalTransitionError,
    NotFoundError,
    PolicyViolationError,
    SlotTakenError,
    ValidationError,
)
from hub.domain.model import Branch, Business, Customer, Resource, Service
from hub.services import customer_setup, setup
from hub.services.availability import get_booking_by_token
from hub.services.history import client_history

RESCHEDULE_DAYS = 14


@dataclass(frozen=True, slots=True)
class Ticket:
    """A booking with everything its page shows."""

    booking: Booking
    business: Business
    service: Service
    resource: Resource
    customer: Customer
    branch: Branch | None


def load_ticket(pages: Pages, token: str) -> Ticket:
    uow = pages.hub.uow()
    try:
        booking = get_booking_by_token(uow, token)
        business = setup.find_business(uow, business_id=booking.business_id)
        service = setup.get_service(uow, business.id, booking.service_id)
        resource = setup.get_resource(uow, business.id, booking.resource_id)
        # The client as they booked: never the name or contact of a record their phone matched.
        customer = booking.client_of(
            customer_setup.get_customer(uow, business.id, booking.customer_id)
        )
        branches = setup.list_branches(uow, business.id)
    except NotFoundError as exc:
        raise PageError(404, "error.no_booking") from exc
    branch = next((b for b in branches if b.id == booking.branch_id), None)
    if branch is None and branches:
        branch = branches[0]
    return Ticket(booking, business, service, resource, customer, branch)


def google_link(ticket: Ticket, manage_url: str) -> str:
    """An "add to Google Calendar" template link (the event is the client's own copy)."""
    b = ticket.booking
    fmt = "%Y%m%dT%H%M%SZ"
    location = b.address or (ticket.branch.address if ticket.branch else "")
    params = {
        "action": "TEMPLATE",
        "text": f"{ticket.service.name} — {ticket.business.name}",
        "dates": f"{b.start.astimezone(UTC).strftime(fmt)}/{b.end.astimezone(UTC).strftime(fmt)}",
        "details": manage_url,
        "location": location,
        "ctz": ticket.business.timezone,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(params)


def limits(ticket: Ticket, now: datetime) -> dict[str, str | None]:
    """Why the client may not cancel or reschedule now (``None``: they may)."""
    b = ticket.booking
    policy = ticket.business.policy
    why: dict[str, str | None] = {"cancel": "state", "reschedule": "state"}
    if b.occupies_time and b.started_at is None:
        try:
            policy.check_client_cancel(b.start, now)
            why["cancel"] = None
        except PolicyViolationError as exc:
            why["cancel"] = str(exc.details.get("rule"))
        try:
            policy.check_client_reschedule(b.start, now, b.reschedule_count)
            why["reschedule"] = None
        except PolicyViolationError as exc:
            why["reschedule"] = str(exc.details.get("rule"))
    return why


def reschedule_closed(ticket: Ticket, now: datetime) -> DomainError | None:
    """Why the client cannot reschedule online now (window closed, no changes left, a
    booking that no longer occupies time), or None when they can."""
    b = ticket.booking
    if not b.occupies_time or b.started_at is not None:
        return PolicyViolationError("this booking can no longer change", rule="state")
    try:
        ticket.business.policy.check_client_reschedule(b.start, now, b.reschedule_count)
    except PolicyViolationError as exc:
        return exc
    return None


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    async def ticket_of(request: Request) -> tuple[Ticket, Translator]:
        ticket = await run_in_threadpool(load_ticket, pages, request.path_params["token"])
        if ticket.booking.deposit_minor > 0:
            booking = ticket.booking
            payment = await run_in_threadpool(hub.core.get_payment, booking.business_id, booking.id)
            request.state.payment = payment
        b = ticket.business
        return ticket, translator(request, b.language, b.country, b.timezone)

    def context(ticket: Ticket, t: Translator, **extra: Any) -> dict[str, Any]:
        manage_url = f"{hub.settings.base_url}/book/manage/{ticket.booking.token}"
        when = f"{t.short_date(ticket.booking.start)} {t.time(ticket.booking.start)}"
        return {
            "ticket": ticket,
            "b": ticket.booking,
            "business": ticket.business,
            "policy": ticket.business.policy,
            "manage_url": manage_url,
            "google_url": google_link(ticket, manage_url),
            "whatsapp_url": catalogue.whatsapp_link(
                ticket.business.whatsapp_contact,
                t("manage.whatsapp_text", service=ticket.service.name, when=when),
            ),
            "why": limits(ticket, hub.now()),
            "payment": None,
            "new": False,
            "notice": None,
            "problem": None,
            **extra,
        }

    async def show(request: Request) -> Response:
        ticket, t = await ticket_of(request)
        notice = request.query_params.get("done")
        extra = {
            "new": request.query_params.get("new") == "1",
            "notice": notice,
            "payment": getattr(request.state, "payment", None),
        }
        return pages.render(request, "public/manage.html", context(ticket, t, **extra), t=t)

    async def ics(request: Request) -> Response:
        ticket, _ = await ticket_of(request)
        body = await run_in_threadpool(
            booking_download, hub.uow(), ticket.booking.token, now=hub.now()
        )
        return Response(
            body,
            media_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="booking.ics"'},
        )

    async def cancel(request: Request) -> Response:
        ticket, t = await ticket_of(request)
        form = await read_form(request)
        reason = form.get("reason", "").strip()[:500]
        try:
            await run_in_threadpool(
                lambda: hub.core.cancel_booking(
                    ticket.business.id, ticket.booking.id, by=CLIENT, reason=reason
                )
            )
        except (PolicyViolationError, IllegalTransitionError) as exc:
            return refused(request, ticket, t, exc)
        return RedirectResponse(f"/book/manage/{ticket.booking.token}?done=cancelled", 303)

    def refused(request: Request, ticket: Ticket, t: Translator, exc: DomainError) -> Response:
        rule = str(exc.details.get("rule", "state"))
        problem = t(f"policy.{rule}", **exc.details)
        return pages.render(
            request, "public/manage.html", context(ticket, t, problem=problem), t=t, status=409
        )

    async def reschedule_page(request: Request) -> Response:
        ticket, t = await ticket_of(request)
        closed = reschedule_closed(ticket, hub.now())
        if closed is not None:
            # Say why instead of listing times the change would be refused for.
            rule = str(closed.details.get("rule", "state"))
            ctx = context(
                ticket, t, offer=None, taken=False, closed=t(f"policy.{rule}", **closed.details)
            )
            return pages.render(request, "public/reschedule.html", ctx, t=t)
        offer = await run_in_threadpool(offered, pages, ticket, request.query_params.get("from"))
        ctx = context(ticket, t, offer=offer, taken=False, closed=None)
        return pages.render(request, "public/reschedule.html", ctx, t=t)

    async def reschedule(request: Request) -> Response:
        ticket, t = await ticket_of(request)
        form = await read_form(request)
        start = catalogue.parse_slot_code(form.get("start", ""))
        if start is None:
            raise PageError(400, "error.no_slot")
        try:
            await run_in_threadpool(
                hub.core.reschedule_booking,
                ticket.business.id,
                ticket.booking.id,
                start,
                by=CLIENT,
            )
        except SlotTakenError as exc:
            offer = await run_in_threadpool(offered, pages, ticket, None)
            ctx = context(ticket, t, offer=offer, taken=True, closed=None)
            unreachable = exc.details.get("reason") == "unreachable"
            ctx["problem"] = t("form.unreachable") if unreachable else None
            return pages.render(request, "public/reschedule.html", ctx, t=t, status=409)
        except (PolicyViolationError, IllegalTransitionError, ValidationError) as exc:
            return refused(request, ticket, t, exc)
        return RedirectResponse(f"/book/manage/{ticket.booking.token}?done=rescheduled", 303)

    async def history(request: Request) -> Response:
        """The client's bookings at this business (``hub.services.history``)."""
        token = request.path_params["token"]
        try:
            found = await run_in_threadpool(lambda: client_history(hub.uow(), token, now=hub.now()))
        except NotFoundError as exc:
            raise PageError(404, "error.no_booking") from exc
        b = found.business
        t = translator(request, b.language, b.country, b.timezone)
        context = {"h": found, "token": token, "business": found.business}
        response = pages.render(request, "public/history.html", context, t=t)
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    async def check_in_code(request: Request) -> Response:
        """The QR code staff scan at the door: it opens the console's check-in of this
        booking (a staff sign-in stands between the code and the check-in)."""
        ticket = await run_in_threadpool(load_ticket, pages, request.path_params["token"])
        if not ticket.booking.occupies_time:
            raise PageError(404, "error.no_booking")
        link = f"{hub.settings.base_url}/console/check-in/{ticket.booking.token}"
        out = io.BytesIO()
        segno.make(link, error="m").save(out, kind="svg", scale=6, border=2)
        return Response(
            out.getvalue(),
            media_type="image/svg+xml",
            headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"},
        )

    return [
        Route("/manage/{token}", show, methods=["GET"], name="manage"),
        Route("/manage/{token}/booking.ics", ics, methods=["GET"], name="manage-ics"),
        Route("/manage/{token}/check-in.svg", check_in_code, methods=["GET"]),
        Route("/manage/{token}/history", history, methods=["GET"]),
        Route("/manage/{token}/cancel", cancel, methods=["POST"], name="manage-cancel"),
        Route("/manage/{token}/reschedule", reschedule_page, methods=["GET"]),
        Route("/manage/{token}/reschedule", reschedule, methods=["POST"]),
    ]


def offered(pages: Pages, ticket: Ticket, from_day: str | None) -> dict[str, Any]:
    """Free times for the booking's service and resource over the next days, by day."""
    now = pages.hub.now()
    business = ticket.business
    first = catalogue.parse_day(from_day) or catalogue.today_in(business, now)
    first = max(first, catalogue.today_in(business, now))
    last = first + timedelta(days=RESCHEDULE_DAYS - 1)
    resource_id = None if ticket.booking.group_id else ticket.booking.resource_id
    slots = [
        s
        for s in catalogue.free_slots(
            pages.hub.core,
            business,
            ticket.service,
            first,
            last,
            resource_id=resource_id,
            location=ticket.booking.location,
        )
        if s.start != ticket.booking.start
    ]
    days: dict[Any, list[tuple[str, datetime]]] = {}
    for slot in slots:
        day = slot.start.astimezone(business.tz).date()
        days.setdefault(day, []).append((catalogue.slot_code(slot.start), slot.start))
    return {
        "days": days,
        "next": (last + timedelta(days=1)).isoformat(),
        "prev": (first - timedelta(days=RESCHEDULE_DAYS)).isoformat()
        if first > catalogue.today_in(business, now)
        else None,
    }
