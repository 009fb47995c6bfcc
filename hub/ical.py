"""The one iCalendar (RFC 5545) builder of the hub.

Turns a booking into a VEVENT, wraps events into a VCALENDAR with the business's VTIMEZONE
(booking.ics downloads, read-only feeds, CalDAV bodies, iMIP invites), builds the iTIP
(RFC 5546) REQUEST and CANCEL objects.

Pure functions over domain objects: the current time is an argument. What does *not* belong
here: reading iCalendar that others wrote (``hub.ical_parser``), sending
(``connectors.notify``), CalDAV storage (``caldav_server``), turning a parsed event back into
a booking change (the services that receive it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component, Event, Timezone, vCalAddress

from hub.domain.booking import Booking, BookingStatus, Invitee
from hub.domain.errors import ValidationError
from hub.domain.model import Block, Branch, Business, Customer, Resource, Service

PRODID = "-//Turnero//Turnero appointments hub//EN"

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


def _mailto(email: str, name: str | None, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = name
    for key, value in params.items():
        address.params[key.replace("_", "-").upper()] = value
    return address


# What a property's value is, for writing it (see ``_Prop``).
_TEXT, _MOMENT, _LOCAL, _INT, _ADDRESS, _URI = "text", "moment", "local", "int", "address", "uri"


@dataclass(frozen=True, slots=True)
class _Prop:
    """One property of a booking's VEVENT, before it is written. ``booking_vevent`` turns
    these into an icalendar ``Event``; ``booking_vevent_ical`` writes them out directly."""

    name: str
    kind: str
    value: str | int | datetime
    params: tuple[tuple[str, str], ...] = ()


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
        summary=summary or f"{service.name} — {customer.name}",
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


def _booking_props(
    booking: Booking,
    business: Business,
    service: Service,
    resource: Resource,
    customer: Customer,
    *,
    now: datetime,
    organizer_email: str | None,
    branch: Branch | None,
    organizer_name: str | None = None,
    summary: str | None,
    invitee: Invitee | None = None,
) -> list[_Prop]:
    ev = booking_event(
        booking,
        business,
        service,
        resource,
        customer,
        branch=branch,
        summary=summary,
        invitee=invitee,
    )
    utc = ZoneInfo("UTC")
    props = [
        _Prop("UID", _TEXT, ev.uid),
        _Prop("DTSTAMP", _MOMENT, now.astimezone(utc)),
        _Prop("CREATED", _MOMENT, ev.created.astimezone(utc)),
        _Prop("LAST-MODIFIED", _MOMENT, ev.modified.astimezone(utc)),
        _Prop("SEQUENCE", _INT, ev.sequence),
        _Prop("SUMMARY", _TEXT, ev.summary),
        _Prop("DTSTART", _LOCAL, ev.start),
        _Prop("DTEND", _LOCAL, ev.end),
        _Prop("STATUS", _TEXT, ev.status),
        _Prop("TRANSP", _TEXT, "OPAQUE" if ev.busy else "TRANSPARENT"),
    ]
    if ev.location:
        props.append(_Prop("LOCATION", _TEXT, ev.location))
    props.append(_Prop("DESCRIPTION", _TEXT, ev.description))
    if organizer_email:
        props.append(
            _Prop(
                "ORGANIZER",
                _ADDRESS,
                f"mailto:{organizer_email}",
                (("CN", organizer_name or business.name),),
            )
        )
    role = (("CUTYPE", "INDIVIDUAL"), ("ROLE", "REQ-PARTICIPANT"))
    for who in ev.attendees:
        named = (("CN", who.name),) if who.name else ()
        params = (*named, *role, ("PARTSTAT", who.partstat), ("RSVP", "TRUE"))
        props.append(_Prop("ATTENDEE", _ADDRESS, f"mailto:{who.email}", params))
    if ev.meeting_url:
        props.append(_Prop("URL", _URI, ev.meeting_url))
        # RFC 7986 §5.11 CONFERENCE, plus the property Google Calendar writes and reads.
        conference = (("VALUE", "URI"), ("FEATURE", "VIDEO"), ("LABEL", ev.video_label))
        props.append(_Prop("CONFERENCE", _URI, ev.meeting_url, conference))
        props.append(_Prop("X-GOOGLE-CONFERENCE", _URI, ev.meeting_url))
    props.append(_Prop("X-TURNERO-BOOKING-ID", _TEXT, ev.booking_id))
    return props


def booking_vevent(
    booking: Booking,
    business: Business,
    service: Service,
    resource: Resource,
    customer: Customer,
    *,
    now: datetime,
    organizer_email: str | None = None,
    organizer_name: str | None = None,
    branch: Branch | None = None,
    summary: str | None = None,
    invitee: Invitee | None = None,
) -> Event:
    """The booking as a VEVENT, in the business's timezone (DTSTART/DTEND with TZID).

    ``summary`` overrides the staff-facing "service — customer" title (invites sent to the
    customer name the business instead). LOCATION is the booking's address (at-home
    services), else the branch's, else the video link. ``invitee`` makes that invitee's own
    copy: they are its only ATTENDEE, and it carries neither the client's phone nor notes.
    """
    event = Event()
    for prop in _booking_props(
        booking,
        business,
        service,
        resource,
        customer,
        now=now,
        organizer_email=organizer_email,
        organizer_name=organizer_name,
        branch=branch,
        summary=summary,
        invitee=invitee,
    ):
        if prop.kind == _ADDRESS:
            address = vCalAddress(str(prop.value))
            for key, value in prop.params:
                address.params[key] = value
            event.add(prop.name.lower(), address)
        elif prop.params:
            event.add(prop.name.lower(), prop.value, parameters=dict(prop.params))
        else:
            event.add(prop.name.lower(), prop.value)
    return event


def booking_vevent_ical(
    booking: Booking,
    business: Business,
    service: Service,
    resource: Resource,
    customer: Customer,
    *,
    now: datetime,
    organizer_email: str | None = None,
    organizer_name: str | None = None,
    branch: Branch | None = None,
    summary: str | None = None,
    invitee: Invitee | None = None,
) -> bytes:
    """``to_ical(booking_vevent(...))``, written out directly (a tenth of the time, which
    counts when thousands of reminders carry an invite): the same properties, parameters
    and values, escaped (RFC 5545 §3.3.11, RFC 6868) and folded (§3.1) by the rules."""
    props = _booking_props(
        booking,
        business,
        service,
        resource,
        customer,
        now=now,
        organizer_email=organizer_email,
        organizer_name=organizer_name,
        branch=branch,
        summary=summary,
        invitee=invitee,
    )
    tzid = business.timezone
    lines = [b"BEGIN:VEVENT"]
    for prop in props:
        head = prop.name + "".join(f";{key}={_param_value(v)}" for key, v in prop.params)
        value = prop.value
        if prop.kind == _MOMENT and isinstance(value, datetime):
            text = value.strftime("%Y%m%dT%H%M%SZ")
        elif prop.kind == _LOCAL and isinstance(value, datetime):
            head += f";TZID={_param_value(tzid)}"
            text = value.strftime("%Y%m%dT%H%M%S")
        elif prop.kind == _TEXT:
            text = _escape_text(str(value))
        else:
            text = _clean(str(value))
        lines.append(_fold(f"{head}:{text}"))
    lines += [b"END:VEVENT", b""]
    return b"\r\n".join(lines)


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean(value: str) -> str:
    """Line breaks as one LF, other control characters gone (RFC 5545 TEXT has none)."""
    if value.isprintable():  # no control character at all: the common case
        return value
    return _CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _escape_text(value: str) -> str:
    return (
        _clean(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
    )


@functools.lru_cache(maxsize=1024)  # the same few values (names, roles, zones) every time
def _param_value(value: str) -> str:
    escaped = _clean(value).replace("^", "^^").replace("\n", "^n").replace('"', "^'")
    return f'"{escaped}"' if any(c in escaped for c in ",;: ") else escaped


def _fold(line: str) -> bytes:
    """One content line, folded at 75 octets without splitting a character or an escape."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data
    parts: list[bytes] = []
    start, limit = 0, 75  # continuation lines start with a space: 74 octets of content
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: cut before its character
            cut -= 1
        if data[cut - 1] in b"\\^" and cut - 1 > start:  # keep "\," and "^n" together
            cut -= 1
        parts.append(data[start:cut])
        start, limit = cut, 74
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def block_summary(block: Block, business: Business) -> str:
    """ "Bloqueado: reason" (in the business's language), or the label alone."""
    label = _LABELS[_language(business)]["blocked"]
    return f"{label}: {block.reason}" if block.reason else label


def block_reason(summary: str) -> str:
    """The reason in a block's summary as a calendar app sends it back."""
    for prefix in BLOCK_PREFIXES:
        summary = summary.removeprefix(prefix)
    return summary.strip()


def block_vevent(block: Block, business: Business, *, now: datetime) -> Event:
    """A block as an opaque event "Bloqueado: reason" in the business's timezone."""
    tz = ZoneInfo(business.timezone)
    event = Event()
    event.add("uid", block.external_uid or f"block-{block.id}@turnero")
    event.add("dtstamp", now.astimezone(ZoneInfo("UTC")))
    event.add("summary", block_summary(block, business))
    event.add("dtstart", block.start.astimezone(tz))
    event.add("dtend", block.end.astimezone(tz))
    event.add("transp", "OPAQUE")
    event.add("x-turnero-block-id", block.id)
    return event


@functools.lru_cache(maxsize=256)
def _shared_vtimezone(tzname: str, first_year: int, last_year: int) -> Timezone:
    # Shared and never mutated: calendar_for only serialises it (building one takes ms).
    return Timezone.from_tzid(
        tzname, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )


def _zone(tzname: str, start: date, end: date) -> Timezone:
    try:
        ZoneInfo(tzname)
    except (ValueError, KeyError) as exc:
        raise ValidationError(f"unknown timezone {tzname!r}", field="timezone") from exc
    first, last = sorted((start.year, end.year))
    return _shared_vtimezone(tzname, first, last)


def vtimezone(tzname: str, start: date, end: date) -> Timezone:
    """The VTIMEZONE of ``tzname`` covering the whole years from ``start`` to ``end``.

    Built from zoneinfo (icalendar's ``Timezone.from_tzid``) and cached per year span, so
    every component of the hub writes the same definition for a zone. The caller gets its
    own copy.
    """
    zone = Timezone.from_ical(_zone(tzname, start, end).to_ical())
    assert isinstance(zone, Timezone)
    return zone


def _event_span(events: Sequence[Component]) -> tuple[date, date] | None:
    moments: list[date] = []
    for event in events:
        for name in ("DTSTART", "DTEND"):
            prop = event.get(name)
            if prop is not None:
                moments.append(prop.dt)
    if not moments:
        return None
    days = [m.date() if isinstance(m, datetime) else m for m in moments]
    return min(days), max(days)


def to_ical(component: Component) -> bytes:
    """``component.to_ical()``, faster: icalendar folds every content line character by
    character, though most lines are short ASCII that need no folding. Those are written as
    they are; the others still go through icalendar's folding. Same bytes either way."""
    lines = []
    for line in component.content_lines():
        if not line:
            continue
        lines.append(line.encode("ascii") if len(line) < 75 and line.isascii() else line.to_ical())
    lines.append(b"")
    return b"\r\n".join(lines)


@functools.lru_cache(maxsize=256)
def _zone_ical(tzname: str, first_year: int, last_year: int) -> bytes:
    return to_ical(_shared_vtimezone(tzname, first_year, last_year))


_END_CALENDAR = b"END:VCALENDAR\r\n"


@functools.lru_cache(maxsize=512)
def _calendar_head(tzname: str, method: str | None, name: str | None) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method.upper())
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", tzname)
    head: bytes = cal.to_ical()
    assert head.endswith(_END_CALENDAR)
    return head[: -len(_END_CALENDAR)]


def _zones_ical(tzids: Iterable[str], span: tuple[date, date]) -> list[bytes]:
    first, last = sorted((span[0].year, span[1].year))
    found = []
    for tzid in sorted(set(tzids) - {"UTC"}):
        try:
            ZoneInfo(tzid)
        except (ValueError, KeyError):
            continue  # a foreign TZID we cannot expand stays as it came
        found.append(_zone_ical(tzid, first, last))
    return found


def calendar_for(
    events: Iterable[Component],
    tzname: str,
    method: str | None = None,
    name: str | None = None,
) -> bytes:
    """A complete VCALENDAR holding ``events`` and every VTIMEZONE they refer to.

    Assembled from serialised parts: the calendar's own properties, each VTIMEZONE (whose
    text is cached per zone and year span, being the same in every calendar), then the
    events. Content lines stand alone (RFC 5545 §3.1), so the parts concatenate."""
    items = list(events)
    parts = [_calendar_head(tzname, method, name)]
    span = _event_span(items)
    if span is not None:
        probe = Calendar()
        probe.subcomponents = items
        parts += _zones_ical(probe.get_missing_tzids() | {tzname}, span)
        parts += [to_ical(component) for component in items]
    parts.append(_END_CALENDAR)
    return b"".join(parts)


def wrap_event(vevent: bytes, tzname: str, span: tuple[date, date], method: str) -> bytes:
    """A VCALENDAR (with ``method``) around one VEVENT serialised by ``booking_vevent``,
    whose times are in ``tzname`` and fall within ``span``: the invite of an email, built
    without parsing the event again."""
    zones = _zones_ical({tzname}, span)
    return b"".join([_calendar_head(tzname, method, None), *zones, vevent, _END_CALENDAR])


def _organized(event: Event) -> Event:
    if event.get("ORGANIZER") is None:
        raise ValidationError("an iTIP message needs an ORGANIZER", field="organizer")
    return event


def itip_request(event: Event, tzname: str) -> bytes:
    """RFC 5546 §3.2.2 REQUEST: invite, or update (same UID, higher SEQUENCE)."""
    return calendar_for([_organized(event)], tzname, method="REQUEST")


def itip_cancel(event: Event, tzname: str) -> bytes:
    """RFC 5546 §3.2.5 CANCEL of the whole event: same UID, STATUS:CANCELLED.

    The SEQUENCE is the event's: the domain raises ``booking.sequence`` when it cancels or
    expires a booking, so the CANCEL outranks every REQUEST sent before it.
    """
    cancelled = Event.from_ical(_organized(event).to_ical())
    assert isinstance(cancelled, Event)
    cancelled.pop("STATUS", None)
    cancelled.add("status", "CANCELLED")
    cancelled.pop("TRANSP", None)
    cancelled.add("transp", "TRANSPARENT")
    return calendar_for([cancelled], tzname, method="CANCEL")


def booking_ics(event: Event, tzname: str, *, name: str | None = None) -> bytes:
    """A booking.ics download: one event, no iTIP method (RFC 5545 publish semantics)."""
    return calendar_for([event], tzname, name=name)
