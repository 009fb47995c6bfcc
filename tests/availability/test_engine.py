"""Unit tests of the availability engine: opening hours, exceptions, busy time, buffers,
travel gap, capacity, step, notice and horizon, groups, and the operator check."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hub.availability.engine import find_slots, fits, is_free, pick_resource
from hub.availability.types import Busy, Slot
from hub.domain.errors import ValidationError
from hub.domain.model import DateException
from tests.availability.helpers import (
    BA,
    MONDAY,
    at,
    busy,
    calendar,
    hours,
    request,
    times,
    walls,
)

SUNDAY = MONDAY + timedelta(days=6)
MINUTES = timedelta(minutes=1)


def test_two_intervals_a_day_give_hourly_slots_in_utc() -> None:
    slots = find_slots(request(), [calendar()])
    assert walls(slots) == [
        "09:00-03", "10:00-03", "11:00-03", "12:00-03",
        "14:00-03", "15:00-03", "16:00-03", "17:00-03",
    ]  # fmt: skip
    assert slots[0].start == datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
    assert all(s.start.tzinfo is UTC and s.end - s.start == timedelta(hours=1) for s in slots)
    assert all(s.resource_ids == ("ana",) for s in slots)


def test_only_working_days_are_offered() -> None:
    monday_to_saturday = calendar(weekly=hours(range(6), (9, 13)))
    week = find_slots(request(until=SUNDAY), [monday_to_saturday])
    days = {s.start.astimezone(ZoneInfo(BA)).date() for s in week}
    assert days == {MONDAY + timedelta(days=n) for n in range(6)}


def test_branch_hours_narrow_the_resource_hours() -> None:
    slots = find_slots(request(branch_weekly=hours(range(7), (10, 17))), [calendar()])
    assert times(slots) == ["10:00", "11:00", "12:00", "14:00", "15:00", "16:00"]


def test_a_closed_branch_weekday_closes_everyone() -> None:
    branch = hours(range(1, 7), (8, 20))  # closed on Mondays
    assert find_slots(request(branch_weekly=branch), [calendar(), calendar("bob")]) == []


def test_touching_intervals_form_one_run_for_the_step() -> None:
    split = calendar(weekly=hours([0], (9, 10), (10, 12)))
    slots = find_slots(request(minutes=90, step=timedelta(minutes=30)), [split])
    assert times(slots) == ["09:00", "09:30", "10:00", "10:30"]


def test_holiday_closes_the_date_only() -> None:
    holiday = DateException(MONDAY, MONDAY, reason="holiday")
    slots = find_slots(request(until=MONDAY + timedelta(days=1)), [calendar(exceptions=(holiday,))])
    assert {s.start.astimezone(ZoneInfo(BA)).date() for s in slots} == {MONDAY + timedelta(1)}


def test_vacation_range_closes_every_day_in_it() -> None:
    vacation = DateException(MONDAY, MONDAY + timedelta(days=4), reason="vacation")
    slots = find_slots(request(until=SUNDAY), [calendar(exceptions=(vacation,))])
    assert {s.start.astimezone(ZoneInfo(BA)).date() for s in slots} == {
        MONDAY + timedelta(days=5),
        SUNDAY,
    }


def test_extra_opening_on_a_closed_day() -> None:
    weekdays = calendar(weekly=hours(range(5), (9, 18)))
    extra = DateException(SUNDAY, SUNDAY, ((time(10), time(12)),), reason="fair")
    assert find_slots(request(SUNDAY), [weekdays]) == []
    slots = find_slots(request(SUNDAY), [calendar(weekly=weekdays.weekly, exceptions=(extra,))])
    assert times(slots) == ["10:00", "11:00"]


def test_different_hours_on_a_date_replace_the_weekly_rule() -> None:
    short_day = DateException(MONDAY, MONDAY, ((time(15), time(17)),))
    slots = find_slots(request(), [calendar(exceptions=(short_day,))])
    assert times(slots) == ["15:00", "16:00"]


def test_a_one_day_opening_inside_a_vacation_opens_that_day() -> None:
    vacation = DateException(MONDAY, SUNDAY)
    wednesday = MONDAY + timedelta(days=2)
    opening = DateException(wednesday, wednesday, ((time(9), time(11)),))
    slots = find_slots(request(until=SUNDAY), [calendar(exceptions=(vacation, opening))])
    assert walls(slots) == ["09:00-03", "10:00-03"]
    assert {s.start.astimezone(ZoneInfo(BA)).date() for s in slots} == {wednesday}


def test_closed_wins_over_hours_on_the_same_single_day() -> None:
    closed = DateException(MONDAY, MONDAY)
    opening = DateException(MONDAY, MONDAY, ((time(9), time(11)),))
    assert find_slots(request(), [calendar(exceptions=(opening, closed))]) == []


def test_branch_exceptions_close_or_reshape_the_day() -> None:
    closed = DateException(MONDAY, MONDAY, reason="branch holiday")
    assert find_slots(request(branch_exceptions=(closed,)), [calendar()]) == []
    short = DateException(MONDAY, MONDAY, ((time(11), time(15)),))
    slots = find_slots(request(branch_exceptions=(short,)), [calendar()])
    assert times(slots) == ["11:00", "12:00", "14:00"]
    # A branch exception restricts even when the branch has no weekly hours, and it cannot
    # open a resource that is closed.
    sunday_only = DateException(SUNDAY, SUNDAY, ((time(0), time(0)),))
    weekdays = calendar(weekly=hours(range(5), (9, 12)))
    assert find_slots(request(SUNDAY, branch_exceptions=(sunday_only,)), [weekdays]) == []


def test_intervals_running_to_midnight_join_the_next_day() -> None:
    night = calendar(weekly=hours(range(7), (22, 24), (0, 2)))
    slots = find_slots(request(step=timedelta(minutes=30)), [night])
    assert times(slots) == [
        "00:00", "00:30", "01:00",  # Monday's own early hours
        "22:00", "22:30", "23:00", "23:30",  # 23:30 ends at 00:30 on Tuesday, still open
    ]  # fmt: skip


def test_a_block_removes_the_slots_it_overlaps_and_touching_is_fine() -> None:
    block = busy(MONDAY, "10:30", "12:00")  # seats=None: takes everything
    slots = find_slots(request(), [calendar(busy=[block])])
    assert times(slots) == ["09:00", "12:00", "14:00", "15:00", "16:00", "17:00"]


def test_busy_in_any_order_and_any_offset_counts() -> None:
    madrid = ZoneInfo("Europe/Madrid")
    late = Busy(at(MONDAY, "16:00").astimezone(madrid), at(MONDAY, "17:00").astimezone(madrid))
    early = busy(MONDAY, "09:00", "10:00")
    slots = find_slots(request(), [calendar(busy=[late, early])])
    assert times(slots) == ["10:00", "11:00", "12:00", "14:00", "15:00", "17:00"]


def test_buffers_of_the_new_booking_may_not_overlap_busy_time() -> None:
    # An existing 11:00-12:00 booking whose own service needs 15 minutes after it.
    existing = Busy.of_booking(at(MONDAY, "11:00"), at(MONDAY, "12:00"), buffer_after=15 * MINUTES)
    assert existing.end == at(MONDAY, "12:15")
    plain = find_slots(request(), [calendar(busy=[existing])])
    assert times(plain) == ["09:00", "10:00", "14:00", "15:00", "16:00", "17:00"]
    half_hourly = request(step=timedelta(minutes=15), buffer_before=timedelta(minutes=10))
    slots = find_slots(half_hourly, [calendar(busy=[existing])])
    # 12:15 would start inside its own 10-minute preparation overlap (12:05-12:15).
    assert "12:15" not in times(slots) and "12:00" not in times(slots)
    assert "09:00" in times(slots)  # preparing before opening is allowed
    with_after = request(buffer_after=timedelta(minutes=30))
    assert "10:00" not in times(find_slots(with_after, [calendar(busy=[existing])]))
    assert "17:00" in times(find_slots(with_after, [calendar()]))  # tidying after closing is fine


def test_travel_gap_only_between_two_at_client_address_bookings() -> None:
    visit = busy(MONDAY, "11:00", "12:00", seats=1, at_client_address=True)
    gap = timedelta(minutes=30)
    at_home = request(at_client_address=True, travel_gap=gap)
    # 10:00 would end right as the visit starts, and 12:00 right as it ends: no time to travel.
    expected = ["09:00", "14:00", "15:00", "16:00", "17:00"]
    assert times(find_slots(at_home, [calendar(busy=[visit])])) == expected
    in_shop = request(at_client_address=False, travel_gap=gap)
    assert "10:00" in times(find_slots(in_shop, [calendar(busy=[visit])]))
    in_shop_booking = busy(MONDAY, "11:00", "12:00", seats=1, at_client_address=False)
    assert "10:00" in times(find_slots(at_home, [calendar(busy=[in_shop_booking])]))


def test_capacity_counts_seats_and_a_block_takes_them_all() -> None:
    room = [busy(MONDAY, "09:00", "10:00", seats=1), busy(MONDAY, "09:30", "11:00", seats=1)]
    three = calendar(weekly=hours([0], (9, 12)), busy=room, capacity=3)
    assert times(find_slots(request(), [three])) == ["09:00", "10:00", "11:00"]
    assert times(find_slots(request(seats=2), [three])) == ["10:00", "11:00"]  # 09:30 holds 2
    assert times(find_slots(request(seats=3), [three])) == ["11:00"]
    assert find_slots(request(seats=4), [three]) == []
    blocked = calendar(weekly=three.weekly, busy=[busy(MONDAY, "10:00", "11:00")], capacity=3)
    assert times(find_slots(request(), [blocked])) == ["09:00", "11:00"]


def test_per_person_service_takes_several_places() -> None:
    class_room = calendar(
        weekly=hours([0], (18, 20)), busy=[busy(MONDAY, "18:00", "19:00", seats=7)], capacity=10
    )
    assert times(find_slots(request(seats=3), [class_room])) == ["18:00", "19:00"]
    assert times(find_slots(request(seats=4), [class_room])) == ["19:00"]


def test_back_to_back_bookings_do_not_add_up() -> None:
    pair = [busy(MONDAY, "09:00", "10:00", seats=1), busy(MONDAY, "10:00", "11:00", seats=1)]
    two = calendar(weekly=hours([0], (9, 12)), busy=pair, capacity=2)
    slots = find_slots(request(step=timedelta(minutes=30)), [two])
    assert times(slots) == ["09:00", "09:30", "10:00", "10:30", "11:00"]


def test_step_differs_from_duration() -> None:
    slots = find_slots(request(step=timedelta(minutes=30)), [calendar(weekly=hours([0], (9, 11)))])
    assert times(slots) == ["09:00", "09:30", "10:00"]
    long = find_slots(request(minutes=90), [calendar()])  # step defaults to the duration
    assert times(long) == ["09:00", "10:30", "14:00", "15:30"]


def test_minimum_notice_and_horizon() -> None:
    now = at(MONDAY, "10:20")
    window = request(now=now, min_notice=timedelta(hours=1), horizon=timedelta(hours=5))
    assert times(find_slots(window, [calendar()])) == ["12:00", "14:00", "15:00"]
    # The past is never offered, even without notice.
    assert times(find_slots(request(now=now), [calendar()]))[0] == "11:00"
    # A start exactly at the horizon is offered; a start exactly at now + notice too.
    edge = request(
        now=at(MONDAY, "08:00"), min_notice=timedelta(hours=1), horizon=timedelta(hours=3)
    )
    assert times(find_slots(edge, [calendar()])) == ["09:00", "10:00", "11:00"]


def test_group_slots_name_the_free_members_in_order() -> None:
    ana = calendar("ana", busy=[busy(MONDAY, "09:00", "10:00")])
    bob = calendar("bob", busy=[busy(MONDAY, "10:00", "11:00")])
    cai = calendar("cai", busy=[busy(MONDAY, "09:00", "11:00")], weekly=hours([0], (9, 12)))
    slots = find_slots(request(), [ana, bob, cai])
    by_time = dict(zip(times(slots), (s.resource_ids for s in slots), strict=True))
    assert by_time["09:00"] == ("bob",)
    assert by_time["10:00"] == ("ana",)
    assert by_time["11:00"] == ("ana", "bob", "cai")
    assert by_time["14:00"] == ("ana", "bob")
    everyone_busy = [calendar(r, busy=[busy(MONDAY, "00:00", "23:00")]) for r in ("ana", "bob")]
    assert find_slots(request(), everyone_busy) == []


def test_pick_resource_prefers_the_least_booked_then_the_stable_order() -> None:
    slot = Slot(at(MONDAY, "09:00"), at(MONDAY, "10:00"), ("ana", "bob", "cai"))
    assert pick_resource(slot, {}) == "ana"
    assert pick_resource(slot, {"ana": 3, "bob": 1, "cai": 1}) == "bob"
    assert pick_resource(slot, {"ana": 2, "bob": 2}) == "cai"
    with pytest.raises(ValidationError):
        pick_resource(Slot(slot.start, slot.end, ()), {})


def test_is_free_checks_grid_notice_and_busy_time() -> None:
    cal = calendar(busy=[busy(MONDAY, "10:00", "11:00")])
    ask = request(day=MONDAY + timedelta(days=30))  # the start's own date is searched
    assert is_free(ask, cal, at(MONDAY, "09:00"))
    assert is_free(ask, cal, at(MONDAY, "09:00").astimezone(ZoneInfo("Asia/Tokyo")))
    assert not is_free(ask, cal, at(MONDAY, "09:15"))  # not on the grid
    assert not is_free(ask, cal, at(MONDAY, "10:00"))  # busy
    assert not is_free(ask, cal, at(MONDAY, "13:00"))  # lunch
    late = request(now=at(MONDAY, "08:30"), min_notice=timedelta(hours=1))
    assert not is_free(late, cal, at(MONDAY, "09:00"))
    with pytest.raises(ValidationError):
        is_free(ask, cal, datetime(2025, 6, 2, 9))


def test_fits_ignores_opening_hours_but_never_overlaps() -> None:
    cal = calendar(busy=[busy(MONDAY, "10:00", "11:00")])
    assert fits(cal, at(MONDAY, "21:00"), at(MONDAY, "22:00"))  # after hours: operator may
    assert fits(cal, at(MONDAY, "09:00"), at(MONDAY, "10:00"))  # touching
    assert not fits(cal, at(MONDAY, "09:30"), at(MONDAY, "10:30"))
    assert not fits(cal, at(MONDAY, "09:00"), at(MONDAY, "10:00"), buffer_after=5 * MINUTES)
    assert not fits(cal, at(MONDAY, "11:00"), at(MONDAY, "12:00"), buffer_before=5 * MINUTES)
    visit = calendar(busy=[busy(MONDAY, "10:00", "11:00", seats=1, at_client_address=True)])
    gap = 20 * MINUTES
    start, end = at(MONDAY, "11:10"), at(MONDAY, "12:00")
    assert fits(visit, start, end, travel_gap=gap)  # the new one is not at a client's address
    assert not fits(visit, start, end, travel_gap=gap, at_client_address=True)
    room = calendar(busy=[busy(MONDAY, "10:00", "11:00", seats=2)], capacity=3)
    assert fits(room, at(MONDAY, "10:00"), at(MONDAY, "11:00"))
    assert not fits(room, at(MONDAY, "10:00"), at(MONDAY, "11:00"), seats=2)
    assert not fits(calendar(), at(MONDAY, "10:00"), at(MONDAY, "11:00"), seats=2)
    with pytest.raises(ValidationError):
        fits(cal, at(MONDAY, "11:00"), at(MONDAY, "11:00"))


@pytest.mark.parametrize(
    "changes",
    [
        {"minutes": 0},
        {"now": datetime(2025, 1, 1)},
        {"timezone": "Mars/Olympus"},
        {"seats": 0},
        {"step": timedelta(0)},
        {"buffer_before": timedelta(minutes=-5)},
        {"min_notice": timedelta(minutes=-5)},
    ],
)
def test_bad_requests_are_refused_with_a_validation_error(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        find_slots(request(**changes), [calendar()])


def test_empty_inputs_give_no_slots() -> None:
    assert find_slots(request(), []) == []
    assert find_slots(request(day=MONDAY, until=MONDAY - timedelta(days=1)), [calendar()]) == []
    assert find_slots(request(), [calendar(weekly=())]) == []


def test_a_month_of_a_small_group_is_sorted_and_unique() -> None:
    group = [calendar(r, weekly=hours(range(6), (9, 13), (14, 18))) for r in ("a", "b", "c")]
    slots = find_slots(request(until=date(2025, 7, 1)), group)
    assert len(slots) == 26 * 8
    assert [s.start for s in slots] == sorted({s.start for s in slots})
    assert all(s.resource_ids == ("a", "b", "c") for s in slots)
