"""Inputs and outputs of the availability engine (value objects only)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hub.domain.model import DateException, WeeklyInterval


@dataclass(frozen=True, slots=True)
class Busy:
    """Time a resource is taken, in UTC. ``seats`` counts against the resource's capacity
    (a block or an external busy event takes all seats: ``seats=None``).
    ``at_client_address`` marks bookings that need a travel gap around them; ``place`` is
    where such a visit is (an opaque key the request's ``Travel.time`` understands; None:
    not located, so only the fixed travel gap separates it from other visits)."""

    start: datetime
    end: datetime
    seats: int | None = None
    at_client_address: bool = False
    place: Hashable | None = None

    @classmethod
    def of_booking(
        cls,
        start: datetime,
        end: datetime,
        *,
        seats: int = 1,
        buffer_before: timedelta = timedelta(0),
        buffer_after: timedelta = timedelta(0),
        at_client_address: bool = False,
        place: Hashable | None = None,
    ) -> Busy:
        """The busy time of an existing booking: widened by its own service's buffers, which
        is the convention the engine expects (see ``hub.availability.busy``)."""
        return cls(start - buffer_before, end + buffer_after, seats, at_client_address, place)


@dataclass(frozen=True, slots=True)
class BranchHours:
    """A branch's weekly hours (empty: no weekly restriction) and its date exceptions."""

    weekly: tuple[WeeklyInterval, ...] = ()
    exceptions: tuple[DateException, ...] = ()


@dataclass(frozen=True, slots=True)
class ResourceCalendar:
    """Everything the engine needs to know about one resource.

    ``branches``: the hours of the branches the resource works at, when the request names
    no branch. The resource is offered within any of them (a washer at a morning branch and
    an evening one works both shifts); empty: no branch restriction.

    ``base``: where the resource starts each working day and (when the request's travel
    says so) returns by its end; None: it starts at its first visit."""

    resource_id: str
    weekly: tuple[WeeklyInterval, ...]
    exceptions: tuple[DateException, ...] = ()
    busy: tuple[Busy, ...] = ()
    capacity: int = 1
    branches: tuple[BranchHours, ...] = ()
    base: Hashable | None = None


TravelTime = Callable[[Hashable, Hashable], timedelta]


@dataclass(frozen=True, slots=True)
class Travel:
    """Where a new at-address booking would be, and how long getting between two places
    takes (``time(from, to)``: a matrix lookup or a model handed in; the engine never
    computes geography). See ``hub.availability.travel`` for the rule."""

    place: Hashable
    time: TravelTime
    return_to_base: bool = False


@dataclass(frozen=True, slots=True)
class SlotRequest:
    """What is being booked and the window to search.

    Dates are in the business timezone and inclusive. ``branch_weekly`` (empty: no branch
    restriction) and ``branch_exceptions`` are intersected with each resource's own rules.
    ``min_notice``/``horizon`` apply relative to ``now``; an operator search passes zero
    notice. ``seats`` is how many places one booking takes (per-person services).
    ``travel`` (used only when ``at_client_address``): offer a slot only where the resource
    can get there in time from its previous visit and on to its next one.
    """

    timezone: str
    date_from: date
    date_to: date
    duration: timedelta
    now: datetime
    step: timedelta | None = None  # None: the duration
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    min_notice: timedelta = timedelta(0)
    horizon: timedelta | None = None
    seats: int = 1
    at_client_address: bool = False
    travel_gap: timedelta = timedelta(0)
    branch_weekly: tuple[WeeklyInterval, ...] = ()
    branch_exceptions: tuple[DateException, ...] = ()
    travel: Travel | None = None


@dataclass(frozen=True, slots=True)
class Slot:
    """A free start time: UTC ``start``/``end`` and the resources free for all of it,
    in the resources' given (stable) order."""

    start: datetime
    end: datetime
    resource_ids: tuple[str, ...]
