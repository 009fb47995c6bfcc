"""How bookings look over the API: the operator's full view and the client's view by token,
with the response schemas next to the functions that fill them. Also the few lookups every
resource module shares (business by slug, the actors the API acts as).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from hub.api.render import CUSTOMER_SCHEMA, NUM, STR, at, customer, etag
from hub.api.schemas import DATE_TIME, ID, Schema, array, enum, nullable, obj
from hub.domain.booking import Actor, Booking, ChangedBy, Channel, InviteeResponse
from hub.domain.errors import NotFoundError
from hub.domain.model import Business, Customer, Resource, Service
from hub.services.ports import UnitOfWork

CLIENT = ChangedBy(Actor.CLIENT, Channel.API)
INTEGRATION = ChangedBy(Actor.INTEGRATION, Channel.API)

INT: Schema = {"type": "integer"}
BOOL: Schema = {"type": "boolean"}


def business_by_slug(uow: UnitOfWork, slug: str) -> Business:
    business = uow.businesses.get_by_slug(slug)
    if business is None:
        raise NotFoundError("no such business", entity="business", slug=slug)
    return business


def links(base_url: str, token: str) -> dict[str, str]:
    return {
        "manage_url": f"{base_url}/book/manage/{token}",
        "ics_url": f"{base_url}/api/v1/public/bookings/{token}/booking.ics",
    }


INVITATION_SCHEMA = obj(
    {
        "id": ID,
        "email": STR,
        "name": STR,
        "response": enum([r.value for r in InviteeResponse]),
        "responded_at": nullable(DATE_TIME),
    },
    ("id", "email", "name", "response", "responded_at"),
    closed=False,
)
CONTACT_SCHEMA = obj(
    {"name": STR, "phone": nullable(STR), "email": nullable(STR)}, ("name",), closed=False
)


def invitations(item: Booking, tz: str) -> list[dict[str, Any]]:
    """Each invitee and their answer (given on their own link)."""
    return [
        {
            "id": i.id,
            "email": i.email,
            "name": i.name,
            "response": i.response.value,
            "responded_at": at(i.responded_at, tz),
        }
        for i in item.invitees
    ]


BOOKING_SCHEMA = obj(
    {
        "id": ID,
        "status": STR,
        "service_id": STR,
        "resource_id": STR,
        "branch_id": nullable(STR),
        "group_id": nullable(STR),
        "series_id": {**nullable(STR), "description": "The recurring series it belongs to"},
        "customer_id": STR,
        "customer": nullable(CUSTOMER_SCHEMA),
        "start": DATE_TIME,
        "end": DATE_TIME,
        "persons": INT,
        "price_minor": INT,
        "deposit_minor": INT,
        "currency": STR,
        "address": nullable(STR),
        "latitude": nullable(NUM),
        "longitude": nullable(NUM),
        "zone_id": nullable(STR),
        "needs_review": {
            **BOOL,
            "description": "Booked outside the coverage (the business flags such bookings)",
        },
        "title": {**STR, "description": "What the meeting is called ('': not named)"},
        "notes": STR,
        "invitees": array(STR),
        "invitations": array(INVITATION_SCHEMA),
        "contact": nullable(CONTACT_SCHEMA),
        "external_ref": nullable(STR),
        "video_meeting": BOOL,
        "meeting_url": nullable(STR),
        "organizer_id": nullable(STR),
        "hold_until": nullable(DATE_TIME),
        "created_at": DATE_TIME,
        "updated_at": nullable(DATE_TIME),
        "cancelled_at": nullable(DATE_TIME),
        "cancelled_by": nullable(STR),
        "cancel_reason": STR,
        "client_confirmed_at": nullable(DATE_TIME),
        "reschedule_count": INT,
        "version": INT,
        "token": STR,
        "manage_url": STR,
        "ics_url": STR,
    },
    ("id", "status", "service_id", "resource_id", "customer_id", "start", "end", "version"),
    closed=False,
)


def booking(
    item: Booking, business: Business, base_url: str, who: Customer | None
) -> dict[str, Any]:
    tz = business.timezone
    return {
        "id": item.id,
        "status": item.status.value,
        "service_id": item.service_id,
        "resource_id": item.resource_id,
        "branch_id": item.branch_id,
        "group_id": item.group_id,
        "series_id": item.series_id,
        "customer_id": item.customer_id,
        "customer": customer(who) if who is not None else None,
        "start": at(item.start, tz),
        "end": at(item.end, tz),
        "persons": item.persons,
        "price_minor": item.price_minor,
        "deposit_minor": item.deposit_minor,
        "currency": item.currency,
        "address": item.address,
        "latitude": item.location.lat if item.location is not None else None,
        "longitude": item.location.lng if item.location is not None else None,
        "zone_id": item.zone_id,
        "needs_review": item.needs_review,
        "title": item.title,
        "notes": item.notes,
        "invitees": list(item.invitee_emails),
        "invitations": invitations(item, tz),
        # As typed when it was made; ``customer`` is the record it was matched to.
        "contact": (
            {"name": item.contact.name, "phone": item.contact.phone, "email": item.contact.email}
            if item.contact is not None
            else None
        ),
        "external_ref": item.external_ref,
        "video_meeting": item.video_meeting,
        "meeting_url": item.meeting_url,
        "organizer_id": item.organizer_id,
        "hold_until": at(item.hold_until, tz),
        "created_at": at(item.created_at, tz),
        "updated_at": at(item.updated_at, tz),
        "cancelled_at": at(item.cancelled_at, tz),
        "cancelled_by": item.cancelled_by.value if item.cancelled_by else None,
        "cancel_reason": item.cancel_reason,
        "client_confirmed_at": at(item.client_confirmed_at, tz),
        "reschedule_count": item.reschedule_count,
        "version": item.version,
        "token": item.token,
        **links(base_url, item.token),
    }


def booking_response(
    item: Booking, business: Business, base_url: str, who: Customer | None, status: int = 200
) -> JSONResponse:
    return JSONResponse(
        booking(item, business, base_url, who),
        status_code=status,
        headers={"ETag": etag(item)},
    )


PUBLIC_BOOKING_SCHEMA = obj(
    {
        "id": ID,
        "token": STR,
        "status": STR,
        "start": DATE_TIME,
        "end": DATE_TIME,
        "timezone": STR,
        "business": obj({"slug": STR, "name": STR}, ("slug", "name"), closed=False),
        "service": obj({"id": STR, "name": STR}, ("id", "name"), closed=False),
        "resource": nullable(obj({"id": STR, "name": STR}, ("id", "name"), closed=False)),
        "customer_name": STR,
        "address": nullable(STR),
        "notes": STR,
        "hold_until": nullable(DATE_TIME),
        "price_minor": INT,
        "deposit_minor": INT,
        "currency": STR,
        "reschedule_count": INT,
        "manage_url": STR,
        "ics_url": STR,
    },
    ("id", "token", "status", "start", "end", "manage_url", "ics_url"),
    closed=False,
)


def public_booking(uow: UnitOfWork, item: Booking, base_url: str) -> dict[str, Any]:
    """What the holder of the booking's link may see: no ids of other rows, no staff notes
    beyond the client's own."""
    business = uow.businesses.get(item.business_id)
    service: Service | None = uow.services.get(item.business_id, item.service_id)
    resource: Resource | None = uow.resources.get(item.business_id, item.resource_id)
    who = uow.customers.get(item.business_id, item.customer_id)
    if business is None:
        raise NotFoundError("no such booking", entity="booking")
    tz = business.timezone
    return {
        "id": item.id,
        "token": item.token,
        "status": item.status.value,
        "start": at(item.start, tz),
        "end": at(item.end, tz),
        "timezone": tz,
        "business": {"slug": business.slug, "name": business.name},
        "service": {"id": item.service_id, "name": service.name if service else ""},
        "resource": {"id": resource.id, "name": resource.name} if resource else None,
        # The name as typed on this booking: never the name of a customer record its phone
        # or email matched (that is the business's, not the link holder's).
        "customer_name": item.contact.name if item.contact else (who.name if who else ""),
        "address": item.address,
        "notes": item.notes,
        "hold_until": at(item.hold_until, tz),
        "price_minor": item.price_minor,
        "deposit_minor": item.deposit_minor,
        "currency": item.currency,
        "reschedule_count": item.reschedule_count,
        **links(base_url, item.token),
    }
