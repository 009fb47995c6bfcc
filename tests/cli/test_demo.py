"""The demo agenda as a new user finds it, whatever the hour it was seeded at: today's work
on the washers' opening hours, each booking in the state the clock allows."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.bootstrap import build_hub
from hub.cli import main
from hub.config import Settings
from hub.demo import seed_demo
from hub.domain.booking import BookingStatus

BA = ZoneInfo("America/Argentina/Buenos_Aires")
OVER = {BookingStatus.COMPLETED, BookingStatus.NO_SHOW, BookingStatus.IN_PROGRESS}


@pytest.fixture
def seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], list[Row]]:
    monkeypatch.setenv("TURNERO_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("TURNERO_DATA_DIR", str(tmp_path))
    assert main(["migrate"], out=io.StringIO()) == 0

    def run(now: datetime) -> list[Row]:
        hub = build_hub(Settings.from_env(), clock=lambda: now)
        try:
            seed_demo(hub)
            with hub.uow() as uow:
                business = uow.businesses.get_by_slug("lavadero-demo")
                assert business is not None
                day = now.astimezone(BA).date()
                start = datetime.combine(day, time(0), BA)
                end = datetime.combine(day, time(23, 59), BA)
                rows = [
                    Row(b.status, b.start.astimezone(BA), b.end.astimezone(BA))
                    for b in uow.bookings.list_range(business.id, start, end, None, None)
                ]
        finally:
            hub.close()
        return rows

    return run


class Row:
    def __init__(self, status: BookingStatus, start: datetime, end: datetime) -> None:
        self.status, self.start, self.end = status, start, end


def _today(rows: list[Row], now: datetime) -> list[Row]:
    day = now.astimezone(BA).date()
    return [r for r in rows if r.start.date() == day]


def _within_hours(rows: list[Row]) -> bool:
    return all(time(9) <= r.start.time() and r.end.time() <= time(18) for r in rows)


def _consistent(rows: list[Row], now: datetime) -> bool:
    for r in rows:
        if r.status in OVER and r.start > now:
            return False
        if r.status in {BookingStatus.CONFIRMED, BookingStatus.PENDING} and r.start <= now:
            return False
    return True


def test_at_midday_today_shows_every_state_on_the_grid(seed: Callable[..., list[Row]]) -> None:
    now = datetime(2026, 12, 9, 12, 40, tzinfo=BA)  # a Wednesday
    today = _today(seed(now), now)
    assert _within_hours(today)
    assert {r.status for r in today} >= {
        BookingStatus.COMPLETED,
        BookingStatus.NO_SHOW,
        BookingStatus.IN_PROGRESS,
        BookingStatus.CONFIRMED,
        BookingStatus.CANCELLED,
    }
    assert _consistent(today, now)
    assert [r.status for r in today].count(BookingStatus.IN_PROGRESS) == 1


def test_seeded_at_night_today_is_still_on_the_grid_and_over(
    seed: Callable[..., list[Row]],
) -> None:
    now = datetime(2026, 12, 9, 23, 30, tzinfo=BA)
    today = _today(seed(now), now)
    assert len(today) >= 8
    assert _within_hours(today)  # not at 20:30 or 22:00, below the grid
    assert _consistent(today, now)
    assert {r.status for r in today} <= OVER | {BookingStatus.CANCELLED}
    assert BookingStatus.COMPLETED in {r.status for r in today}


def test_seeded_before_opening_today_is_all_to_come(seed: Callable[..., list[Row]]) -> None:
    now = datetime(2026, 12, 9, 3, 0, tzinfo=BA)
    today = _today(seed(now), now)
    assert len(today) >= 8 and _within_hours(today)
    assert {r.status for r in today} == {BookingStatus.CONFIRMED, BookingStatus.CANCELLED}


def test_on_a_sunday_the_washers_work_an_extra_day(seed: Callable[..., list[Row]]) -> None:
    now = datetime(2026, 12, 13, 15, 10, tzinfo=BA)  # a Sunday: closed on the weekly hours
    today = _today(seed(now), now)
    assert len(today) >= 8 and _within_hours(today) and _consistent(today, now)
    hub = build_hub(Settings.from_env(), clock=lambda: now)
    try:
        with hub.uow() as uow:
            business = uow.businesses.get_by_slug("lavadero-demo")
            assert business is not None
            washers = uow.resources.list(business.id)
    finally:
        hub.close()
    extra = [e for w in washers for e in w.exceptions if e.start_date == now.date()]
    assert len(extra) == 2 and all(e.intervals == ((time(9), time(18)),) for e in extra)
