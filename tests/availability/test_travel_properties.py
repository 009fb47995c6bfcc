"""Property tests of travel-aware availability: on random days of at-address visits (fixed
times, places, a random and possibly asymmetric travel matrix, bases, a return to base), the
engine offers exactly the free slots after which the resource's whole day can still be driven
on time, as a brute-force walk of the day's route says: no unreachable slot is offered and no
reachable one is missed."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.availability.engine import find_slots, is_free
from hub.availability.types import Busy, ResourceCalendar, Slot, SlotRequest, Travel
from hub.domain.model import WeeklyInterval
from tests.availability.route_oracle import Stop, route_feasible

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MINUTE = timedelta(minutes=1)
# (zone, first day): no DST change; Madrid's spring forward falls in the second day.
PLACES = (
    ("America/Argentina/Buenos_Aires", date(2025, 6, 2)),
    ("Europe/Madrid", date(2024, 3, 30)),
)
LONG_AGO = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Matrix:
    """Travel minutes between numbered places (row: from, column: to)."""

    minutes: tuple[tuple[int, ...], ...]

    def __call__(self, origin: Hashable, destination: Hashable) -> timedelta:
        assert isinstance(origin, int) and isinstance(destination, int)
        return self.minutes[origin][destination] * MINUTE


@dataclass(frozen=True, slots=True)
class Day:
    request: SlotRequest
    calendars: list[ResourceCalendar]
    spans: dict[str, tuple[time, time]]  # resource -> first opening, last closing (wall)

    @property
    def travel(self) -> Travel:
        assert self.request.travel is not None
        return self.request.travel


@st.composite
def matrices(draw: st.DrawFn, size: int) -> Matrix:
    cell = st.integers(0, 90)
    rows = tuple(tuple(0 if i == j else draw(cell) for j in range(size)) for i in range(size))
    return Matrix(rows)


@st.composite
def visits(
    draw: st.DrawFn,
    *,
    zone: ZoneInfo,
    days: list[date],
    hours: tuple[time, time],
    places: int,
    matrix: Matrix,
    base: int | None,
    return_to_base: bool,
) -> list[Busy]:
    """A feasible booked route per day: visits in time order, each reachable from the one
    before (and the base), a few not located; what does not fit is dropped."""
    found: list[Busy] = []
    for day in days:
        opens = datetime.combine(day, hours[0], zone).astimezone(UTC)
        closes = datetime.combine(day, hours[1], zone).astimezone(UTC)
        stops: list[Stop] = []
        moment = opens
        for _ in range(draw(st.integers(0, 6))):
            drawn = draw(st.integers(-1, places - 1))
            place = None if drawn < 0 else drawn  # now and then a visit not located
            start = moment + draw(st.integers(0, 36)) * 5 * MINUTE
            end = start + draw(st.sampled_from((30, 45, 60, 90))) * MINUTE
            if end > closes:
                break
            stops.append(Stop(start, end, place))
            if not _feasible(stops, matrix, base, opens, closes, return_to_base=False):
                stops.pop()
            else:
                moment = end
        while stops and not _feasible(stops, matrix, base, opens, closes, return_to_base):
            stops.pop()
        found += [Busy(s.start, s.end, 1, True, s.place) for s in stops]
    return found


def _feasible(
    stops: list[Stop],
    matrix: Matrix,
    base: int | None,
    opens: datetime,
    closes: datetime,
    return_to_base: bool,
) -> bool:
    return route_feasible(
        stops, time=matrix, base=base, opens=opens, closes=closes, return_to_base=return_to_base
    )


@st.composite
def travel_days(draw: st.DrawFn, at_client_address: bool = True) -> Day:
    zone_name, first = draw(st.sampled_from(PLACES))
    zone = ZoneInfo(zone_name)
    days = [first + timedelta(days=n) for n in range(draw(st.integers(1, 2)))]
    places = draw(st.integers(1, 5))
    matrix = draw(matrices(places + 1))
    return_to_base = draw(st.booleans())
    calendars: list[ResourceCalendar] = []
    spans: dict[str, tuple[time, time]] = {}
    for index in range(draw(st.integers(1, 3))):
        opening = time(draw(st.integers(6, 10)))
        closing = time(draw(st.integers(15, 20)))
        weekly: tuple[WeeklyInterval, ...]
        if draw(st.booleans()):
            lunch = time(draw(st.integers(12, 13)))
            after = time(lunch.hour + 1)
            weekly = tuple(
                WeeklyInterval(d, a, b)
                for d in range(7)
                for a, b in ((opening, lunch), (after, closing))
            )
        else:
            weekly = tuple(WeeklyInterval(d, opening, closing) for d in range(7))
        base = draw(st.one_of(st.none(), st.integers(0, places - 1)))
        busy = draw(
            visits(
                zone=zone,
                days=days,
                hours=(opening, closing),
                places=places,
                matrix=matrix,
                base=base,
                return_to_base=return_to_base,
            )
        )
        for _ in range(draw(st.integers(0, 2))):  # a block, or a booking at the premises
            day = draw(st.sampled_from(days))
            start = datetime.combine(day, time(draw(st.integers(6, 19))), zone).astimezone(UTC)
            end = start + draw(st.sampled_from((15, 30, 60))) * MINUTE
            if all(b.end <= start or end <= b.start for b in busy):
                busy.append(Busy(start, end, draw(st.sampled_from((None, 1)))))
        busy.sort(key=lambda b: b.start)
        resource_id = f"washer{index}"
        calendars.append(ResourceCalendar(resource_id, weekly, busy=tuple(busy), base=base))
        spans[resource_id] = (opening, closing)
    request = SlotRequest(
        timezone=zone_name,
        date_from=days[0],
        date_to=days[-1],
        duration=draw(st.sampled_from((30, 45, 60, 90))) * MINUTE,
        now=LONG_AGO,
        step=draw(st.sampled_from((None, 15 * MINUTE, 30 * MINUTE))),
        buffer_before=draw(st.sampled_from((0, 0, 10))) * MINUTE,
        buffer_after=draw(st.sampled_from((0, 0, 15))) * MINUTE,
        at_client_address=at_client_address,
        travel_gap=draw(st.sampled_from((0, 0, 20))) * MINUTE,
        travel=Travel(draw(st.integers(0, places)), matrix, return_to_base),
    )
    return Day(request, calendars, spans)


def _pairs(slots: list[Slot]) -> set[tuple[datetime, str]]:
    return {(slot.start, rid) for slot in slots for rid in slot.resource_ids}


def _route_allows(day: Day, calendar: ResourceCalendar, start: datetime) -> bool:
    """The brute-force answer: the resource's whole local day with the new visit in it."""
    request, travel = day.request, day.travel
    zone = ZoneInfo(request.timezone)
    local = start.astimezone(zone).date()
    opening, closing = day.spans[calendar.resource_id]
    stops = [
        Stop(b.start, b.end, b.place)
        for b in calendar.busy
        if b.at_client_address and b.start.astimezone(zone).date() == local
    ]
    lo, hi = start - request.buffer_before, start + request.duration + request.buffer_after
    stops.append(Stop(lo, hi, travel.place))
    return route_feasible(
        stops,
        time=travel.time,
        base=calendar.base,
        opens=datetime.combine(local, opening, zone).astimezone(UTC),
        closes=datetime.combine(local, closing, zone).astimezone(UTC),
        return_to_base=travel.return_to_base,
    )


@SETTINGS
@given(travel_days())
def test_offers_exactly_the_slots_the_days_route_allows(day: Day) -> None:
    by_id = {c.resource_id: c for c in day.calendars}
    offered = _pairs(find_slots(day.request, day.calendars))
    free = _pairs(find_slots(replace(day.request, travel=None), day.calendars))
    reachable = {(s, rid) for s, rid in free if _route_allows(day, by_id[rid], s)}
    infeasible_offered = offered - reachable
    feasible_missed = reachable - offered
    assert not infeasible_offered
    assert not feasible_missed


@SETTINGS
@given(travel_days(), st.data())
def test_a_time_posted_directly_is_accepted_exactly_when_offered(
    day: Day, data: st.DataObject
) -> None:
    """Booking validation asks ``is_free``: it must agree with the offer, slot by slot."""
    free = find_slots(replace(day.request, travel=None), day.calendars)
    if not free:
        return
    slot = data.draw(st.sampled_from(free))
    offered = {s.start: s.resource_ids for s in find_slots(day.request, day.calendars)}
    for calendar in day.calendars:
        expected = calendar.resource_id in offered.get(slot.start, ())
        assert is_free(day.request, calendar, slot.start) == expected


@SETTINGS
@given(travel_days(), st.data())
def test_booking_an_offered_slot_keeps_the_day_drivable(day: Day, data: st.DataObject) -> None:
    """Booking what is offered never strands the resource: its day's route stays feasible,
    and the next answer is still exact."""
    slots = find_slots(day.request, day.calendars)
    if not slots:
        return
    slot = data.draw(st.sampled_from(slots))
    resource_id = data.draw(st.sampled_from(slot.resource_ids))
    request = day.request
    visit = Busy.of_booking(
        slot.start,
        slot.end,
        buffer_before=request.buffer_before,
        buffer_after=request.buffer_after,
        at_client_address=True,
        place=day.travel.place,
    )
    calendars = [
        replace(c, busy=tuple(sorted((*c.busy, visit), key=lambda b: b.start)))
        if c.resource_id == resource_id
        else c
        for c in day.calendars
    ]
    matrix = day.travel.time
    assert isinstance(matrix, Matrix)
    elsewhere = data.draw(st.integers(0, len(matrix.minutes) - 1))
    after = Day(replace(request, travel=replace(day.travel, place=elsewhere)), calendars, day.spans)
    by_id = {c.resource_id: c for c in calendars}
    offered = _pairs(find_slots(after.request, calendars))
    free = _pairs(find_slots(replace(after.request, travel=None), calendars))
    assert offered == {(s, rid) for s, rid in free if _route_allows(after, by_id[rid], s)}


@SETTINGS
@given(travel_days(at_client_address=False))
def test_services_at_the_premises_ignore_travel(day: Day) -> None:
    assert find_slots(day.request, day.calendars) == find_slots(
        replace(day.request, travel=None), day.calendars
    )
