"""Daylight saving days in Europe/Madrid, America/Santiago and America/New_York.

Rules are wall-clock: a spring-forward day has fewer real hours and a skipped wall time is
never offered; on a fall-back day the repeated wall hour is offered at both of its instants
(the business is open for both), so every real instant is offered once and slots tile the
real day without gaps or doubles.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hub.availability.engine import find_slots, is_free
from hub.availability.types import SlotRequest
from tests.availability.helpers import at, calendar, hours, walls
from tests.availability.helpers import request as base_request

MADRID, SANTIAGO, NEW_YORK = "Europe/Madrid", "America/Santiago", "America/New_York"
HOUR = timedelta(hours=1)
ALL_DAY = hours(range(7), (0, 24))

# zone, local date, real hours in that local date, wall hour skipped or repeated
SPRING = [
    (MADRID, date(2024, 3, 31), 23, "02:00"),
    (NEW_YORK, date(2024, 3, 10), 23, "02:00"),
    (SANTIAGO, date(2024, 9, 8), 23, "00:00"),
]
FALL = [
    (MADRID, date(2024, 10, 27), 25, "02:00"),
    (NEW_YORK, date(2024, 11, 3), 25, "01:00"),
    (SANTIAGO, date(2024, 4, 6), 25, "23:00"),  # clocks go from Sunday 00:00 back to 23:00
]


def request(day: date, **kwargs: Any) -> SlotRequest:
    return base_request(day, now=datetime(2024, 1, 1, tzinfo=UTC), **kwargs)


def _clock_times(shown: list[str]) -> list[str]:
    return [w[:5] for w in shown]


@pytest.mark.parametrize(("zone", "day", "real_hours", "skipped"), SPRING)
def test_spring_forward_skips_the_missing_hour(
    zone: str, day: date, real_hours: int, skipped: str
) -> None:
    slots = find_slots(request(day, timezone=zone), [calendar(weekly=ALL_DAY)])
    assert len(slots) == real_hours
    assert skipped not in _clock_times(walls(slots, zone))
    starts = [s.start for s in slots]
    assert all(later - earlier == HOUR for earlier, later in pairwise(starts))
    assert slots[-1].end == at(day + timedelta(days=1), "00:00", zone)


@pytest.mark.parametrize(("zone", "day", "real_hours", "repeated"), FALL)
def test_fall_back_offers_the_repeated_hour_once_per_instant(
    zone: str, day: date, real_hours: int, repeated: str
) -> None:
    slots = find_slots(request(day, timezone=zone), [calendar(weekly=ALL_DAY)])
    assert len(slots) == real_hours
    shown = walls(slots, zone)
    twice = [w for w in shown if w.startswith(repeated)]
    assert len(twice) == 2 and twice[0] != twice[1]  # same wall time, two offsets
    starts = [s.start for s in slots]
    assert len(set(starts)) == len(starts)
    assert all(later - earlier == HOUR for earlier, later in pairwise(starts))
    first = at(day, repeated, zone, fold=0)
    second = at(day, repeated, zone, fold=1)
    assert second - first == HOUR
    cal = calendar(weekly=ALL_DAY)
    assert is_free(request(day, timezone=zone), cal, first)
    assert is_free(request(day, timezone=zone), cal, second)


@pytest.mark.parametrize(("zone", "day"), [(z, d) for z, d, _, _ in SPRING + FALL])
def test_office_hours_are_unchanged_around_a_change(zone: str, day: date) -> None:
    week = request(day - timedelta(days=3), timezone=zone, until=day + timedelta(days=3))
    slots = find_slots(week, [calendar()])
    by_day: dict[date, list[str]] = {}
    tz = ZoneInfo(zone)
    for slot, shown in zip(slots, walls(slots, zone), strict=True):
        by_day.setdefault(slot.start.astimezone(tz).date(), []).append(shown[:5])
    assert len(by_day) == 7
    for day_slots in by_day.values():
        assert day_slots == ["09:00", "10:00", "11:00", "12:00", "14:00", "15:00", "16:00", "17:00"]
    assert all(s.end - s.start == HOUR for s in slots)


def test_expected_offsets_on_both_sides_of_each_change() -> None:
    def offsets(zone: str, day: date) -> set[str]:
        return {w[5:] for w in walls(find_slots(request(day, timezone=zone), [calendar()]), zone)}

    assert offsets(MADRID, date(2024, 3, 30)) == {"+01"}
    assert offsets(MADRID, date(2024, 3, 31)) == {"+02"}
    assert offsets(NEW_YORK, date(2024, 11, 2)) == {"-04"}
    assert offsets(NEW_YORK, date(2024, 11, 3)) == {"-05"}
    assert offsets(SANTIAGO, date(2024, 9, 7)) == {"-04"}
    assert offsets(SANTIAGO, date(2024, 9, 8)) == {"-03"}


def test_a_slot_across_the_gap_lasts_its_real_duration() -> None:
    night = calendar(weekly=hours(range(7), (0, 6)))
    day = date(2024, 3, 10)
    slots = find_slots(request(day, timezone=NEW_YORK, step=timedelta(minutes=30)), [night])
    shown = walls(slots, NEW_YORK)
    assert shown == [
        "00:00-05", "00:30-05", "01:00-05", "01:30-05",  # 02:00 and 02:30 do not exist
        "03:00-04", "03:30-04", "04:00-04", "04:30-04", "05:00-04",
    ]  # fmt: skip
    across = slots[3]
    assert across.end - across.start == HOUR
    assert across.end.astimezone(ZoneInfo(NEW_YORK)).strftime("%H:%M") == "03:30"


def test_santiago_midnight_that_does_not_exist_is_not_offered() -> None:
    early = calendar(weekly=hours(range(7), (0, 3)))
    slots = find_slots(request(date(2024, 9, 8), timezone=SANTIAGO), [early])
    assert walls(slots, SANTIAGO) == ["01:00-03", "02:00-03"]


def test_santiago_evening_before_falling_back_has_two_late_hours() -> None:
    evening = calendar(weekly=hours(range(7), (22, 24)))
    slots = find_slots(request(date(2024, 4, 6), timezone=SANTIAGO), [evening])
    assert walls(slots, SANTIAGO) == ["22:00-03", "23:00-03", "23:00-04"]
    sunday = find_slots(request(date(2024, 4, 7), timezone=SANTIAGO), [evening])
    assert walls(sunday, SANTIAGO) == ["22:00-04", "23:00-04"]
