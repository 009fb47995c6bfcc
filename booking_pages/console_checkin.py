"""Console: check a client in by the QR code of their manage link. The code (shown on the
client's manage page, ``/book/manage/{token}/check-in.svg``) opens
``/console/check-in/{token}`` on the phone of a signed-in staff member, who sees the
booking and checks the client in: confirmed → in_progress, through the core (which then
never marks it a no-show). A staff member of another business, or one who does not see the
booking's resource, gets a 404 like any unknown code.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.console_auth import Staff, staff_only
from booking_pages.web import PageError, Pages, read_form
from hub.domain.booking import Booking
from hub.domain.errors import DomainError, NotFoundError
from hub.services import customer_setup, setup
from hub.services.availability import get_booking_by_token


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    def found(staff: Staff, token: str) -> Booking:
        try:
            booking = get_booking_by_token(hub.uow(), token)
        except NotFoundError as exc:
            raise PageError(404, "error.no_booking") from exc
        if booking.business_id != staff.business.id or not staff.sees(booking.resource_id):
            raise PageError(404, "error.no_booking")
        return booking

    async def page(
        request: Request, staff: Staff, problem: str | None = None, status: int = 200
    ) -> Response:
        booking = await run_in_threadpool(found, staff, request.path_params["token"])

        def names() -> tuple[str, str]:
            uow = hub.uow()
            customer = customer_setup.get_customer(uow, staff.business.id, booking.customer_id)
            service = setup.get_service(uow, staff.business.id, booking.service_id)
            return booking.client_of(customer).name, service.name

        client, service = await run_in_threadpool(names)
        context = {
            "staff": staff,
            "booking": booking,
            "client": client,
            "service": service,
            "problem": problem,
        }
        return pages.render(request, "console/check_in.html", context, t=staff.t, status=status)

    async def check_in(request: Request, staff: Staff) -> Response:
        await read_form(request)
        booking = await run_in_threadpool(found, staff, request.path_params["token"])
        try:
            await run_in_threadpool(
                lambda: hub.core.check_in_booking(staff.business.id, booking.id, by=staff.by)
            )
        except DomainError as exc:
            problem = staff.t(f"console.refused.{exc.code}")
            return await page(request, staff, problem, 409)
        return RedirectResponse(f"/console/bookings/{booking.id}?done=check_in", 303)

    return [
        Route("/check-in/{token}", staff_only(pages, page), methods=["GET"]),
        Route("/check-in/{token}", staff_only(pages, check_in), methods=["POST"]),
    ]
