"""Public endpoints (no auth) of a client's booking: book a free time, and read, cancel,
move or download a booking through its token (the link the client was sent). Finding a
business and its free times is in ``public``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from hub.api import geo, inputs
from hub.api.registry import Call, Operations
from hub.api.schemas import DATE_TIME, EMAIL, ID, NAME, TEXT, integer, obj
from hub.api.views import (
    CLIENT,
    PUBLIC_BOOKING_SCHEMA,
    business_by_slug,
    public_booking,
)
from hub.calendar_io import booking_download
from hub.domain.booking import Booking
from hub.services import availability as reads
from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails

ops = Operations("public")

NEW_PUBLIC_BOOKING = obj(
    {
        "service": ID,
        "branch": ID,
        "resource": ID,
        "group": ID,
        "start": DATE_TIME,
        "persons": integer(1, 100),
        "customer": obj(
            {
                "name": NAME,
                "phone": {"type": "string", "minLength": 3, "maxLength": 40},
                "email": EMAIL,
                "address": TEXT,
            },
            ("name", "phone"),
        ),
        "address": TEXT,
        **geo.VISIT_IN,
        "notes": TEXT,
    },
    ("service", "start", "customer"),
)


@ops.route(
    "POST",
    "/public/businesses/{slug}/bookings",
    summary="Book a free time as a client (no account)",
    body=NEW_PUBLIC_BOOKING,
    responses={201: PUBLIC_BOOKING_SCHEMA},
    errors=(409,),
    auth=False,
    public_write=True,
)
async def create_public_booking(call: Call) -> Response:
    body = call.body
    start = inputs.instant(body["start"], "start")
    who = body["customer"]

    def book() -> dict[str, Any]:
        with call.hub.uow() as uow:
            business = business_by_slug(uow, call.path["slug"])
        request = NewBooking(
            business_id=business.id,
            service_id=body["service"],
            start=start,
            customer=CustomerDetails(
                name=who["name"].strip(),
                phone=who["phone"],
                email=who.get("email"),
                address=who.get("address"),
            ),
            resource_id=body.get("resource"),
            group_id=body.get("group"),
            branch_id=body.get("branch"),
            persons=body.get("persons", 1),
            notes=body.get("notes", ""),
            address=body.get("address"),
            **geo.visit_in(body),
        )
        created = call.hub.core.create_booking(request, by=CLIENT)
        call.hub.metrics.bookings_created.labels("public_api").inc()
        return _public(call, created)

    return JSONResponse(await call.run(book), status_code=201)


def _public(call: Call, item: Booking) -> dict[str, Any]:
    with call.hub.uow() as uow:
        return public_booking(uow, item, call.hub.settings.base_url)


def _by_token(call: Call) -> Booking:
    return reads.get_booking_by_token(call.hub.uow(), call.path["token"])


@ops.route(
    "GET",
    "/public/bookings/{token}",
    summary="A booking, by the token in the client's link",
    responses={200: PUBLIC_BOOKING_SCHEMA},
    auth=False,
)
async def get_public_booking(call: Call) -> Response:
    return JSONResponse(await call.run(lambda: _public(call, _by_token(call))))


@ops.route(
    "POST",
    "/public/bookings/{token}/cancel",
    summary="Cancel a booking as its client (within the business's cancel window)",
    body=obj({"reason": TEXT}),
    body_required=False,
    responses={200: PUBLIC_BOOKING_SCHEMA},
    errors=(409,),
    auth=False,
    public_write=True,
)
async def cancel_public_booking(call: Call) -> Response:
    def cancel() -> dict[str, Any]:
        item = _by_token(call)
        done = call.hub.core.cancel_booking(
            item.business_id,
            item.id,
            by=CLIENT,
            reason=(call.body.get("reason") or "").strip(),
        )
        return _public(call, done)

    return JSONResponse(await call.run(cancel))


@ops.route(
    "POST",
    "/public/bookings/{token}/reschedule",
    summary="Move a booking to another free time as its client",
    body=obj({"start": DATE_TIME}, ("start",)),
    responses={200: PUBLIC_BOOKING_SCHEMA},
    errors=(409,),
    auth=False,
    public_write=True,
)
async def reschedule_public_booking(call: Call) -> Response:
    start = inputs.instant(call.body["start"], "start")

    def move() -> dict[str, Any]:
        item = _by_token(call)
        done = call.hub.core.reschedule_booking(item.business_id, item.id, start, by=CLIENT)
        return _public(call, done)

    return JSONResponse(await call.run(move))


@ops.route(
    "GET",
    "/public/bookings/{token}/booking.ics",
    summary="The booking as an iCalendar file (RFC 5545), for the client's calendar",
    responses={200: {"type": "string"}},
    media_type="text/calendar",
    auth=False,
)
async def public_booking_ics(call: Call) -> Response:
    def render() -> bytes:
        return booking_download(call.hub.uow(), call.path["token"], now=call.hub.now())

    body = await call.run(render)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="booking.ics"'},
    )
