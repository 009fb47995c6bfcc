"""Small helpers shared by the CalDAV tests: raw WebDAV requests, iCalendar bodies, reading
bookings and outbox events back through the hub."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from hub.domain.booking import Booking
from hub.domain.model import OutboxEvent
from hub.services.availability import get_booking
from tests.caldav.conftest import DavWorld, Staff


def http(world: DavWorld, who: Staff) -> httpx.Client:
    return httpx.Client(auth=(who.user.email, who.password), timeout=30)


def vevent(uid: str, start: datetime, end: datetime, summary: str, extra: str = "") -> bytes:
    fmt = "%Y%m%dT%H%M%SZ"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//tests//EN",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{start.astimezone(UTC).strftime(fmt)}",
        f"DTSTART:{start.astimezone(UTC).strftime(fmt)}",
        f"DTEND:{end.astimezone(UTC).strftime(fmt)}",
        f"SUMMARY:{summary}",
        *([extra] if extra else []),
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
    return "\r\n".join(lines).encode()


def reread(world: DavWorld, booking: Booking) -> Booking:
    return get_booking(world.live.hub.uow(), booking.business_id, booking.id)


def outbox(world: DavWorld, booking: Booking) -> list[OutboxEvent]:
    with world.live.hub.uow() as uow:
        return uow.outbox.for_aggregate(booking.id)
