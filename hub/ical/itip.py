"""iTIP (RFC 5546) objects carried by iMIP invites: REQUEST (invite or update) and CANCEL."""

from __future__ import annotations

from icalendar import Event

from hub.domain.errors import ValidationError
from hub.ical.vcalendar import calendar_for


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
