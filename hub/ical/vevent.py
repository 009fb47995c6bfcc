"""A booking (and a block) written as a VEVENT: the properties of the one projection
(``hub.ical.projection``), as an icalendar ``Event`` or as bytes written directly.

Whole calendars around events are ``hub.ical.vcalendar``'s; iTIP methods ``hub.ical.itip``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Event, vCalAddress

from hub.domain.booking import Booking, Invitee
from hub.domain.model import Block, Branch, Business, Customer, Resource, Service
from hub.ical.content_lines import clean, escape_text, fold, param_value
from hub.ical.projection import block_summary, booking_event

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
        head = prop.name + "".join(f";{key}={param_value(v)}" for key, v in prop.params)
        value = prop.value
        if prop.kind == _MOMENT and isinstance(value, datetime):
            text = value.strftime("%Y%m%dT%H%M%SZ")
        elif prop.kind == _LOCAL and isinstance(value, datetime):
            head += f";TZID={param_value(tzid)}"
            text = value.strftime("%Y%m%dT%H%M%S")
        elif prop.kind == _TEXT:
            text = escape_text(str(value))
        else:
            text = clean(str(value))
        lines.append(fold(f"{head}:{text}"))
    lines += [b"END:VEVENT", b""]
    return b"\r\n".join(lines)


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
