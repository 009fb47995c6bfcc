"""Private booking endpoints beside the booking itself: the status transitions
(confirm, start, complete, no-show), the operator's availability and the invitee picker.

Registered before ``bookings`` so that ``/bookings/search-users`` is matched before
``/bookings/{id}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import JSONResponse, Response

from hub.api.bookings import booking_view
from hub.api.public import SLOTS_SCHEMA, VISIT_PARAMS, slots_json
from hub.api.registry import Call, Operations, Param
from hub.api.render import STR
from hub.api.schemas import DATE, ID, array, enum, integer, obj
from hub.api.views import BOOKING_SCHEMA, INTEGRATION
from hub.domain.booking import Booking
from hub.services import people
from hub.services.bound import Services
from hub.services.calendars import get_business

ops = Operations("bookings")


@ops.route(
    "GET",
    "/bookings/search-users",
    summary="Staff and known customers by name, email or phone (invitee picker)",
    query=(Param("q", {"type": "string", "minLength": 1, "maxLength": 100}, required=True),),
    responses={
        200: obj(
            {
                "items": array(
                    obj(
                        {
                            "kind": enum(["staff", "customer"]),
                            "id": STR,
                            "name": STR,
                            "email": {"type": ["string", "null"]},
                            "phone": {"type": ["string", "null"]},
                        },
                        ("kind", "id", "name"),
                        closed=False,
                    )
                )
            },
            ("items",),
            closed=False,
        )
    },
)
async def search_users(call: Call) -> Response:
    needle = call.query["q"].strip().lower()

    def find() -> list[dict[str, Any]]:
        found = people.search_people(
            call.hub.accounts_uow(), call.hub.uow(), call.business_id, needle
        )
        return [
            {"kind": p.kind, "id": p.id, "name": p.name, "email": p.email, "phone": p.phone}
            for p in found
        ]

    return JSONResponse({"items": await call.run(find)})


@ops.route(
    "GET",
    "/availability",
    summary="Free times for a service on any resource (operator view: no notice/horizon)",
    query=(
        Param("service", ID, required=True),
        Param("from", DATE, required=True),
        Param("to", DATE, required=True),
        Param("branch", ID),
        Param("resource", ID),
        Param("group", ID),
        Param("persons", integer(1, 100)),
        *VISIT_PARAMS,
    ),
    responses={200: SLOTS_SCHEMA},
)
async def operator_availability(call: Call) -> Response:
    def read() -> dict[str, Any]:
        with call.hub.uow() as uow:
            business = get_business(uow, call.business_id)
        return slots_json(call, business.id, business.timezone, public=False)

    return JSONResponse(await call.run(read))


def _transition(verb: str, use_case: Callable[..., Booking], summary: str) -> None:
    async def handler(call: Call) -> Response:
        def apply() -> Response:
            item = use_case(call.hub.core, call.business_id, call.path["id"], by=INTEGRATION)
            return booking_view(call, item)

        return await call.run(apply)

    handler.__name__ = f"{verb.replace('-', '_')}_booking"
    ops.route(
        "POST",
        f"/bookings/{{id}}/{verb}",
        summary=summary,
        responses={200: BOOKING_SCHEMA},
        errors=(409,),
    )(handler)


_transition("confirm", Services.confirm_booking, "pending → confirmed")
_transition("start", Services.start_booking, "confirmed → in_progress")
_transition("complete", Services.complete_booking, "in_progress → completed")
_transition("no-show", Services.mark_no_show, "confirmed → no_show")


@ops.route(
    "POST",
    "/bookings/{id}/check-in",
    summary="The client arrived (attendance system): confirmed → in_progress; a booking "
    "checked in never becomes a no-show",
    responses={200: BOOKING_SCHEMA},
    errors=(409,),
)
async def check_in_booking(call: Call) -> Response:
    def apply() -> Response:
        item = call.hub.core.check_in_booking(call.business_id, call.path["id"], by=INTEGRATION)
        return booking_view(call, item)

    return await call.run(apply)
