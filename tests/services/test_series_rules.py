"""Series rules (every N weeks, the Nth weekday of a month, a cap), the preview, and
cancelling or moving one occurrence, the following ones or all of them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from hub.domain.booking import BookingStatus
from hub.domain.errors import NotFoundError, SlotTakenError, ValidationError
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from hub.services.recurrence import MonthlyByWeekday, Weekly, nth_weekday
from hub.services.series import (
    MAX_SERIES,
    Scope,
    cancel_series,
    create_series,
    series_bookings,
    shift_series,
)
from tests.services.conftest import NOW, OPERATOR, World, local

JUANA = CustomerDetails("Juana", phone="+5491123456789")
WEEK = timedelta(weeks=1)


def _wash(w: World, start: datetime) -> NewBooking:
    return NewBooking(w.business.id, w.wash.id, start, customer=JUANA, resource_id=w.washer_a.id)


def _events(w: World, kind: str) -> int:
    with w.db.engine.connect() as c:
        return int(
            c.execute(
                text("SELECT count(*) FROM outbox_events WHERE type = :k"), {"k": kind}
            ).scalar_one()
        )


def test_second_tuesday_of_each_month() -> None:
    # March 12, 2030 is the 2nd Tuesday; then April 9, May 14.
    first = datetime(2030, 3, 12, 13, 0, tzinfo=UTC)
    starts = MonthlyByWeekday(week=2, count=3).starts(first, "America/Argentina/Buenos_Aires")
    assert [s.date() for s in starts] == [date(2030, 3, 12), date(2030, 4, 9), date(2030, 5, 14)]
    assert {s.hour for s in starts} == {13}
    assert nth_weekday(2030, 3, 1, -1) == date(2030, 3, 26)
    assert nth_weekday(2030, 2, 1, 5) is None
    with pytest.raises(ValidationError):
        MonthlyByWeekday(week=6, count=2)


def test_monthly_series_books_each_month(any_world: World) -> None:
    w = any_world
    result = create_series(
        w.uow(),
        _wash(w, local(12, 10)),
        MonthlyByWeekday(week=2, until=date(2030, 5, 31)),
        by=OPERATOR,
        now=NOW,
    )
    assert [b.start.date() for b in result.booked] == [
        date(2030, 3, 12),
        date(2030, 4, 9),
        date(2030, 5, 14),
    ]


def test_a_series_beyond_the_cap_is_refused_and_books_nothing(any_world: World) -> None:
    w = any_world
    with pytest.raises(ValidationError) as err:
        create_series(
            w.uow(), _wash(w, local(5, 10)), Weekly(count=MAX_SERIES + 1), by=OPERATOR, now=NOW
        )
    assert err.value.field == "count"
    assert w.count("bookings") == 0


def test_preview_says_which_dates_are_taken_and_books_nothing(any_world: World) -> None:
    w = any_world
    taken = local(5, 10) + 2 * WEEK
    create_booking(w.uow(), _wash(w, taken), by=OPERATOR, now=NOW)
    result = create_series(
        w.uow(),
        _wash(w, local(5, 10)),
        Weekly(every_weeks=2, count=3),
        by=OPERATOR,
        now=NOW,
        all_or_nothing=False,
        dry_run=True,
    )
    assert [(at, c.code if c else None) for at, c in result.occurrences] == [
        (local(5, 10), None),
        (taken, "slot_taken"),
        (local(5, 10) + 4 * WEEK, None),
    ]
    assert w.count("bookings") == 1


def _four(w: World) -> tuple[str, list[str]]:
    result = create_series(w.uow(), _wash(w, local(5, 10)), Weekly(count=4), by=OPERATOR, now=NOW)
    return result.series_id, [b.id for b in result.booked]


def test_cancel_this_and_following_leaves_the_earlier_ones(any_world: World) -> None:
    w = any_world
    sid, ids = _four(w)
    done = cancel_series(
        w.uow(),
        w.business.id,
        sid,
        booking_id=ids[2],
        scope=Scope.FOLLOWING,
        by=OPERATOR,
        now=NOW,
        reason="se mudó",
    )
    assert [b.id for b in done] == ids[2:]
    states = [b.status for b in series_bookings(w.uow(), w.business.id, sid)]
    assert states == [BookingStatus.CONFIRMED] * 2 + [BookingStatus.CANCELLED] * 2
    # Each cancellation is announced as a single one (messages, webhooks, calendars).
    assert _events(w, "booking.cancelled") == 2
    cancel_series(
        w.uow(), w.business.id, sid, booking_id=ids[0], scope=Scope.THIS, by=OPERATOR, now=NOW
    )
    rest = cancel_series(
        w.uow(), w.business.id, sid, booking_id=ids[0], scope=Scope.ALL, by=OPERATOR, now=NOW
    )
    assert [b.id for b in rest] == [ids[1]]
    assert _events(w, "booking.cancelled") == 4


def test_shift_following_moves_them_and_is_all_or_none(any_world: World) -> None:
    w = any_world
    sid, ids = _four(w)
    # Someone else holds 11:00 on the last date: moving the following ones an hour fails.
    other = create_booking(w.uow(), _wash(w, local(5, 11) + 3 * WEEK), by=OPERATOR, now=NOW)
    with pytest.raises(SlotTakenError):
        shift_series(
            w.uow(),
            w.business.id,
            sid,
            booking_id=ids[1],
            scope=Scope.FOLLOWING,
            shift=timedelta(hours=1),
            by=OPERATOR,
            now=NOW,
        )
    starts = [b.start for b in series_bookings(w.uow(), w.business.id, sid)]
    assert starts == [local(5, 10) + n * WEEK for n in range(4)]
    from hub.services.booking_status import cancel_booking

    cancel_booking(w.uow(), w.business.id, other.id, by=OPERATOR, now=NOW)
    moved = shift_series(
        w.uow(),
        w.business.id,
        sid,
        booking_id=ids[1],
        scope=Scope.FOLLOWING,
        shift=timedelta(hours=1),
        by=OPERATOR,
        now=NOW,
    )
    assert [b.id for b in moved] == ids[1:]
    starts = [b.start for b in series_bookings(w.uow(), w.business.id, sid)]
    assert starts == [local(5, 10)] + [local(5, 11) + n * WEEK for n in range(1, 4)]


def test_a_series_of_another_business_is_not_found(any_world: World) -> None:
    w = any_world
    sid, ids = _four(w)
    with pytest.raises(NotFoundError):
        series_bookings(w.uow(), "other-business", sid)
    with pytest.raises(NotFoundError):
        cancel_series(
            w.uow(), "other-business", sid, booking_id=ids[0], scope=Scope.ALL, by=OPERATOR, now=NOW
        )
    assert w.count("bookings") == 4
