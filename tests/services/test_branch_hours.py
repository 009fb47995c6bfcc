"""A branch's opening hours hold whether or not the caller names the branch: a branch that
closes at 12:00 sells no 16:00, on the client's page or over the API, for looking or booking."""

from __future__ import annotations

from datetime import time

import pytest

from hub.domain.errors import SlotNotOfferedError
from hub.domain.model import Branch, DateException, WeeklyInterval
from hub.services.availability import AvailabilityQuery, find_availability
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from hub.services.resource_setup import save_resource
from hub.services.setup import save_branch
from tests.services.conftest import CLIENT, NOW, OPERATOR, World, local

MORNINGS = tuple(WeeklyInterval(d, time(8), time(12)) for d in range(6))
JUANA = CustomerDetails("Juana", phone="011 15 2345-6789")


def _morning_branch(w: World) -> Branch:
    """Both washers work at a branch open 08:00-12:00 (their own hours are 09:00-18:00)."""
    branch = save_branch(
        w.uow(), Branch(w.business.id, "Centro", hours=MORNINGS), by=OPERATOR, now=NOW
    )
    for washer in (w.washer_a, w.washer_b):
        washer.branch_ids = (branch.id,)
        save_resource(w.uow(), washer, by=OPERATOR, now=NOW)
    return branch


def _hours(w: World, branch_id: str | None = None, day: int = 5) -> list[int]:
    query = AvailabilityQuery(
        w.business.id, w.wash.id, local(day, 0).date(), local(day, 0).date(), branch_id=branch_id
    )
    slots = find_availability(w.uow(), query, by=CLIENT, now=NOW)
    return [s.start.hour - 3 for s in slots]


def test_branch_hours_hold_when_the_branch_is_not_named(world: World) -> None:
    w = world
    branch = _morning_branch(w)
    assert _hours(w, branch.id) == [9, 10, 11]
    assert _hours(w) == [9, 10, 11], "no 16:00 from a branch that closes at 12:00"


def test_a_booking_outside_the_branch_hours_is_refused_without_naming_it(world: World) -> None:
    w = world
    _morning_branch(w)
    with pytest.raises(SlotNotOfferedError):
        create_booking(
            w.uow(),
            NewBooking(w.business.id, w.wash.id, local(5, 16), customer=JUANA),
            by=CLIENT,
            now=NOW,
        )
    morning = create_booking(
        w.uow(),
        NewBooking(w.business.id, w.wash.id, local(5, 10), customer=JUANA),
        by=CLIENT,
        now=NOW,
    )
    assert morning.start == local(5, 10)


def test_a_branch_holiday_closes_its_resources_without_naming_it(world: World) -> None:
    w = world
    branch = _morning_branch(w)
    branch.exceptions = (DateException(local(5, 0).date(), local(5, 0).date(), reason="Feriado"),)
    save_branch(w.uow(), branch, by=OPERATOR, now=NOW)
    assert _hours(w) == []
    assert _hours(w, day=6) == [9, 10, 11]


def test_a_resource_at_two_branches_is_offered_in_either_branch_hours(world: World) -> None:
    w = world
    morning = _morning_branch(w)
    evening = save_branch(
        w.uow(),
        Branch(
            w.business.id,
            "Norte",
            hours=tuple(WeeklyInterval(d, time(15), time(20)) for d in range(6)),
        ),
        by=OPERATOR,
        now=NOW,
    )
    w.washer_a.branch_ids = (morning.id, evening.id)
    save_resource(w.uow(), w.washer_a, by=OPERATOR, now=NOW)
    assert _hours(w) == [9, 10, 11, 15, 16, 17]
    assert _hours(w, evening.id) == [15, 16, 17]


def test_resources_without_a_branch_keep_their_own_hours(world: World) -> None:
    w = world
    save_branch(w.uow(), Branch(w.business.id, "Centro", hours=MORNINGS), by=OPERATOR, now=NOW)
    assert _hours(w) == list(range(9, 18))
