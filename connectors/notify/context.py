"""What a message is about: its kind, and a frozen ``MessageContext`` built from the domain
objects of one booking. Channels (email, WhatsApp) and templates get only this.

All texts are formatted here once, in the business's timezone and locale; the booking's
VEVENT is carried serialised (``ical_event``) so the email channel can build the invite.
Loading the objects and deciding *when* to send is the caller's (outbox dispatcher).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from connectors.notify import formatting as fmt
from connectors.notify.receipt import Receipt
from hub.domain.booking import Booking, Invitee
from hub.domain.model import Branch, Business, Customer, Resource, Service
from hub.ical.vevent import booking_vevent_ical


class MessageKind(enum.StrEnum):
    RECEIVED = "received"  # booked, waiting for confirmation or payment
    CONFIRMED = "confirmed"
    RESCHEDULED = "rescheduled"
    UPDATED = "updated"  # what the people invited see changed (notes, place, room, invitees)
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REMINDER = "reminder"
    THANK_YOU = "thank_you"

    @property
    def cancels_event(self) -> bool:
        """Whether the invite sent with it is an iTIP CANCEL (else a REQUEST, or none)."""
        return self in (MessageKind.CANCELLED, MessageKind.EXPIRED)

    @property
    def carries_invite(self) -> bool:
        return self is not MessageKind.THANK_YOU


class MessageChannel(enum.StrEnum):
    EMAIL = "email"
    WHATSAPP = "whatsapp"


@dataclass(frozen=True, slots=True)
class Guest:
    """An invitee as their own messages need them: where to write, what to call them, their
    own link, and their own copy of the event (they are its only ATTENDEE)."""

    email: str
    name: str
    url: str | None
    ical_event: bytes


@dataclass(frozen=True, slots=True)
class Organizer:
    """The staff member who made the booking: its iTIP ORGANIZER, told of it by email and,
    with a number, by WhatsApp; ``url`` is the booking's page in the console."""

    email: str
    name: str
    phone: str | None
    url: str | None


class Audience(enum.StrEnum):
    """Whose copy of a message a context is."""

    CLIENT = "client"
    INVITEE = "invitee"
    ORGANIZER = "organizer"


@dataclass(frozen=True, slots=True)
class MessageContext:
    booking_id: str
    booking_uid: str
    sequence: int
    status: str
    business_name: str
    language: str  # template language: "es" | "en"
    locale: str  # Babel locale: "es_AR", "en", …
    timezone: str
    service_name: str
    resource_name: str
    # The client, as the booking was made (its contact), never the matched customer record.
    customer_name: str
    customer_phone: str | None
    customer_email: str | None
    invitees: tuple[Guest, ...]
    start: datetime  # in the business's timezone
    end: datetime
    date_text: str  # "Martes, 10 de febrero de 2026"
    short_date_text: str  # "Martes 10 feb"
    time_text: str  # "10:00"
    end_time_text: str
    zone_name: str  # "hora de Argentina"
    days_until: int  # calendar days from now to the start, in the business's zone
    previous_date_text: str | None  # set when rescheduled
    previous_time_text: str | None
    address: str | None
    notes: str
    price_minor: int
    currency: str
    price_text: str | None  # None when free
    deposit_text: str | None
    cancel_reason: str
    manage_url: str | None
    meeting_url: str | None
    survey_url: str | None
    business_whatsapp: str | None
    organizer_email: str | None
    ical_event: bytes  # the booking's VEVENT (hub.ical.vevent), for invites
    receipt: Receipt | None = None  # the paid deposit, set by whoever loads the payment
    invitee_name: str | None = None  # set in an invitee's own context (``for_guest``)
    invitation_url: str | None = None
    organizer: Organizer | None = None
    audience: Audience = Audience.CLIENT
    title: str = ""  # what the meeting is called ('' : not named; say the service)
    changed: tuple[str, ...] = ()  # an update: what changed (title, notes, address, …)
    added: tuple[str, ...] = ()  # an update: the addresses invited by it
    removed: tuple[Guest, ...] = ()  # an update: the invitees it took off (for their CANCEL)

    @property
    def when_text(self) -> str:
        return f"{self.date_text}, {self.time_text} ({self.zone_name})"


def for_guest(context: MessageContext, guest: Guest) -> MessageContext:
    """What an invitee's message may carry: the meeting (what, when, where, video link, the
    business), their name and their own link — none of the client's name, phone, email,
    notes, link, price or payment."""
    return replace(
        context,
        customer_name="",
        customer_phone=None,
        customer_email=guest.email,
        invitees=(),
        notes="",
        price_minor=0,
        price_text=None,
        deposit_text=None,
        cancel_reason="",
        manage_url=None,
        survey_url=None,
        receipt=None,
        ical_event=guest.ical_event,
        invitee_name=guest.name or guest.email,
        invitation_url=guest.url,
        organizer=None,
        audience=Audience.INVITEE,
    )


def for_organizer(context: MessageContext) -> MessageContext:
    """The organizer's copy: the whole meeting (they are staff and made it), with the
    console's page of the booking instead of the client's own manage link."""
    organizer = context.organizer
    assert organizer is not None
    return replace(
        context,
        manage_url=organizer.url,
        survey_url=None,
        invitee_name=organizer.name or organizer.email,
        audience=Audience.ORGANIZER,
    )


def build_context(
    booking: Booking,
    business: Business,
    service: Service,
    resource: Resource,
    customer: Customer,
    *,
    now: datetime,
    manage_url: str | None = None,
    meeting_url: str | None = None,
    previous_start: datetime | None = None,
    organizer_email: str | None = None,
    branch: Branch | None = None,
    invitation_url: Callable[[Invitee], str] | None = None,
    organizer: Organizer | None = None,
    changed: tuple[str, ...] = (),
    added: tuple[str, ...] = (),
    removed: tuple[Invitee, ...] = (),
) -> MessageContext:
    """Everything a template or channel needs about one booking, formatted once. The client
    is who the booking was made for as typed (``Booking.contact``); each invitee gets their
    own copy of the event and, with ``invitation_url``, their own link. A staff
    ``organizer`` is the event's ORGANIZER (else ``organizer_email``, the business's)."""
    if organizer is not None:
        organizer_email = organizer.email
    tz = business.timezone
    client = booking.client_of(customer)
    locale = fmt.locale_of(business.language, business.country)
    start = fmt.local(booking.start, tz)
    address = booking.address or (branch.address if branch and branch.address else None)
    survey = business.settings.get("survey_url")
    if meeting_url and meeting_url != booking.meeting_url:
        booking = replace(booking, meeting_url=meeting_url)
    summary = f"{service.name} — {business.name}"

    def vevent(invitee: Invitee | None = None) -> bytes:
        return booking_vevent_ical(
            booking,
            business,
            service,
            resource,
            client,
            now=now,
            organizer_email=organizer_email,
            organizer_name=organizer.name if organizer is not None else None,
            branch=branch,
            summary=summary,
            invitee=invitee,
        )

    event = vevent()
    guests = tuple(
        Guest(
            i.email,
            i.name,
            invitation_url(i) if invitation_url is not None and i.token else None,
            vevent(i),
        )
        for i in booking.invitees
        if i.email != client.email and (organizer is None or i.email != organizer.email)
    )
    return MessageContext(
        booking_id=booking.id,
        booking_uid=booking.uid,
        sequence=booking.sequence,
        status=booking.status.value,
        business_name=business.name,
        language=fmt.language_of(business.language),
        locale=locale,
        timezone=tz,
        service_name=service.name,
        resource_name=resource.name,
        customer_name=client.name,
        customer_phone=client.phone,
        customer_email=client.email,
        invitees=guests,
        start=start,
        end=fmt.local(booking.end, tz),
        date_text=fmt.date_text(booking.start, tz, locale),
        short_date_text=fmt.short_date_text(booking.start, tz, locale),
        time_text=fmt.time_text(booking.start, tz, locale),
        end_time_text=fmt.time_text(booking.end, tz, locale),
        zone_name=fmt.zone_name(tz, locale),
        days_until=(start.date() - fmt.local(now, tz).date()).days,
        previous_date_text=(
            fmt.date_text(previous_start, tz, locale) if previous_start is not None else None
        ),
        previous_time_text=(
            fmt.time_text(previous_start, tz, locale) if previous_start is not None else None
        ),
        address=address,
        notes=booking.notes,
        price_minor=booking.price_minor,
        currency=booking.currency,
        price_text=(
            fmt.money_text(booking.price_minor, booking.currency, locale)
            if booking.price_minor
            else None
        ),
        deposit_text=(
            fmt.money_text(booking.deposit_minor, booking.currency, locale)
            if booking.deposit_minor
            else None
        ),
        cancel_reason=booking.cancel_reason,
        manage_url=manage_url,
        meeting_url=booking.meeting_url,
        survey_url=str(survey) if survey else None,
        business_whatsapp=business.whatsapp_contact,
        organizer_email=organizer_email,
        ical_event=event,
        organizer=organizer,
        title=booking.title,
        changed=changed,
        added=added,
        removed=tuple(Guest(i.email, i.name, None, vevent(i)) for i in removed),
    )
