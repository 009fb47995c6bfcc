"""Which resource takes a booking at a time: among those free then (and able to get to a
client's address in time), the least booked that day; or why none can (taken, not offered,
unreachable). Used when a booking is created and when it is moved.

Not here: finding free times (``hub.availability``), the bookings themselves
(``booking_create``, ``booking_moves``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.availability.engine import fits, is_free, pick_resource
from hub.availability.types import ResourceCalendar, Slot, SlotRequest
from hub.domain.errors import SlotNotOfferedError, SlotTakenError, SlotUnreachableError
from hub.domain.model import Resource
from hub.services.calendars import with_seats
from hub.services.ports import UnitOfWork


def choose_resource(
    uow: UnitOfWork,
    resources: Sequence[Resource],
    calendars: Sequence[ResourceCalendar],
    *,
    request: SlotRequest,
    start: datetime,
    end: datetime,
    force: bool,
    prefer: str | None = None,
) -> Resource:
    """The resource to book at ``start``: among those free then (and, at a client's address
    with ``request.travel``, able to get there in time), the least booked that day.
    Raises ``SlotUnreachableError`` when some resource is free then but none can get there,
    ``SlotTakenError`` when the time is offered but taken, ``SlotNotOfferedError``
    when it is not offered at all (closed, off the grid, outside notice or horizon).
    ``prefer`` wins when it is free (a rescheduled booking keeps its resource if it can)."""
    free: list[Resource] = []
    offered_somewhere = unreachable = False
    for resource, calendar in zip(resources, calendars, strict=True):
        own = with_seats(request, resource, request.seats)
        if force:
            ok = fits(
                calendar,
                start,
                end,
                seats=own.seats,
                buffer_before=own.buffer_before,
                buffer_after=own.buffer_after,
                travel_gap=own.travel_gap,
                at_client_address=own.at_client_address,
            )
            offered_somewhere = True
        else:
            ok = is_free(own, calendar, start)
            if not ok and own.travel is not None and own.at_client_address:
                unreachable = unreachable or is_free(replace(own, travel=None), calendar, start)
            if not ok and is_free(own, replace(calendar, busy=()), start):
                offered_somewhere = True
        if ok:
            free.append(resource)
    if not free:
        if unreachable:
            raise SlotUnreachableError(
                "no one can get to that address in time for that time", start=start.isoformat()
            )
        if offered_somewhere:
            raise SlotTakenError("that time is already taken", start=start.isoformat())
        raise SlotNotOfferedError("that time is not offered", start=start.isoformat())
    if len(free) == 1:
        return free[0]
    for resource in free:
        if resource.id == prefer:
            return resource
    tz = ZoneInfo(request.timezone)
    day_start = datetime.combine(start.astimezone(tz).date(), time(0), tz)
    day_end = datetime.combine(day_start.date() + timedelta(days=1), time(0), tz)
    load: dict[str, int] = {}
    for _, resource_id, _ in uow.bookings.occupied_times([r.id for r in free], day_start, day_end):
        load[resource_id] = load.get(resource_id, 0) + 1
    chosen = pick_resource(Slot(start, end, tuple(r.id for r in free)), load)
    return next(r for r in free if r.id == chosen)
