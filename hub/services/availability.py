"""Read use cases: free slots for a service, and bookings for calendar views and pages.

Clients see what the business offers them (opening hours, minimum notice, horizon, slot
step); staff see every opening from now on, without notice or horizon. Writes are elsewhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.availability.engine import find_slots
from hub.availability.types import ResourceCalendar, Slot
from hub.domain.booking import Booking, BookingStatus, ChangedBy
from hub.domain.errors import NotFoundError, ValidationError
from hub.domain.geo import GeoPoint
from hub.domain.model import require_aware, require_day_in_range
from hub.services.calendars import (
    build_calendars,
    candidate_resources,
    get_branch,
    get_business,
    get_service,
    place_of,
    seats_for,
    slot_request,
)
from hub.services.plans import require_open
from hub.services.ports import BusySource, TravelTimes, UnitOfWork
from hub.services.travel_times import STRAIGHT_LINE, travel_for

MAX_DAYS = 62


@dataclass(frozen=True, slots=True)
class AvailabilityQuery:
    """Local dates (business timezone), inclusive."""

    business_id: str
    service_id: str
    date_from: date
    date_to: date
    resource_id: str | None = None
    group_id: str | None = None
    branch_id: str | None = None
    persons: int = 1
    # At-address services: where the client is (a point, else a zone's middle). With it,
    # only times a worker can drive to are offered.
    location: GeoPoint | None = None
    zone_id: str | None = None


def find_availability(
    uow: UnitOfWork,
    query: AvailabilityQuery,
    *,
    by: ChangedBy,
    now: datetime,
    busy_sources: Sequence[BusySource] = (),
    travel_times: TravelTimes = STRAIGHT_LINE,
) -> list[Slot]:
    """Free start times for the service, each naming the resources free for it (in the
    service's stable order; booking a group picks the least busy of them). At a client's
    address, driving times come from ``travel_times``, asked once for the whole search."""
    require_aware(now, "now")
    require_day_in_range(query.date_from, "date_from")
    require_day_in_range(query.date_to, "date_to")
    if query.date_to < query.date_from:
        raise ValidationError("date_to is before date_from", field="date_to")
    if (query.date_to - query.date_from).days >= MAX_DAYS:
        raise ValidationError(f"ask for at most {MAX_DAYS} days at a time", field="date_to")
    with uow:
        business = get_business(uow, query.business_id)
        if by.is_client:
            require_open(uow.plans, business.id)  # a suspended business offers nothing
        service = get_service(uow, business.id, query.service_id)
        if not 1 <= query.persons <= service.max_persons:
            raise ValidationError(
                f"persons must be between 1 and {service.max_persons}", field="persons"
            )
        branch = get_branch(uow, business.id, query.branch_id)
        place = place_of(uow, business.id, query.location, query.zone_id)
        resources = candidate_resources(
            uow,
            service,
            resource_id=query.resource_id,
            group_id=query.group_id,
            branch_id=query.branch_id,
        )
        tz = ZoneInfo(business.timezone)
        start = datetime.combine(query.date_from, time(0), tz)
        end = datetime.combine(query.date_to + timedelta(days=1), time(0), tz)
        calendars = build_calendars(
            uow, business, resources, start, end, busy_sources=busy_sources, branch=branch
        )
    request = slot_request(
        business,
        service,
        date_from=query.date_from,
        date_to=query.date_to,
        now=now,
        public=by.is_client,
        persons=query.persons,
        branch=branch,
        travel=travel_for(
            place,
            calendars,
            model=business.travel,
            times=travel_times,
            return_to_base=business.policy.travel_return_to_base,
        ),
    )
    # A booking takes one place on an exclusive resource and one per person on a shared
    # one, so resources are asked in groups of the same seat count and merged.
    by_seats: dict[int, list[ResourceCalendar]] = defaultdict(list)
    for resource, calendar in zip(resources, calendars, strict=True):
        by_seats[seats_for(resource, query.persons)].append(calendar)
    order = {r.id: i for i, r in enumerate(resources)}
    found: dict[datetime, tuple[datetime, set[str]]] = {}
    for seats, group in by_seats.items():
        for slot in find_slots(replace(request, seats=seats), group):
            found.setdefault(slot.start, (slot.end, set()))[1].update(slot.resource_ids)
    return [
        Slot(start, slot_end, tuple(sorted(ids, key=order.__getitem__)))
        for start, (slot_end, ids) in sorted(found.items())
    ]


def list_bookings(
    uow: UnitOfWork,
    business_id: str,
    start: datetime,
    end: datetime,
    *,
    resource_ids: Sequence[str] | None = None,
    statuses: Sequence[BookingStatus] | None = None,
) -> list[Booking]:
    """Bookings of the business overlapping ``[start, end)``, by start (calendar views)."""
    require_aware(start, "start")
    require_aware(end, "end")
    if end <= start:
        raise ValidationError("the range must end after it starts", field="end")
    with uow:
        get_business(uow, business_id)
        return uow.bookings.list_range(business_id, start, end, resource_ids, statuses)


def get_booking_by_token(uow: UnitOfWork, token: str) -> Booking:
    """The booking behind a client's manage link."""
    with uow:
        booking = uow.bookings.get_by_token(token)
    if booking is None:
        raise NotFoundError("no such booking", entity="booking")
    return booking


def get_booking(uow: UnitOfWork, business_id: str, booking_id: str) -> Booking:
    with uow:
        booking = uow.bookings.get(business_id, booking_id)
    if booking is None:
        raise NotFoundError("no such booking", entity="booking", id=booking_id)
    return booking
