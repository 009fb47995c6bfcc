"""Console: the business's customers ("Clientes") — found by name, phone or email (case and
accents do not count), with how many bookings each has and their last visit — and one
customer's page with their contact and bookings.

An employee sees only the customers with bookings on their resources, and those bookings;
the search and the counting are ``hub.services.customer_directory``'s.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from booking_pages.console_auth import Staff, staff_only
from booking_pages.web import PageError, Pages
from hub.domain.booking import Booking
from hub.domain.errors import NotFoundError
from hub.domain.model import Customer
from hub.services import setup
from hub.services.customer_directory import customer_bookings, find_customers
from hub.services.customers import whatsapp_number

MAX_QUERY = 100
SHOWN = 100


def _scope(staff: Staff) -> list[str] | None:
    return None if staff.is_admin else [r.id for r in staff.resources]


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    async def customers_page(request: Request, staff: Staff) -> Response:
        query = request.query_params.get("q", "")[:MAX_QUERY]
        lines = await run_in_threadpool(
            lambda: find_customers(
                hub.uow(),
                staff.business.id,
                query,
                now=hub.now(),
                resource_ids=_scope(staff),
                limit=SHOWN + 1,
            )
        )
        context = {
            "staff": staff,
            "q": query,
            "lines": lines[:SHOWN],
            "more": len(lines) > SHOWN,
        }
        return pages.render(request, "console/customers.html", context, t=staff.t)

    async def customer_page(request: Request, staff: Staff) -> Response:
        def read() -> tuple[Customer, list[tuple[Booking, str, str]]]:
            customer, bookings = customer_bookings(
                hub.uow(),
                staff.business.id,
                request.path_params["id"],
                resource_ids=_scope(staff),
            )
            services = {s.id: s.name for s in setup.list_services(hub.uow(), staff.business.id)}
            resources = {r.id: r.name for r in setup.list_resources(hub.uow(), staff.business.id)}
            return customer, [
                (b, services.get(b.service_id, "?"), resources.get(b.resource_id, "?"))
                for b in bookings
            ]

        try:
            customer, rows = await run_in_threadpool(read)
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc
        phone = customer.phone
        context = {
            "staff": staff,
            "customer": customer,
            "rows": rows,
            "whatsapp": f"https://wa.me/{whatsapp_number(phone).lstrip('+')}" if phone else None,
            "here": quote(request.url.path, safe=""),
        }
        return pages.render(request, "console/customer.html", context, t=staff.t)

    return [
        Route("/customers", staff_only(pages, customers_page), methods=["GET"], name="customers"),
        Route("/customers/{id}", staff_only(pages, customer_page), methods=["GET"]),
    ]
