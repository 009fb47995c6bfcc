"""A booking as a Google Calendar event: the body we send, the event id we choose, the Meet
``createRequest``, and the Meet link read back from Google's answer. Shared by the push of
one event (``push``) and the batched push (``batch``). What the event shows is the hub's one
projection of a booking as a calendar event (``hub.ical.projection.booking_event``), spelled in
Google's JSON.

Not here: calling Google (``calendar``), deciding what to call (``push``, ``batch``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from hub.domain.booking import Booking
from hub.domain.model import Branch, Business, Customer, Resource, Service
from hub.ical.projection import BookingEvent, booking_event
from hub.persistence.uow import SqlDatabase

BOOKING_KEY = "turnero_booking_id"


@dataclass(frozen=True, slots=True)
class BookingView:
    booking: Booking
    business: Business
    service: Service
    customer: Customer | None
    resource: Resource | None = None
    branch: Branch | None = None

    @property
    def wants_meet(self) -> bool:
        return self.booking.video_meeting or self.service.video_meeting

    @property
    def send_updates(self) -> str:
        """Whom Google emails about the change (the business's ``google_send_updates``)."""
        return str(self.business.settings.get("google_send_updates", "none"))


def projection(view: BookingView) -> BookingEvent:
    """The booking as every calendar copy of it shows it, the client as they booked."""
    b = view.booking
    record = view.customer or Customer(b.business_id, "")
    resource = view.resource or Resource(b.business_id, "", id=b.resource_id)
    return booking_event(
        b, view.business, view.service, resource, b.client_of(record), branch=view.branch
    )


def event_body(view: BookingView) -> dict[str, Any]:
    """The Google event of a booking (without the conference request)."""
    ev = projection(view)
    return {
        "summary": ev.summary,
        "location": ev.location or "",
        "description": ev.description,
        "start": {"dateTime": ev.start.astimezone(UTC).isoformat(), "timeZone": ev.timezone},
        "end": {"dateTime": ev.end.astimezone(UTC).isoformat(), "timeZone": ev.timezone},
        "attendees": [{"email": a.email} for a in ev.attendees],
        # Google's status words are RFC 5545's, in lower case. SEQUENCE is left to Google,
        # which refuses one below its own (it counts the changes made there too).
        "status": ev.status.lower(),
        "extendedProperties": {"private": {BOOKING_KEY: ev.booking_id}},
    }


def insert_body(view: BookingView) -> dict[str, Any]:
    """The body of ``events.insert``: the event with our own id, and for a video booking the
    Meet request (send it with ``conferenceDataVersion=1``)."""
    body = event_body(view)
    if view.wants_meet:
        body["conferenceData"] = {
            "createRequest": {
                # Google dedups create requests by id: a retry asks for the same room.
                "requestId": view.booking.id,
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
            }
        }
    body["id"] = event_id_for(view.booking.id)
    return body


def event_id_for(booking_id: str) -> str:
    """The Google event id of a booking, chosen by us (Calendar v3 accepts client ids in
    base32hex, 5-1024 chars) so that a repeated insert is refused with 409, never doubled."""
    return "tn" + booking_id.replace("-", "").lower()


def meet_link(event: dict[str, Any]) -> str | None:
    """The video entry point of an event's conference, or None while it is pending."""
    data = event.get("conferenceData") or {}
    for point in data.get("entryPoints") or []:
        if point.get("entryPointType") == "video" and point.get("uri"):
            return str(point["uri"])
    link = event.get("hangoutLink")
    return str(link) if link else None


def load_views(
    database: SqlDatabase, wanted: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], BookingView]:
    """The views of these (business id, booking id) pairs, read in one unit of work; pairs
    whose booking, business or service is gone are left out."""
    views: dict[tuple[str, str], BookingView] = {}
    with database.unit_of_work() as uow:
        businesses: dict[str, Business | None] = {}
        services: dict[tuple[str, str], Service | None] = {}
        for business_id, booking_id in dict.fromkeys(wanted):
            if business_id not in businesses:
                businesses[business_id] = uow.businesses.get(business_id)
            business = businesses[business_id]
            booking = uow.bookings.get(business_id, booking_id)
            if booking is None or business is None:
                continue
            key = (business_id, booking.service_id)
            if key not in services:
                services[key] = uow.services.get(business_id, booking.service_id)
            service = services[key]
            if service is None:
                continue
            customer = uow.customers.get(business_id, booking.customer_id)
            resource = uow.resources.get(business_id, booking.resource_id)
            branch = uow.branches.get(business_id, booking.branch_id) if booking.branch_id else None
            views[(business_id, booking_id)] = BookingView(
                booking, business, service, customer, resource, branch
            )
    return views
