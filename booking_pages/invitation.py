"""An invitee's own page, reached by their link ``/book/invite/{booking}/{token}``: the
meeting they were invited to (what, when, where, the video link, the business organising it)
and their answer — yes, maybe, no — which they may change while the meeting is ahead.

Nothing of the client's shows here (name, phone, email, their link), and nothing here can
cancel or move the booking. An unknown or removed link is a plain 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.i18n import Translator
from booking_pages.public import translator
from booking_pages.web import PageError, Pages, read_form
from hub.domain.booking import ANSWERABLE, Actor, Booking, ChangedBy, Channel, Invitee
from hub.domain.booking import InviteeResponse as Response_
from hub.domain.errors import IllegalTransitionError, NotFoundError
from hub.domain.model import Branch, Business, Resource, Service
from hub.ical.vcalendar import booking_ics
from hub.ical.vevent import booking_vevent
from hub.services import setup
from hub.services.invitations import answer_invitation, get_invitation

INVITEE = ChangedBy(Actor.INVITEE, Channel.PAGE)
ANSWERS = (Response_.ACCEPTED, Response_.TENTATIVE, Response_.DECLINED)


@dataclass(frozen=True, slots=True)
class Invitation:
    booking: Booking
    invitee: Invitee
    business: Business
    service: Service
    resource: Resource
    branch: Branch | None

    @property
    def where(self) -> str | None:
        return self.booking.address or (self.branch.address if self.branch else None)


def load_invitation(pages: Pages, booking_id: str, token: str) -> Invitation:
    uow = pages.hub.uow()
    try:
        booking, invitee = get_invitation(uow, booking_id, token)
        business = setup.find_business(uow, business_id=booking.business_id)
        service = setup.get_service(uow, business.id, booking.service_id)
        resource = setup.get_resource(uow, business.id, booking.resource_id)
        branches = setup.list_branches(uow, business.id)
    except NotFoundError as exc:
        raise PageError(404, "error.no_booking") from exc
    branch = next((b for b in branches if b.id == booking.branch_id), None)
    if branch is None and branches:  # as the client's page does: the business's branch
        branch = branches[0]
    return Invitation(booking, invitee, business, service, resource, branch)


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    async def invitation_of(request: Request) -> tuple[Invitation, Translator]:
        found = await run_in_threadpool(
            load_invitation, pages, request.path_params["booking"], request.path_params["token"]
        )
        b = found.business
        return found, translator(request, b.language, b.country, b.timezone)

    def context(found: Invitation, **extra: Any) -> dict[str, Any]:
        return {
            "inv": found,
            "b": found.booking,
            "business": found.business,
            "answers": [a.value for a in ANSWERS],
            "open": found.booking.status in ANSWERABLE,
            "done": None,
            "problem": None,
            **extra,
        }

    def own_path(found: Invitation) -> str:
        return f"/book/invite/{found.booking.id}/{found.invitee.token}"

    async def show(request: Request) -> Response:
        found, t = await invitation_of(request)
        done = request.query_params.get("done")
        extra = {"done": done if done in {a.value for a in ANSWERS} else None}
        return pages.render(request, "public/invitation.html", context(found, **extra), t=t)

    async def answer(request: Request) -> Response:
        found, t = await invitation_of(request)
        form = await read_form(request)
        choice = form.get("response", "")
        if choice not in {a.value for a in ANSWERS}:
            raise PageError(400, "error.generic")
        try:
            await run_in_threadpool(
                answer_invitation,
                hub.uow(),
                found.booking.id,
                found.invitee.token,
                Response_(choice),
                by=INVITEE,
                now=hub.now(),
            )
        except IllegalTransitionError:
            ctx = context(found, problem=t("invite.closed"))
            return pages.render(request, "public/invitation.html", ctx, t=t, status=409)
        return RedirectResponse(f"{own_path(found)}?done={choice}", status_code=303)

    async def ics(request: Request) -> Response:
        found, _ = await invitation_of(request)
        with hub.uow() as uow:
            customer = uow.customers.get(found.business.id, found.booking.customer_id)
        if customer is None:
            raise PageError(404, "error.no_booking")
        event = booking_vevent(
            found.booking,
            found.business,
            found.service,
            found.resource,
            found.booking.client_of(customer),
            now=hub.now(),
            branch=found.branch,
            summary=f"{found.service.name} — {found.business.name}",
            invitee=found.invitee,
        )
        body = booking_ics(event, found.business.timezone, name=found.business.name)
        return Response(
            body,
            media_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="invitation.ics"'},
        )

    return [
        Route("/invite/{booking}/{token}", show, methods=["GET"], name="invitation"),
        Route("/invite/{booking}/{token}", answer, methods=["POST"]),
        Route("/invite/{booking}/{token}/invitation.ics", ics, methods=["GET"]),
    ]
