"""What a webhook says: the event types a subscription may ask for, and the body of one
message — ``{type, timestamp, data}`` where ``data`` is the booking exactly as
``GET /api/v1/bookings/{id}`` renders it (the API's own serializer), plus ``actor``,
``channel`` and, on a reschedule, ``previous`` start/end; ``booking.updated`` adds ``changed``
(the fields that really changed: ``title``, ``notes``, ``invitees``, ``address``,
``location``, ``meeting_url``, ``resource_id``…), so a CRM tells a new title from a new
invitee without diffing; ``booking.attendee_responded`` adds
``attendee`` (``email``, ``name``, ``response`` — accepted, declined, tentative — and the
``previous`` one), whichever way the invitee answered (their link, Google, a CalDAV client).

Payment events (``payment.succeeded``, ``payment.refunded``) have the same envelope; their
``data`` is the deposit payment: ``payment_id``, ``booking_id`` (the ``data.id`` of the
booking events), ``provider``, ``provider_payment_id``, ``amount_minor``, ``refunded_minor``
and ``currency`` (minor units, as the booking's ``price_minor``/``deposit_minor``),
``status``, ``refund_id`` on a refund, and ``actor``/``channel`` as the booking events have
them (``system``/``payment``). The booking's own change (confirmed, cancelled) comes as its
own booking event.

The booking is rendered as of its event: status, times, resource and version come from the
outbox event (written in the booking's transaction), the rest from the booking as it is when
the event fans out. A receiver drops a message whose ``data.version`` is older than one it
has already seen.

Not here: signing (``signing``), the subscriptions (``store``).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

from hub.api.render import at
from hub.api.views import booking as render_booking
from hub.domain.booking import BookingStatus
from hub.domain.model import Business, OutboxEvent
from hub.persistence.uow import SqlUnitOfWork
from hub.services.events import BOOKING_EVENTS
from hub.services.payments import PAYMENT, PAYMENT_EVENTS

EVENT_TYPES: tuple[str, ...] = tuple(sorted(BOOKING_EVENTS | PAYMENT_EVENTS))
PING = "ping"


def wants(event_types: list[str] | tuple[str, ...], event_type: str) -> bool:
    """Whether a subscription asking for ``event_types`` (empty: all) gets ``event_type``."""
    return not event_types or event_type in event_types


def encode(event_type: str, timestamp: datetime, data: dict[str, Any]) -> str:
    """The exact bytes signed and sent (compact JSON, UTF-8)."""
    body = {"type": event_type, "timestamp": timestamp.isoformat(), "data": data}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _instant(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def event_data(
    uow: SqlUnitOfWork,
    event: OutboxEvent,
    base_url: str,
    businesses: dict[str, Business | None] | None = None,
) -> dict[str, Any]:
    """``data`` for ``event`` (inside an open unit of work); ``businesses`` caches the
    businesses already read by the caller."""
    payload = event.payload
    if event.type in PAYMENT_EVENTS:
        by = {"actor": PAYMENT.actor.value, "channel": PAYMENT.channel.value}
        return {**payload, **by}
    if event.type not in BOOKING_EVENTS:
        return dict(payload)
    booking_id = str(payload.get("booking_id") or event.aggregate_id)
    booking = uow.bookings.get(event.business_id, booking_id)
    cache = {} if businesses is None else businesses
    if event.business_id not in cache:
        cache[event.business_id] = uow.businesses.get(event.business_id)
    business = cache[event.business_id]
    if booking is None or business is None:
        return dict(payload)
    start, end = _instant(payload.get("start")), _instant(payload.get("end"))
    snapshot = dataclasses.replace(
        booking,
        status=BookingStatus(payload.get("status", booking.status.value)),
        start=start or booking.start,
        end=end or booking.end,
        resource_id=str(payload.get("resource_id") or booking.resource_id),
        version=int(payload.get("version", booking.version)),
        sequence=int(payload.get("sequence", booking.sequence)),
    )
    who = uow.customers.get(event.business_id, booking.customer_id)
    data = render_booking(snapshot, business, base_url, who)
    data["actor"] = payload.get("actor")
    data["channel"] = payload.get("channel")
    if event.type == "booking.rescheduled":
        data["previous"] = {
            "start": at(_instant(payload.get("previous_start")), business.timezone),
            "end": at(_instant(payload.get("previous_end")), business.timezone),
            "resource_id": payload.get("previous_resource_id"),
        }
    if event.type == "booking.updated":
        data["changed"] = [str(name) for name in payload.get("changed") or ()]
    if event.type == "booking.attendee_responded":
        data["attendee"] = {
            "email": payload.get("email"),
            "name": payload.get("name") or "",
            "response": payload.get("response"),
            "previous": payload.get("previous"),
        }
    return data
