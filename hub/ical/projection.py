"""The one projection of a booking as a calendar event (``BookingEvent``): what every calendar
copy of it shows, in the business's language. Also a block's title, and back.

No format lives here: the VEVENT writer (``hub.ical.vevent``) and the Google event
(``connectors.google``) each spell these fields in their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from hub.domain.booking import Booking, BookingStatus, Invitee
from hub.domain.model import Block, Branch, Business, Customer, Resource, Service

_CANCELLED = frozenset({BookingStatus.CANCELLED, BookingStatus.EXPIRED})

_LABELS = {
    "es": {
        "phone": "Teléfono",
        "notes": "Notas",
        "status": "Estado",
        "video": "Videollamada",
        "blocked": "Bloqueado",
    },
    "en": {
        "phone": "Phone",
        "notes": "Notes",
        "status": "Status",
        "video": "Video call",
        "blocked": "Blocked",
    },
}
# What a block's summary starts with, in any language (stripped when a calendar app
# sends the event back).
BLOCK_PREFIXES = tuple(f"{labels['blocked']}: " for labels in _LABELS.values())
_STATUS_WORDS = {
    "es": {
        "pending": "pendiente",
        "confirmed": "confirmado",
        "in_progress": "en curso",
        "completed": "finalizado",
        "cancelled": "cancelado",
        "expired": "vencido",
        "no_show": "ausente",
    },
}


def _language(business: Business) -> str:
    primary = business.language.replace("_", "-").split("-")[0].lower()
    return primary if primary in _LABELS else "en"


def ical_status(status: BookingStatus) -> str:
    """RFC 5545 §3.8.1.11 STATUS of a booking's event."""
    if status is BookingStatus.PENDING:
        return "TENTATIVE"
    if status in _CANCELLED:
        return "CANCELLED"
    return "CONFIRMED"


@dataclass(frozen=True, slots=True)
class EventAttendee:
    email: str
    name: str | None
    partstat: str  # RFC 5545 PARTSTAT: NEEDS-ACTION, ACCEPTED, DECLINED, TENTATIVE


@dataclass(frozen=True, slots=True)
class BookingEvent:
    """The one projection of a booking as a calendar event: what every calendar copy of it
    shows (CalDAV, the booking.ics download and the feeds, the iMIP invite, the Google
    event). Each writer only spells these fields in its own format."""

    booking_id: str
    uid: str
    sequence: int
    created: datetime
    modified: datetime
    summary: str
    start: datetime  # in the business's timezone
    end: datetime
    timezone: str
    status: str  # RFC 5545 STATUS: TENTATIVE, CONFIRMED, CANCELLED
    busy: bool  # TRANSP: OPAQUE when the booking occupies its time
    location: str | None
    description: str
    attendees: tuple[EventAttendee, ...]
    meeting_url: str | None
    video_label: str


def booking_event(
    booking: Booking,
    business: Business,
    service: Service,
    resource: Resource,
    customer: Customer,
    *,
    branch: Branch | None = None,
    summary: str | None = None,
    invitee: Invitee | None = None,
) -> BookingEvent:
    """The booking as its calendar event shows it (see ``booking_vevent`` for the
    arguments). LOCATION is the booking's address (at-home services), else the branch's,
    else the video link."""
    tz = ZoneInfo(business.timezone)
    language = _language(business)
    labels = _LABELS[language]
    location = booking.address or (branch.address if branch and branch.address else None)
    if location is None and booking.meeting_url:
        location = booking.meeting_url
    status_word = _STATUS_WORDS.get(language, {}).get(booking.status.value, booking.status.value)
    lines = [f"{service.name} — {resource.name}"]
    if customer.phone and invitee is None:
        lines.append(f"{labels['phone']}: {customer.phone}")
    if booking.notes and invitee is None:
        lines.append(f"{labels['notes']}: {booking.notes}")
    lines.append(f"{labels['status']}: {status_word}")
    if booking.meeting_url:
        lines.append(f"{labels['video']}: {booking.meeting_url}")
    attendees: list[EventAttendee] = []
    if customer.email and invitee is None:
        partstat = "ACCEPTED" if booking.client_confirmed_at is not None else "NEEDS-ACTION"
        attendees.append(EventAttendee(customer.email, customer.name, partstat))
    # Each invitee with the answer they gave on their link; an invitee's own copy lists only
    # them (the client's and the other invitees' addresses are not theirs to see).
    for guest in booking.invitees if invitee is None else (invitee,):
        if guest.email == customer.email and invitee is None:
            continue
        attendees.append(EventAttendee(guest.email, guest.name or None, guest.response.partstat))
    return BookingEvent(
        booking_id=booking.id,
        uid=booking.uid,
        sequence=booking.sequence,
        created=booking.created_at,
        modified=booking.updated_at or booking.created_at,
        # The meeting's own title, when it has one, in every copy (staff's and invitees').
        summary=booking.title or summary or f"{service.name} — {customer.name}",
        start=booking.start.astimezone(tz),
        end=booking.end.astimezone(tz),
        timezone=business.timezone,
        status=ical_status(booking.status),
        busy=booking.occupies_time,
        location=location,
        description="\n".join(lines),
        attendees=tuple(attendees),
        meeting_url=booking.meeting_url,
        video_label=labels["video"],
    )


def block_summary(block: Block, business: Business) -> str:
    """ "Bloqueado: reason" (in the business's language), or the label alone."""
    label = _LABELS[_language(business)]["blocked"]
    return f"{label}: {block.reason}" if block.reason else label


def block_reason(summary: str) -> str:
    """The reason in a block's summary as a calendar app sends it back."""
    for prefix in BLOCK_PREFIXES:
        summary = summary.removeprefix(prefix)
    return summary.strip()
