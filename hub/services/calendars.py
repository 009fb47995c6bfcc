"""What the use cases hand the availability engine: the resources that can do a service, their
calendars (rules + bookings + blocks + external busy time), and the slot request.

Lookups that raise ``NotFoundError`` for missing setup rows live here too, since every use
case needs them. The engine itself is ``hub.availability.engine``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from hub.availability.types import BranchHours, Busy, ResourceCalendar, SlotRequest, Travel
from hub.domain.booking import Booking
from hub.domain.errors import NotFoundError, ValidationError
from hub.domain.geo import GeoPoint
from hub.domain.model import FIRST_DAY, LAST_DAY, Branch, Business, DateException, Resource, Service
from hub.services.ports import BusySource, UnitOfWork

MARGIN = timedelta(days=1)


def get_business(uow: UnitOfWork, business_id: str) -> Business:
    business = uow.businesses.get(business_id)
    if business is None:
        raise NotFoundError("no such business", entity="business", id=business_id)
    return business


def get_service(uow: UnitOfWork, business_id: str, service_id: str) -> Service:
    service = uow.services.get(business_id, service_id)
    if service is None or not service.active:
        raise NotFoundError("no such service", entity="service", id=service_id)
    return service


def get_booking(uow: UnitOfWork, business_id: str, booking_id: str) -> Booking:
    booking = uow.bookings.get(business_id, booking_id)
    if booking is None:
        raise NotFoundError("no such booking", entity="booking", id=booking_id)
    return booking


def get_branch(uow: UnitOfWork, business_id: str, branch_id: str | None) -> Branch | None:
    if branch_id is None:
        return None
    branch = uow.branches.get(business_id, branch_id)
    if branch is None or not branch.active:
        raise NotFoundError("no such branch", entity="branch", id=branch_id)
    return branch


def candidate_resources(
    uow: UnitOfWork,
    service: Service,
    *,
    resource_id: str | None = None,
    group_id: str | None = None,
    branch_id: str | None = None,
) -> list[Resource]:
    """Active resources that can do ``service``, in a stable order: the one asked for, the
    members of the group asked for, or every resource and group member linked to the service
    (all of the business's resources when the service names none). Narrowed to a branch."""
    business_id = service.business_id
    allowed: list[str] = list(service.resource_ids)
    for gid in service.group_ids:
        group = uow.groups.get(business_id, gid)
        if group is not None:
            allowed.extend(group.resource_ids)
    unrestricted = not service.resource_ids and not service.group_ids
    if resource_id is not None:
        if not unrestricted and resource_id not in allowed:
            raise ValidationError(
                "this resource does not do this service", field="resource_id", id=resource_id
            )
        wanted = [resource_id]
    elif group_id is not None:
        group = uow.groups.get(business_id, group_id)
        if group is None:
            raise NotFoundError("no such group", entity="group", id=group_id)
        if not unrestricted and group_id not in service.group_ids:
            raise ValidationError(
                "this group does not do this service", field="group_id", id=group_id
            )
        wanted = list(group.resource_ids)
    elif unrestricted:
        wanted = [r.id for r in uow.resources.list(business_id)]
    else:
        wanted = allowed
    resources = [r for r in uow.resources.get_many(business_id, wanted) if r.active]
    if branch_id is not None:
        resources = [r for r in resources if not r.branch_ids or branch_id in r.branch_ids]
    if resource_id is not None and not resources:
        raise NotFoundError("no such resource", entity="resource", id=resource_id)
    if not resources:
        raise ValidationError("no resource can do this service", field="service_id")
    return resources


def seats_for(resource: Resource, persons: int) -> int:
    """Places a booking takes: one on an exclusive (capacity 1) resource, one per person on a
    shared one (a class, a room with seats)."""
    return 1 if resource.capacity == 1 else persons


def build_calendars(
    uow: UnitOfWork,
    business: Business,
    resources: Sequence[Resource],
    start: datetime,
    end: datetime,
    *,
    busy_sources: Sequence[BusySource] = (),
    exclude_booking_id: str | None = None,
    branch: Branch | None = None,
) -> list[ResourceCalendar]:
    """Calendars of ``resources`` with every busy interval that touches ``[start, end)``
    widened by a day on each side (buffers, travel gaps and whole local days fit in it).
    ``branch``: the branch the caller named (its hours are the request's); when None, each
    calendar carries the hours of the branches its resource works at."""
    lo, hi = start - MARGIN, end + MARGIN
    ids = [r.id for r in resources]
    busy: dict[str, list[Busy]] = {rid: [] for rid in ids}
    for booking_id, resource_id, interval in uow.bookings.occupied_times(ids, lo, hi):
        if booking_id != exclude_booking_id:
            busy[resource_id].append(interval)
    branch_ids = sorted({b for r in resources for b in r.branch_ids})
    blocks = uow.blocks.overlapping(business.id, lo, hi, ids, branch_ids)
    for resource in resources:
        for block in blocks:
            if block.resource_id == resource.id or (
                block.resource_id is None and block.branch_id in resource.branch_ids
            ):
                busy[resource.id].append(Busy(block.start, block.end))
    for source in busy_sources:
        for rid, intervals in source.busy(business.id, ids, lo, hi).items():
            if rid in busy:
                busy[rid].extend(Busy(i.start, i.end) for i in intervals)
    # With no branch named, each resource keeps to the hours of the branches it works at.
    hours = {} if branch is not None else _branch_hours(uow, business.id, branch_ids)
    return [
        ResourceCalendar(
            r.id,
            r.weekly,
            r.exceptions,
            tuple(busy[r.id]),
            r.capacity,
            branches=tuple(hours[b] for b in r.branch_ids if b in hours),
            base=r.base,
        )
        for r in resources
    ]


def _branch_hours(uow: UnitOfWork, business_id: str, ids: Sequence[str]) -> dict[str, BranchHours]:
    found = [b for b in (uow.branches.get(business_id, i) for i in ids) if b is not None]
    return {b.id: BranchHours(b.hours, b.exceptions) if b.active else CLOSED for b in found}


# An archived branch is closed: its resources are offered only through their other branches.
CLOSED = BranchHours(exceptions=(DateException(FIRST_DAY, LAST_DAY, reason="archived"),))


def place_of(
    uow: UnitOfWork, business_id: str, location: GeoPoint | None, zone_id: str | None
) -> GeoPoint | None:
    """Where a booking at the client's address would be: the point given, else the middle
    of the business's (active) zone named."""
    if location is not None or zone_id is None:
        return location
    zone = uow.zones.get(business_id, zone_id)
    if zone is None or not zone.active:
        raise ValidationError("no such zone", field="zone_id", id=zone_id)
    return zone.middle


def slot_request(
    business: Business,
    service: Service,
    *,
    date_from: date,
    date_to: date,
    now: datetime,
    public: bool,
    persons: int = 1,
    branch: Branch | None = None,
    travel: Travel | None = None,
) -> SlotRequest:
    """The engine's request: clients get the business's notice, horizon and slot step;
    operators get any time from now on (opening hours still shape the offer). ``travel``:
    where an at-address booking would be and how long driving takes
    (``hub.services.travel_times.travel_for``)."""
    policy = business.policy
    return SlotRequest(
        timezone=business.timezone,
        date_from=date_from,
        date_to=date_to,
        duration=timedelta(minutes=service.duration_minutes),
        now=now,
        step=timedelta(minutes=policy.slot_step_minutes) if policy.slot_step_minutes else None,
        buffer_before=timedelta(minutes=service.buffer_before_minutes),
        buffer_after=timedelta(minutes=service.buffer_after_minutes),
        min_notice=policy.min_notice if public else timedelta(0),
        horizon=policy.horizon if public else None,
        seats=persons,
        at_client_address=service.at_client_address,
        travel_gap=timedelta(minutes=policy.travel_gap_minutes),
        branch_weekly=branch.hours if branch is not None else (),
        branch_exceptions=branch.exceptions if branch is not None else (),
        travel=travel if service.at_client_address else None,
    )


def with_seats(request: SlotRequest, resource: Resource, persons: int) -> SlotRequest:
    return replace(request, seats=seats_for(resource, persons))
