"""The day's route, read side: for each worker, the visits of a day at clients' addresses in
the order that drives least while keeping every booked time, the driving saved against
booked order, and visits worth giving to another worker who can do the service.

Reads bookings, resources and customers through the unit of work; the ordering is
``hub.domain.routing`` with driving times from the ``TravelTimes`` port (the business's
straight-line model unless a routing engine is configured). Changes nothing:
taking a suggestion is a reassignment through the usual use case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.domain.booking import Booking, BookingStatus
from hub.domain.errors import ValidationError
from hub.domain.geo import GeoPoint
from hub.domain.model import Customer, Resource
from hub.domain.routing.model import Visit, Worker
from hub.domain.routing.solver import plan_day
from hub.services.calendars import get_business
from hub.services.ports import TravelTimes, UnitOfWork
from hub.services.travel_times import STRAIGHT_LINE, minutes_matrix

ON_ROUTE = frozenset(
    {
        BookingStatus.PENDING,
        BookingStatus.CONFIRMED,
        BookingStatus.IN_PROGRESS,
        BookingStatus.COMPLETED,
    }
)
WINDOWS = (0, 60, 120)  # arrival window the route may use, minutes after the booked start


@dataclass(frozen=True, slots=True)
class Stop:
    booking: Booking
    customer: Customer | None
    location: GeoPoint
    arrive: datetime  # the suggested start (the booked one when the window is exact)


@dataclass(frozen=True, slots=True)
class WorkerRoute:
    resource: Resource
    stops: tuple[Stop, ...]  # suggested order
    booked: tuple[Stop, ...]  # booked order
    driving_minutes: int
    booked_driving_minutes: int
    proven_optimal: bool
    feasible: bool
    booked_feasible: bool
    unlocated: tuple[Booking, ...]  # at-address visits with no place to drive to

    @property
    def saved_minutes(self) -> int:
        return max(0, self.booked_driving_minutes - self.driving_minutes)


@dataclass(frozen=True, slots=True)
class Move:
    booking: Booking
    customer: Customer | None
    from_resource: Resource
    to_resource: Resource
    saves_minutes: int


@dataclass(frozen=True, slots=True)
class DayRoute:
    day: date
    window_minutes: int
    routes: tuple[WorkerRoute, ...]
    moves: tuple[Move, ...]


def day_route(
    uow: UnitOfWork,
    business_id: str,
    day: date,
    *,
    branch_id: str | None = None,
    resource_ids: Sequence[str] | None = None,
    window_minutes: int = 0,
    travel_times: TravelTimes = STRAIGHT_LINE,
) -> DayRoute:
    """Each worker's route on ``day`` (only ``resource_ids`` when given: an employee's own;
    only the branch's workers when ``branch_id`` is given). ``window_minutes``: how long after
    the booked start a visit may begin (0: exactly at the booked time). Driving minutes come
    from ``travel_times``, asked once for the whole day."""
    if window_minutes not in WINDOWS:
        raise ValidationError("the arrival window is 0, 60 or 120 minutes", field="window")
    with uow:
        business = get_business(uow, business_id)
        tz = ZoneInfo(business.timezone)
        midnight = datetime.combine(day, time(0), tz)
        resources = [
            r
            for r in uow.resources.list(business_id)
            if r.active
            and (resource_ids is None or r.id in resource_ids)
            and (branch_id is None or branch_id in r.branch_ids)
        ]
        by_id = {r.id: r for r in resources}
        found = [
            b
            for b in uow.bookings.list_range(
                business_id,
                midnight,
                datetime.combine(day + timedelta(days=1), time(0), tz),
                list(by_id),
            )
            if b.at_client_address and b.status in ON_ROUTE and b.resource_id in by_id
        ]
        customers = {b.customer_id: uow.customers.get(business_id, b.customer_id) for b in found}
        members = {g.id: set(g.resource_ids) for g in uow.groups.list(business_id)}
        capable = {
            s.id: frozenset(s.resource_ids).union(*(members.get(g, set()) for g in s.group_ids))
            for s in uow.services.list(business_id)
        }
    points: list[GeoPoint] = []
    workers: list[Worker] = []
    bookings: dict[str, Booking] = {}
    unlocated: dict[str, list[Booking]] = {}
    for resource in resources:
        base: int | None = None
        if resource.base is not None:
            base = len(points)
            points.append(resource.base)
        visits = []
        for booking in sorted(
            (b for b in found if b.resource_id == resource.id), key=lambda b: (b.start, b.id)
        ):
            if booking.location is None:
                unlocated.setdefault(resource.id, []).append(booking)
                continue
            bookings[booking.id] = booking
            start = (booking.start - midnight).total_seconds() / 60
            visits.append(
                Visit(
                    booking.id,
                    len(points),
                    start,
                    start + window_minutes,
                    (booking.end - booking.start).total_seconds() / 60,
                    start,
                )
            )
            points.append(booking.location)
        if visits or resource.base is not None or resource.id in unlocated:
            workers.append(Worker(resource.id, base, tuple(visits)))
    travel = minutes_matrix(points, model=business.travel, times=travel_times)
    # Another worker may take a visit when it can do the service (directly or by a group).
    allowed = {
        booking.id: frozenset(
            w.key for w in workers if w.key in capable.get(booking.service_id, frozenset())
        )
        for booking in bookings.values()
    }
    plan = plan_day(workers, travel, allowed=allowed)

    def stop(visit: Visit, start: float) -> Stop:
        booking = bookings[visit.key]
        assert booking.location is not None
        return Stop(
            booking,
            customers.get(booking.customer_id),
            booking.location,
            midnight + timedelta(minutes=start),
        )

    routes = []
    for route in plan.routes:
        booked = sorted(route.visits, key=lambda v: (v.booked, v.key))
        routes.append(
            WorkerRoute(
                by_id[route.worker],
                tuple(stop(v, s) for v, s in zip(route.visits, route.starts, strict=True)),
                tuple(stop(v, v.booked) for v in booked),
                round(route.driving),
                round(route.booked_driving),
                route.proven_optimal,
                route.feasible,
                route.booked_feasible,
                tuple(unlocated.get(route.worker, ())),
            )
        )
    moves = tuple(
        Move(
            bookings[s.visit.key],
            customers.get(bookings[s.visit.key].customer_id),
            by_id[s.from_worker],
            by_id[s.to_worker],
            round(s.saves),
        )
        for s in plan.suggestions
    )
    return DayRoute(day, window_minutes, tuple(routes), moves)
