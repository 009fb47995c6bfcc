"""Hypothesis strategies for availability scenarios aligned to the oracle's 15-minute grain,
around DST changes in Europe/Madrid, America/Santiago and America/New_York."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import strategies as st

from hub.availability.types import Busy, ResourceCalendar, SlotRequest
from hub.domain.model import DateException, WeeklyInterval

# (zone, day) pairs around DST changes of 2024; the scenario starts a day before to a day after.
PLACES = (
    ("America/New_York", date(2024, 3, 10)),  # springs forward 02:00 -> 03:00
    ("America/New_York", date(2024, 11, 3)),  # falls back 02:00 -> 01:00
    ("Europe/Madrid", date(2024, 3, 31)),  # springs forward 02:00 -> 03:00
    ("Europe/Madrid", date(2024, 10, 27)),  # falls back 03:00 -> 02:00
    ("America/Santiago", date(2024, 9, 8)),  # springs forward 00:00 -> 01:00
    ("America/Santiago", date(2024, 4, 6)),  # falls back at midnight to 23:00 of the 6th
    ("UTC", date(2024, 6, 12)),
    ("Europe/Madrid", date(2024, 6, 12)),  # nothing happens
)
QUARTER = timedelta(minutes=15)


def _quarters(low: int, high: int) -> st.SearchStrategy[timedelta]:
    return st.integers(low, high).map(lambda n: n * QUARTER)


def _as_time(quarter: int) -> time:
    return time(0) if quarter == 96 else time(quarter // 4, (quarter % 4) * 15)


@st.composite
def wall_interval(draw: st.DrawFn) -> tuple[time, time]:
    start = draw(st.integers(0, 95))
    end = draw(st.integers(start + 1, 96))
    return _as_time(start), _as_time(end)


@st.composite
def weekly(draw: st.DrawFn, min_size: int = 0) -> tuple[WeeklyInterval, ...]:
    """Either the same hours every day (the common case) or scattered weekday intervals."""
    if draw(st.booleans()):
        spans = draw(st.lists(wall_interval(), min_size=max(min_size, 1), max_size=3))
        return tuple(WeeklyInterval(day, start, end) for day in range(7) for start, end in spans)
    scattered = st.tuples(st.integers(0, 6), wall_interval())
    chosen = draw(st.lists(scattered, min_size=min_size, max_size=6))
    return tuple(WeeklyInterval(day, start, end) for day, (start, end) in chosen)


@st.composite
def exceptions(draw: st.DrawFn, around: date) -> tuple[DateException, ...]:
    found = []
    for _ in range(draw(st.integers(0, 2))):
        first = around + timedelta(days=draw(st.integers(-2, 3)))
        last = first + timedelta(days=draw(st.integers(0, 3)))
        some_hours = st.lists(wall_interval(), min_size=1, max_size=2)
        intervals = draw(st.one_of(st.just(()), some_hours, some_hours))
        found.append(DateException(first, last, tuple(intervals)))
    return tuple(found)


@st.composite
def busy(draw: st.DrawFn, around: datetime) -> tuple[Busy, ...]:
    """Busy entries over the scenario's days, often back to back (touching edges matter)."""
    entries: list[Busy] = []
    for _ in range(draw(st.integers(0, 8))):
        back_to_back = draw(st.booleans())
        if entries and back_to_back:
            start = entries[-1].end
        else:
            start = around + draw(_quarters(-8, 4 * 24 * 3))
        length = draw(_quarters(1, 16))
        seats = draw(st.one_of(st.none(), st.integers(1, 2)))
        entries.append(Busy(start, start + length, seats, draw(st.booleans())))
    return tuple(entries)


@st.composite
def scenarios(
    draw: st.DrawFn, max_resources: int = 3, capacity_one: bool = False
) -> tuple[SlotRequest, list[ResourceCalendar]]:
    zone, day = draw(st.sampled_from(PLACES))
    first = day + timedelta(days=draw(st.integers(-1, 1)))
    last = first + timedelta(days=draw(st.integers(0, 2)))
    around = datetime.combine(first, time(0), UTC)
    calendars = [
        ResourceCalendar(
            f"r{index}",
            draw(weekly(min_size=1)),
            draw(exceptions(first)),
            draw(busy(around)),
            1 if capacity_one else draw(st.integers(1, 3)),
        )
        for index in range(draw(st.integers(1, max_resources)))
    ]
    request = SlotRequest(
        timezone=zone,
        date_from=first,
        date_to=last,
        duration=draw(_quarters(1, 8)),
        now=around + draw(_quarters(-4 * 48, 4 * 12)),
        step=draw(st.one_of(st.none(), _quarters(1, 5))),
        buffer_before=draw(_quarters(0, 2)),
        buffer_after=draw(_quarters(0, 2)),
        min_notice=draw(_quarters(0, 12)),
        horizon=draw(st.one_of(st.none(), _quarters(4, 4 * 24 * 5))),
        seats=1 if capacity_one else draw(st.sampled_from((1, 1, 1, 2))),
        at_client_address=draw(st.booleans()),
        travel_gap=draw(_quarters(0, 2)),
        branch_weekly=draw(st.one_of(st.just(()), st.just(()), weekly(min_size=1))),
        branch_exceptions=draw(exceptions(first)),
    )
    return request, calendars
