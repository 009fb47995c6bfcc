"""What the CalDAV view serves: bookings and blocks as iCalendar objects, with their ETags.

Rendering is deterministic (DTSTAMP is the booking's last change, not the clock), so one
booking version always gives the same bytes and the same ETag. The ETag is a digest of the
versions of the rows the text is made from, computed without rendering: a PROPFIND that
lists 10,000 ETags renders nothing. The iCalendar itself comes from ``hub.ical`` (the one builder).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Event

from caldav_server.read_model import Catalog
from hub.domain.booking import Booking
from hub.domain.model import Block, Customer
from hub.ical.projection import block_summary
from hub.ical.vcalendar import calendar_for
from hub.ical.vevent import booking_vevent

BLOCK_PREFIX = "block-"


def booking_href(booking_id: str) -> str:
    return f"{booking_id}.ics"


def block_href(block_id: str) -> str:
    return f"{BLOCK_PREFIX}{block_id}.ics"


def parse_href(href: str) -> tuple[str, str] | None:
    """("booking", id) or ("block", id) for an href the hub made; None for others."""
    if not href.endswith(".ics"):
        return None
    stem = href[: -len(".ics")]
    if stem.startswith(BLOCK_PREFIX):
        return "block", stem[len(BLOCK_PREFIX) :]
    if len(stem) == 36 and stem.count("-") == 4:
        return "booking", stem
    return None


def etag_of(*parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return f'"{digest[:40]}"'


def text_etag(text: str) -> str:
    return etag_of("text", text)


def booking_etag(booking: Booking, customer: Customer, catalog: Catalog) -> str:
    return etag_from(
        catalog,
        booking.id,
        booking.version,
        booking.service_id,
        booking.branch_id,
        customer.version,
    )


def etag_from(  # noqa: PLR0917 - one booking's columns, as ``read_model.booking_listing`` reads them
    catalog: Catalog,
    booking_id: str,
    version: int,
    service_id: str,
    branch_id: str | None,
    customer_version: int,
) -> str:
    """A booking's ETag, without rendering: from the versions of the rows its event is
    made from (the booking, its customer, service, resource and branch, the business).
    Each is bumped by every change to its row, so whatever the event shows moves the ETag;
    a change that alters none of those rows leaves it alone."""
    service = catalog.services.get(service_id)
    branch = catalog.branches.get(branch_id or "")
    return etag_of(
        booking_id,
        version,
        customer_version,
        service.version if service else 0,
        catalog.resource.version,
        branch.version if branch else 0,
        catalog.business.version,
    )


def booking_text(booking: Booking, customer: Customer, catalog: Catalog) -> str:
    service = catalog.services[booking.service_id]
    event = booking_vevent(
        booking,
        catalog.business,
        service,
        catalog.resource,
        customer,
        now=booking.updated_at or booking.created_at,
        branch=catalog.branches.get(booking.branch_id or ""),
    )
    return calendar_for([event], catalog.business.timezone).decode("utf-8")


def block_uid(block: Block) -> str:
    return block.external_uid or f"block-{block.id}@turnero"


def block_etag(block: Block, catalog: Catalog) -> str:
    return etag_of(block.id, block.start, block.end, block.reason, catalog.business.timezone)


def block_text(block: Block, catalog: Catalog) -> str:
    tz = ZoneInfo(catalog.business.timezone)
    event = Event()
    event.add("uid", block_uid(block))
    event.add("dtstamp", block.start.astimezone(UTC))
    event.add("summary", block_summary(block, catalog.business))
    event.add("dtstart", block.start.astimezone(tz))
    event.add("dtend", block.end.astimezone(tz))
    event.add("transp", "OPAQUE")
    event.add("status", "CONFIRMED")
    event.add("x-turnero-block-id", block.id)
    return calendar_for([event], catalog.business.timezone).decode("utf-8")


def timestamp(moment: datetime) -> int:
    return int(moment.timestamp())
