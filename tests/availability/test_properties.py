"""Property tests: the engine against the brute-force oracle, and the promises a user relies
on (never over busy time or capacity, always inside opening hours, notice and horizon kept,
a booked time disappears), over random rules around DST changes."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.availability.engine import find_slots, fits, is_free
from hub.availability.types import Busy, ResourceCalendar, SlotRequest
from tests.availability.oracle import has_room, inside_hours, oracle_slots, with_busy
from tests.availability.strategies import scenarios

Scenario = tuple[SlotRequest, list[ResourceCalendar]]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios())
def test_engine_offers_exactly_what_the_oracle_offers(scenario: Scenario) -> None:
    request, calendars = scenario
    assert find_slots(request, calendars) == oracle_slots(request, calendars)


@SETTINGS
@given(scenarios())
def test_offered_slots_keep_every_promise(scenario: Scenario) -> None:
    request, calendars = scenario
    by_id = {c.resource_id: c for c in calendars}
    slots = find_slots(request, calendars)
    starts = [slot.start for slot in slots]
    assert starts == sorted(set(starts))  # sorted, never the same instant twice
    for slot in slots:
        assert slot.start.utcoffset() == timedelta(0)
        assert slot.end - slot.start == request.duration
        assert request.now + request.min_notice <= slot.start
        if request.horizon is not None:
            assert slot.start <= request.now + request.horizon
        assert slot.resource_ids
        order = [c.resource_id for c in calendars]
        assert sorted(slot.resource_ids, key=order.index) == list(slot.resource_ids)
        for resource_id in slot.resource_ids:
            calendar = by_id[resource_id]
            assert inside_hours(request, calendar, slot.start)
            assert has_room(request, calendar, slot.start)  # busy, buffers, gap, capacity
            assert is_free(request, calendar, slot.start)
            assert fits(
                calendar,
                slot.start,
                slot.end,
                seats=request.seats,
                buffer_before=request.buffer_before,
                buffer_after=request.buffer_after,
                travel_gap=request.travel_gap,
                at_client_address=request.at_client_address,
            )


@SETTINGS
@given(scenarios(capacity_one=True), st.data())
def test_a_booked_slot_disappears_from_the_next_answer(
    scenario: Scenario, data: st.DataObject
) -> None:
    request, calendars = scenario
    slots = find_slots(request, calendars)
    if not slots:
        return
    slot = data.draw(st.sampled_from(slots))
    resource_id = data.draw(st.sampled_from(slot.resource_ids))
    booking = Busy.of_booking(
        slot.start,
        slot.end,
        buffer_before=request.buffer_before,
        buffer_after=request.buffer_after,
        at_client_address=request.at_client_address,
    )
    index = next(i for i, c in enumerate(calendars) if c.resource_id == resource_id)
    after = list(calendars)
    after[index] = with_busy(calendars[index], booking)
    again = find_slots(request, after)
    lo, hi = booking.start, booking.end
    for other in again:
        if resource_id in other.resource_ids:
            assert other.start != slot.start
            # The new booking's buffers and the old one's may not overlap either.
            assert not (
                other.start - request.buffer_before < hi and lo < other.end + request.buffer_after
            )
    assert not is_free(request, after[index], slot.start)
    # Other resources are unaffected.
    before_others = [(s.start, tuple(r for r in s.resource_ids if r != resource_id)) for s in slots]
    after_others = [(s.start, tuple(r for r in s.resource_ids if r != resource_id)) for s in again]
    assert [x for x in before_others if x[1]] == [x for x in after_others if x[1]]
