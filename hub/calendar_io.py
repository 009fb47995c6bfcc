"""Agendas in and out as iCalendar files: export a business's (or one resource's) bookings
and blocks; import an existing agenda as blocks, all or nothing; and the one ``booking.ics``
download of a booking for its client (the REST API and the manage page both serve it).

Parsing and building are ``hub.ical``'s; rules (a block needs a positive length, a known
resource…) are the use cases'. Here: turning VEVENTs into block requests, expanding
recurrences within the booking horizon, and refusing the whole file if any event is bad.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from icalendar import Component

from hub.domain.booking import BookingStatus, ChangedBy
from hub.domain.errors import ValidationError
from hub.domain.model import Business, Resource
from hub.ical.vcalendar import booking_ics, calendar_for
from hub.ical.vevent import block_vevent, booking_vevent
from hub.ical_parser import CalendarLimits, parse_calendar
from hub.services import customer_setup, setup
from hub.services.availability import get_booking_by_token
from hub.services.blocks import NewBlock, import_blocks
from hub.services.ports import UnitOfWork

Progress = Callable[[int, int], None]
# A whole agenda: years of events, each with its overrides and alarms.
IMPORT_LIMITS = CalendarLimits(octets=20_000_000, properties=400_000, components=40_000)
VISIBLE = (
    BookingStatus.PENDING,
    BookingStatus.CONFIRMED,
    BookingStatus.IN_PROGRESS,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
)


def booking_download(uow: UnitOfWork, token: str, *, now: datetime) -> bytes:
    """The client's copy of the booking whose link token is ``token``, as a booking.ics: the
    client as they booked, titled with the service and the business, at the booking's
    branch (or the business's first). Raises ``NotFoundError`` for an unknown token."""
    with uow:
        booking = get_booking_by_token(uow, token)
        business = setup.find_business(uow, business_id=booking.business_id)
        service = setup.get_service(uow, business.id, booking.service_id)
        resource = setup.get_resource(uow, business.id, booking.resource_id)
        customer = booking.client_of(
            customer_setup.get_customer(uow, business.id, booking.customer_id)
        )
        branches = setup.list_branches(uow, business.id)
    branch = next((b for b in branches if b.id == booking.branch_id), None)
    if branch is None and branches:
        branch = branches[0]
    event = booking_vevent(
        booking,
        business,
        service,
        resource,
        customer,
        now=now,
        branch=branch,
        summary=f"{service.name} — {business.name}",
    )
    return booking_ics(event, business.timezone, name=business.name)


def export_agenda(
    uow: UnitOfWork,
    business: Business,
    resource: Resource | None,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
) -> bytes:
    """The bookings (not cancelled or expired) and blocks of the business, or of one
    resource, overlapping ``[start, end)``, as one VCALENDAR in the business timezone."""
    events: list[Component] = []
    with uow:
        resources = {r.id: r for r in uow.resources.list(business.id)}
        services = {s.id: s for s in uow.services.list(business.id)}
        only = [resource.id] if resource else None
        for booking in uow.bookings.list_range(business.id, start, end, only, VISIBLE):
            customer = uow.customers.get(business.id, booking.customer_id)
            service = services.get(booking.service_id)
            if customer is None or service is None:
                continue
            events.append(
                booking_vevent(
                    booking, business, service, resources[booking.resource_id], customer, now=now
                )
            )
        for block in uow.blocks.overlapping(business.id, start, end, only or ()):
            events.append(block_vevent(block, business, now=now))
    name = f"{business.name} — {resource.name}" if resource else business.name
    return calendar_for(events, business.timezone, name=name)


def _instant(value: Any, tz: ZoneInfo, field: str, uid: str) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # floating time: the business's wall clock
            return value.replace(tzinfo=tz)
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=tz)
    raise ValidationError(f"event {uid}: {field} is not a date or time", field="ical", uid=uid)


def _occurrences(
    event: Component, tz: ZoneInfo, now: datetime, horizon: timedelta
) -> Iterator[tuple[datetime, datetime]]:
    uid = str(event.get("uid", "(no UID)"))
    if event.get("dtstart") is None:
        raise ValidationError(f"event {uid} has no DTSTART", field="ical", uid=uid)
    start = _instant(event.decoded("dtstart"), tz, "DTSTART", uid)
    if event.get("dtend") is not None:
        end = _instant(event.decoded("dtend"), tz, "DTEND", uid)
    elif event.get("duration") is not None:
        end = start + event.decoded("duration")
    elif not isinstance(event.decoded("dtstart"), datetime):
        end = start + timedelta(days=1)  # RFC 5545 §3.6.1: an all-day event lasts one day
    else:
        end = start
    if end <= start:
        raise ValidationError(f"event {uid} ends before it starts", field="ical", uid=uid)
    length = end - start
    rule = event.get("rrule")
    if rule is None:
        yield start, end
        return
    try:
        local_start = start.astimezone(tz).replace(tzinfo=None)
        recurrence = rrulestr(rule.to_ical().decode(), dtstart=local_start)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"event {uid}: bad RRULE ({exc})", field="ical", uid=uid) from exc
    limit = (now + horizon).astimezone(tz).replace(tzinfo=None)
    excluded: set[datetime] = set()
    for exdate in (
        event.get("exdate", []) if isinstance(event.get("exdate"), list) else [event.get("exdate")]
    ):
        if exdate is not None:
            excluded.update(_instant(d.dt, tz, "EXDATE", uid).astimezone(UTC) for d in exdate.dts)
    for occurrence in recurrence.between(local_start, limit, inc=True):
        begin = occurrence.replace(tzinfo=tz)  # wall clock, so DST keeps the local hour
        if begin.astimezone(UTC) not in excluded:
            yield begin, begin + length


def read_blocks(
    data: bytes, business: Business, resource: Resource, now: datetime
) -> list[NewBlock]:
    """Every VEVENT of the file as a block on ``resource``; raises ``ValidationError`` naming
    the line/component or the event at fault, before anything is written."""
    calendar = parse_calendar(data, IMPORT_LIMITS)
    tz = business.tz
    requests: list[NewBlock] = []
    for event in calendar.walk("VEVENT"):
        if str(event.get("transp", "OPAQUE")).upper() == "TRANSPARENT":
            continue  # free time does not block anyone
        if str(event.get("status", "")).upper() == "CANCELLED":
            continue
        uid = str(event.get("uid", "")) or None
        reason = str(event.get("summary", "")).strip()[:200]
        for start, end in _occurrences(event, tz, now, business.policy.horizon):
            if end <= now:
                continue
            requests.append(
                NewBlock(
                    business.id,
                    start,
                    end,
                    resource_id=resource.id,
                    reason=reason,
                    source="import",
                    external_uid=uid,
                )
            )
    return requests


def import_agenda(
    uow: UnitOfWork,
    business: Business,
    resource: Resource,
    data: bytes,
    *,
    by: ChangedBy,
    now: datetime,
    progress: Progress | None = None,
) -> int:
    """Import a calendar file as blocks on ``resource``; returns how many. Nothing is
    imported if any event is malformed or refused. Events imported before (same UID, same
    resource) are replaced, not duplicated."""
    requests = read_blocks(data, business, resource, now)
    if progress is not None:
        progress(0, len(requests))
    chunk = max(1, len(requests) // 20)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None and (done % chunk == 0 or done == len(requests)):
            progress(done, len(requests))

    # Events are matched by UID: importing the same (or an updated) file again replaces
    # what it imported before instead of adding it twice.
    results = import_blocks(uow, requests, by=by, now=now, on_each=tick, replace_imported=True)
    return sum(len(r.blocks) for r in results)
