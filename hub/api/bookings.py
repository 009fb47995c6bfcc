"""Private booking endpoints (bearer API key of one business): list (cursor pagination),
create (operator/CRM), read with an ETag, reschedule/edit honouring If-Match, and cancel.
Every lookup is scoped to the key's business. Status transitions, the operator's
availability and the invitee picker are in ``booking_actions``.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from starlette.responses import JSONResponse, Response

from hub.api import geo, inputs
from hub.api.errors import ApiError
from hub.api.registry import Call, Operations, Param
from hub.api.schemas import (
    DATE_TIME,
    EMAIL,
    ID,
    NAME,
    TEXT,
    array,
    enum,
    integer,
    obj,
    page_of,
)
from hub.api.views import BOOKING_SCHEMA, INTEGRATION, booking, booking_response
from hub.domain.booking import Booking, BookingStatus
from hub.domain.errors import StaleVersionError
from hub.domain.search import matches
from hub.services import accounts
from hub.services import availability as reads
from hub.services.booking_create import NewBooking
from hub.services.calendars import get_business
from hub.services.customers import CustomerDetails, InviteeDetails

ops = Operations("bookings")

EVERYTHING = (datetime(1970, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC))
CUSTOMER_IN = obj(
    {
        "name": NAME,
        "phone": {"type": "string", "minLength": 3, "maxLength": 40},
        "email": EMAIL,
        "address": TEXT,
    },
    ("name",),
)
INVITEES = array(
    {
        "anyOf": [
            EMAIL,
            obj({"email": EMAIL, "name": {"type": "string", "maxLength": 200}}, ("email",)),
        ]
    },
    max_items=50,
)


def invitees_in(body: dict[str, Any]) -> tuple[str | InviteeDetails, ...]:
    """``invitees`` as given: addresses, or ``{email, name}`` objects."""
    return tuple(
        InviteeDetails(i["email"], i.get("name", "")) if isinstance(i, dict) else i
        for i in body.get("invitees", ())
    )


TITLE = {
    "type": "string",
    "maxLength": 200,
    "description": "What the meeting is called: its calendar events' title (SUMMARY); "
    "empty: the service and the client's name",
}
# What a new booking (or a series' first date) may say; ``new_booking`` reads it.
NEW_BOOKING_FIELDS: dict[str, Any] = {
    "service": ID,
    "start": DATE_TIME,
    "resource": ID,
    "group": ID,
    "branch": ID,
    "customer": CUSTOMER_IN,
    "customer_id": ID,
    "persons": integer(1, 100),
    "invitees": INVITEES,
    "title": TITLE,
    "notes": TEXT,
    "address": TEXT,
    **geo.VISIT_IN,
    "external_ref": {"type": "string", "minLength": 1, "maxLength": 200},
    "force": {"type": "boolean", "description": "Outside the offered times; never an overlap"},
    "video_meeting": {
        "type": "boolean",
        "description": "Ask for a video link (Google Meet, when the resource's calendar is "
        "connected); default: the service's setting",
    },
    "organizer": {
        "type": "string",
        "minLength": 1,
        "maxLength": 254,
        "description": "The staff member (user id or email) the booking is made on behalf "
        "of: they get its confirmation, changes, cancellation and reminder as organizer",
    },
}
NEW_BOOKING = obj(NEW_BOOKING_FIELDS, ("service", "start"))
PATCH_BOOKING = obj(
    {
        "start": DATE_TIME,
        "resource_id": {
            **ID,
            "description": "Move the booking to this resource (one that "
            "does the service and is free then), with or without a new start",
        },
        "force": {"type": "boolean"},
        "title": TITLE,
        "notes": TEXT,
        "invitees": INVITEES,
        "address": TEXT,
        **geo.VISIT_IN,
    }
)


def booking_view(call: Call, item: Booking) -> Response:
    with call.hub.uow() as uow:
        business = get_business(uow, item.business_id)
        who = uow.customers.get(item.business_id, item.customer_id)
    return booking_response(item, business, call.hub.settings.base_url, who)


def _cursor(value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    try:
        start, _, booking_id = base64.urlsafe_b64decode(value.encode()).decode().partition("|")
        datetime.fromisoformat(start)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ApiError(422, "validation_error", "cursor is not valid", {"field": "cursor"}) from exc
    return start, booking_id


def _position(item: Booking) -> tuple[str, str]:
    return item.start.astimezone(UTC).isoformat(), item.id


@ops.route(
    "GET",
    "/bookings",
    summary="Bookings of the business (cursor pagination, by start time)",
    query=(
        Param("from", DATE_TIME, description="Bookings ending after this instant"),
        Param("to", DATE_TIME, description="Bookings starting before this instant"),
        Param("status", enum([s.value for s in BookingStatus])),
        Param("branch", ID),
        Param("resource", ID),
        Param("q", {"type": "string", "maxLength": 100}, description="Customer name/phone/email"),
        Param("external_ref", {"type": "string", "maxLength": 200}),
        Param("limit", integer(1, 200)),
        Param("cursor", {"type": "string", "maxLength": 500}),
    ),
    responses={200: page_of(BOOKING_SCHEMA)},
)
async def list_bookings(call: Call) -> Response:
    q = call.query
    after = _cursor(q.get("cursor"))
    limit = q.get("limit", 50)
    needle = str(q.get("q", "")).strip().lower()

    def read() -> dict[str, Any]:
        found = reads.list_bookings(
            call.hub.uow(),
            call.business_id,
            q.get("from", EVERYTHING[0]),
            q.get("to", EVERYTHING[1]),
            resource_ids=[q["resource"]] if "resource" in q else None,
            statuses=[BookingStatus(q["status"])] if "status" in q else None,
        )
        found.sort(key=_position)
        with call.hub.uow() as uow:
            business = get_business(uow, call.business_id)
            people = {c: uow.customers.get(business.id, c) for c in {b.customer_id for b in found}}
        items = []
        for item in found:
            if after is not None and _position(item) <= after:
                continue
            if "branch" in q and item.branch_id != q["branch"]:
                continue
            if "external_ref" in q and item.external_ref != q["external_ref"]:
                continue
            who = people.get(item.customer_id)
            if needle and not (
                who is not None and matches(needle, (who.name, who.phone, who.email))
            ):
                continue
            items.append(item)
            if len(items) > limit:
                break
        more = len(items) > limit
        items = items[:limit]
        cursor = None
        if more:
            cursor = base64.urlsafe_b64encode("|".join(_position(items[-1])).encode()).decode()
        base = call.hub.settings.base_url
        return {
            "items": [booking(b, business, base, people.get(b.customer_id)) for b in items],
            "next_cursor": cursor,
        }

    return JSONResponse(await call.run(read))


def new_booking(call: Call, body: dict[str, Any], start: datetime) -> NewBooking:
    """The command a POST body (``NEW_BOOKING_FIELDS``) asks for, as the business: a booking,
    or the first date of a series. Reads the organizer, so call it in ``call.run``."""
    who = body.get("customer")
    if who is None and "customer_id" not in body:
        raise ApiError(
            422, "validation_error", "give customer or customer_id", {"field": "customer"}
        )
    visit = geo.visit_in(body)
    organizer = (
        accounts.staff_member(
            call.hub.accounts_uow(), call.business_id, body["organizer"], "organizer"
        ).id
        if "organizer" in body
        else None
    )
    return NewBooking(
        business_id=call.business_id,
        service_id=body["service"],
        start=start,
        customer=CustomerDetails(
            name=who["name"].strip(),
            phone=who.get("phone"),
            email=who.get("email"),
            address=who.get("address"),
        )
        if who is not None
        else None,
        customer_id=body.get("customer_id"),
        resource_id=body.get("resource"),
        group_id=body.get("group"),
        branch_id=body.get("branch"),
        persons=body.get("persons", 1),
        title=body.get("title", ""),
        notes=body.get("notes", ""),
        invitees=invitees_in(body),
        address=body.get("address"),
        **visit,
        external_ref=body.get("external_ref"),
        force=body.get("force", False),
        video_meeting=body.get("video_meeting"),
        organizer_id=organizer,
    )


@ops.route(
    "POST",
    "/bookings",
    summary="Create a booking as the business (operator or CRM)",
    body=NEW_BOOKING,
    responses={201: BOOKING_SCHEMA},
)
async def create_private_booking(call: Call) -> Response:
    body = call.body
    start = inputs.instant(body["start"], "start")
    if body.get("customer") is None and "customer_id" not in body:
        raise ApiError(
            422, "validation_error", "give customer or customer_id", {"field": "customer"}
        )

    def book() -> Response:
        request = new_booking(call, body, start)
        # One unit of work for the booking and its answer: its repositories keep the business
        # and the customer the use case read or added, so the answer reads neither again.
        with call.hub.uow() as uow:
            created = call.hub.core.create_booking(request, by=INTEGRATION, uow=uow)
            business = get_business(uow, created.business_id)
            person = uow.customers.get(created.business_id, created.customer_id)
        call.hub.metrics.bookings_created.labels("api").inc()
        base = call.hub.settings.base_url
        response = booking_response(created, business, base, person, 201)
        response.headers["Location"] = f"/api/v1/bookings/{created.id}"
        return response

    return await call.run(book)


@ops.route(
    "GET",
    "/bookings/{id}",
    summary="One booking; the ETag header is its version, for If-Match",
    responses={200: BOOKING_SCHEMA},
)
async def get_private_booking(call: Call) -> Response:
    def read() -> Response:
        item = reads.get_booking(call.hub.uow(), call.business_id, call.path["id"])
        return booking_view(call, item)

    return await call.run(read)


def expected_version(call: Call) -> int | None:
    """The version named by If-Match (``"<id>.<version>"``, as sent in ETag), if any."""
    header = call.request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    value = header.strip().removeprefix("W/").strip('"')
    booking_id, _, version = value.rpartition(".")
    if booking_id != call.path["id"] or not version.isdigit():
        raise StaleVersionError("If-Match does not match this booking's ETag", if_match=header)
    return int(version)


@ops.route(
    "PATCH",
    "/bookings/{id}",
    summary="Reschedule (start, resource_id) and/or edit title, notes, invitees, address; "
    "honours "
    "If-Match",
    body=PATCH_BOOKING,
    responses={200: BOOKING_SCHEMA},
    errors=(409, 412),
)
async def patch_booking(call: Call) -> Response:
    body = call.body
    version = expected_version(call)
    start = inputs.instant(body["start"], "start") if "start" in body else None

    def change() -> Response:
        item = None
        resource_id = body.get("resource_id")
        if start is not None:
            item = call.hub.core.reschedule_booking(
                call.business_id,
                call.path["id"],
                start,
                by=INTEGRATION,
                force=body.get("force", False),
                resource_id=resource_id,
                expected_version=version,
            )
        elif resource_id is not None:
            item = call.hub.core.reassign_booking(
                call.business_id,
                call.path["id"],
                resource_id,
                by=INTEGRATION,
                expected_version=version,
            )
        edits = {k: body[k] for k in ("title", "notes", "address") if k in body}
        edits.update({k: v for k, v in geo.visit_in(body).items() if v is not None})
        if "invitees" in body:
            edits["invitees"] = invitees_in(body)
        if edits or item is None:
            item = call.hub.core.edit_booking(
                call.business_id,
                call.path["id"],
                by=INTEGRATION,
                expected_version=item.version if item is not None else version,
                **edits,
            )
        return booking_view(call, item)

    return await call.run(change)


@ops.route(
    "DELETE",
    "/bookings/{id}",
    summary="Cancel a booking (as the business), with an optional reason",
    query=(Param("reason", {"type": "string", "maxLength": 2000}),),
    responses={200: BOOKING_SCHEMA},
    errors=(409, 412),
)
async def delete_booking(call: Call) -> Response:
    version = expected_version(call)

    def cancel() -> Response:
        item = call.hub.core.cancel_booking(
            call.business_id,
            call.path["id"],
            by=INTEGRATION,
            reason=str(call.query.get("reason", "")).strip(),
            expected_version=version,
        )
        return booking_view(call, item)

    return await call.run(cancel)
