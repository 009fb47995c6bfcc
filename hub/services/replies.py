"""Use cases behind a client's reply on a messaging channel (WhatsApp): which business a
message reached, which customer wrote, which booking their answer is about, and recording
that the client confirmed attendance.

Cancelling goes through ``booking_status.cancel_booking`` (actor client, so the business's
cancel window applies). Not here: the webhook, signatures and reading the words of a reply
(``connectors.notify``), nor where unhandled messages are kept for the operator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.domain.booking import Actor, Booking, BookingStatus, ChangedBy, Channel
from hub.domain.errors import IllegalTransitionError, ValidationError
from hub.domain.model import Business, Customer, OutboxEvent, require_aware
from hub.services.availability import get_booking
from hub.services.customers import find_by_phone, normalise_phone
from hub.services.events import CLIENT_CONFIRMED, booking_payload, record_booking_event
from hub.services.ports import UnitOfWork

CLIENT_WHATSAPP = ChangedBy(Actor.CLIENT, Channel.WHATSAPP)
# Past the booking horizon too: staff may have booked further ahead than clients can.
LOOKAHEAD_MARGIN = timedelta(days=30)
_ANSWERABLE = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


def business_for_whatsapp_number(uow: UnitOfWork, phone_number_id: str) -> Business | None:
    """The business whose WhatsApp settings (``settings["whatsapp"]["phone_number_id"]``)
    name the number a message reached; ``None`` when none does (or more than one, which is
    a setup mistake: better nobody than the wrong tenant)."""
    if not phone_number_id:
        return None
    with uow:
        found = [
            b
            for b in uow.businesses.list()
            if isinstance(config := b.settings.get("whatsapp"), dict)
            and str(config.get("phone_number_id") or "") == phone_number_id
        ]
    return found[0] if len(found) == 1 else None


def customer_by_phone(uow: UnitOfWork, business: Business, phone: str) -> Customer | None:
    """The business's customer with this number (E.164, as WhatsApp gives it), if any;
    an Argentine or Mexican mobile also matches the line saved without its mobile "9" or
    "1" (what clients often type)."""
    try:
        number = normalise_phone(phone, business.country)
    except ValidationError:
        return None
    with uow:
        return find_by_phone(uow, business.id, number)


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    """The booking a reply is about, or why there is none to act on (``reason``)."""

    booking: Booking | None
    reason: str = ""


def upcoming_bookings(
    uow: UnitOfWork, business: Business, customer_id: str, *, now: datetime
) -> list[Booking]:
    """The customer's pending or confirmed bookings that have not started, soonest first."""
    until = now + business.policy.horizon + LOOKAHEAD_MARGIN
    with uow:
        found = uow.bookings.list_range(business.id, now, until, statuses=_ANSWERABLE)
    return [b for b in found if b.customer_id == customer_id and b.start > now]


def reply_target(
    uow: UnitOfWork,
    business: Business,
    customer: Customer,
    *,
    now: datetime,
    booking_id: str | None = None,
    only_if_single: bool = False,
) -> ReplyTarget:
    """The booking a reply refers to: the one its button named (only if it is this
    customer's, in this business), else their soonest upcoming booking. With
    ``only_if_single`` (a typed "cancel"), several upcoming bookings are ambiguous and
    none is picked: a person should ask which one."""
    if booking_id:
        with uow:
            named = uow.bookings.get(business.id, booking_id)
        if named is None or named.customer_id != customer.id:
            return ReplyTarget(None, "the booking named by the button is not this client's")
        return ReplyTarget(named)
    upcoming = upcoming_bookings(uow, business, customer.id, now=now)
    if not upcoming:
        return ReplyTarget(None, "the client has no upcoming booking")
    if only_if_single and len(upcoming) > 1:
        return ReplyTarget(None, "the client has several upcoming bookings")
    return ReplyTarget(upcoming[0])


def record_client_confirmation(
    uow: UnitOfWork, business_id: str, booking_id: str, *, by: ChangedBy, now: datetime
) -> Booking:
    """The client said they will come (a CONFIRMAR reply or the template's Confirmar
    button): ``client_confirmed_at`` is set, audited, and ``booking.updated`` plus
    ``booking.client_confirmed`` events are written (integrators hear the second one). It
    does not confirm a pending booking — that stays the business's decision. Already
    recorded: nothing changes."""
    require_aware(now, "now")
    with uow:
        booking = get_booking(uow, business_id, booking_id)
        if booking.client_confirmed_at is not None:
            return booking
        if not booking.occupies_time or booking.status is BookingStatus.IN_PROGRESS:
            raise IllegalTransitionError(
                f"a {booking.status.value} booking cannot be confirmed by the client",
                current=booking.status.value,
                requested="client_confirmation",
            )
        booking.record_client_confirmation(now)
        uow.bookings.update(booking)
        data = {"client_confirmed_at": now.isoformat()}
        record_booking_event(uow, booking, "booking.updated", by=by, now=now, data=data)
        payload = booking_payload(booking)
        payload.update(actor=by.actor.value, channel=by.channel.value, user_id=by.user_id, **data)
        uow.outbox.add(
            OutboxEvent(
                business_id=business_id,
                type=CLIENT_CONFIRMED,
                aggregate_id=booking.id,
                payload=payload,
                created_at=now,
            )
        )
        uow.commit()
    return booking
