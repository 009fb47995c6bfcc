"""Weekly series of bookings and blocks (one-off and weekly)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

from hub.availability.types import Busy
from hub.domain.errors import SlotTakenError, ValidationError
from hub.services.blocks import NewBlock, create_block, delete_block
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from hub.services.recurrence import Weekly
from hub.services.series import create_series
from tests.services.conftest import CLIENT, NOW, OPERATOR, World, local

JUANA = CustomerDetails("Juana", phone="+5491123456789")
WEEK = timedelta(weeks=1)


def _wash(w: World, start: datetime, resource_id: str | None = None) -> NewBooking:
    return NewBooking(w.business.id, w.wash.id, start, customer=JUANA, resource_id=resource_id)


def test_series_of_four_weeks(world: World) -> None:
    w = world
    result = create_series(w.uow(), _wash(w, local(5, 10)), Weekly(count=4), by=CLIENT, now=NOW)
    assert result.conflicts == ()
    assert [b.start for b in result.booked] == [local(5, 10) + n * WEEK for n in range(4)]
    assert {b.series_id for b in result.booked} == {result.series_id}
    assert w.count("customers") == 1
    assert w.count("outbox_events") == 4


def test_series_every_two_weeks_until_a_date(world: World) -> None:
    w = world
    result = create_series(
        w.uow(),
        _wash(w, local(5, 10)),
        Weekly(every_weeks=2, until=date(2030, 4, 2)),
        by=OPERATOR,
        now=NOW,
    )
    assert [b.start.date() for b in result.booked] == [
        date(2030, 3, 5),
        date(2030, 3, 19),
        date(2030, 4, 2),
    ]


def test_conflicts_all_or_nothing_or_what_fits(world: World) -> None:
    w = world
    taken = local(5, 10) + WEEK
    create_booking(w.uow(), _wash(w, taken, w.washer_a.id), by=OPERATOR, now=NOW)
    before = w.count("bookings")
    request = _wash(w, local(5, 10), w.washer_a.id)
    strict = create_series(w.uow(), request, Weekly(count=3), by=CLIENT, now=NOW)
    assert strict.booked == () and not strict.committed
    assert [(c.start, c.code) for c in strict.conflicts] == [(taken, "slot_taken")]
    assert w.count("bookings") == before
    loose = create_series(
        w.uow(), request, Weekly(count=3), by=CLIENT, now=NOW, all_or_nothing=False
    )
    assert [b.start for b in loose.booked] == [local(5, 10), local(5, 10) + 2 * WEEK]
    assert [c.start for c in loose.conflicts] == [taken]
    assert w.count("bookings") == before + 2


def test_series_beyond_the_horizon_is_a_conflict_for_clients(world: World) -> None:
    w = world  # horizon: 30 days
    result = create_series(
        w.uow(), _wash(w, local(5, 10)), Weekly(count=6), by=CLIENT, now=NOW, all_or_nothing=False
    )
    assert len(result.booked) == 5
    assert [c.code for c in result.conflicts] == ["policy_violation"]


def test_a_series_needs_an_end(world: World) -> None:
    with pytest.raises(ValidationError):
        create_series(world.uow(), _wash(world, local(5, 10)), Weekly(), by=CLIENT, now=NOW)


def test_a_block_takes_the_time_and_reports_bookings_it_covers(world: World) -> None:
    w = world
    booked = create_booking(w.uow(), _wash(w, local(5, 10), w.washer_a.id), by=OPERATOR, now=NOW)
    result = create_block(
        w.uow(),
        NewBlock(
            w.business.id, local(5, 9), local(5, 13), resource_id=w.washer_a.id, reason="Dentist"
        ),
        by=OPERATOR,
        now=NOW,
    )
    assert result.covered_booking_ids == (booked.id,)
    with pytest.raises(SlotTakenError):
        create_booking(w.uow(), _wash(w, local(5, 11), w.washer_a.id), by=CLIENT, now=NOW)
    # A group booking goes to the other washer.
    other = create_booking(w.uow(), _wash(w, local(5, 11)), by=CLIENT, now=NOW)
    assert other.resource_id == w.washer_b.id
    assert delete_block(w.uow(), w.business.id, result.blocks[0].id, by=OPERATOR, now=NOW) == 1
    freed = create_booking(w.uow(), _wash(w, local(5, 11), w.washer_a.id), by=CLIENT, now=NOW)
    assert freed.resource_id == w.washer_a.id


def test_weekly_block_is_expanded_within_the_horizon_and_deleted_as_a_series(world: World) -> None:
    w = world
    result = create_block(
        w.uow(),
        NewBlock(
            w.business.id,
            local(5, 12),
            local(5, 13),
            resource_id=w.washer_a.id,
            reason="Lunch",
            repeat=Weekly(),
        ),
        by=OPERATOR,
        now=NOW,
    )
    # Every Tuesday from March 5 up to now + 30 days (April 3): 5 blocks.
    assert [b.start for b in result.blocks] == [local(5, 12) + n * WEEK for n in range(5)]
    assert len({b.series_id for b in result.blocks}) == 1
    with pytest.raises(SlotTakenError):
        create_booking(w.uow(), _wash(w, local(19, 12), w.washer_a.id), by=OPERATOR, now=NOW)
    removed = delete_block(
        w.uow(), w.business.id, result.blocks[2].id, by=OPERATOR, now=NOW, whole_series=True
    )
    assert removed == 5
    assert w.count("blocks") == 0


class FakeGoogleBusy:
    """Busy time from a staff member's external calendar."""

    def __init__(self, busy: Mapping[str, Sequence[Busy]]) -> None:
        self._busy = busy

    def busy(
        self, business_id: str, resource_ids: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Sequence[Busy]]:
        return {r: self._busy.get(r, ()) for r in resource_ids}


def test_busy_sources_count_as_busy_time(world: World) -> None:
    w = world
    source = FakeGoogleBusy({w.washer_a.id: [Busy(local(5, 10), local(5, 11))]})
    with pytest.raises(SlotTakenError):
        create_booking(
            w.uow(),
            _wash(w, local(5, 10), w.washer_a.id),
            by=CLIENT,
            now=NOW,
            busy_sources=[source],
        )
    b = create_booking(w.uow(), _wash(w, local(5, 10)), by=CLIENT, now=NOW, busy_sources=[source])
    assert b.resource_id == w.washer_b.id


def test_weekly_repetition_keeps_the_wall_clock_time_across_dst() -> None:
    # Madrid moves from UTC+1 to UTC+2 on Sunday 2030-03-31.
    first = datetime(2030, 3, 26, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Madrid
    starts = Weekly(count=2).starts(first, "Europe/Madrid")
    assert starts == [first, datetime(2030, 4, 2, 8, 0, tzinfo=UTC)]  # 10:00 again
