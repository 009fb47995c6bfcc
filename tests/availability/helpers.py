"""Small builders shared by the availability unit tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hub.availability.types import Busy, ResourceCalendar, Slot, SlotRequest
from hub.domain.model import WeeklyInterval

BA = "America/Argentina/Buenos_Aires"  # UTC-3 all year
MONDAY = date(2025, 6, 2)
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def hours(days: Iterable[int], *spans: tuple[int, int]) -> tuple[WeeklyInterval, ...]:
    return tuple(WeeklyInterval(d, time(a % 24), time(b % 24)) for d in days for a, b in spans)


def calendar(
    resource_id: str = "ana",
    weekly: tuple[WeeklyInterval, ...] | None = None,
    busy: Sequence[Busy] = (),
    capacity: int = 1,
    **kwargs: Any,
) -> ResourceCalendar:
    rules = hours(range(7), (9, 13), (14, 18)) if weekly is None else weekly
    return ResourceCalendar(resource_id, rules, busy=tuple(busy), capacity=capacity, **kwargs)


def request(
    day: date = MONDAY,
    minutes: int = 60,
    timezone: str = BA,
    until: date | None = None,
    now: datetime = LONG_AGO,
    **kwargs: Any,
) -> SlotRequest:
    return SlotRequest(
        timezone=timezone,
        date_from=day,
        date_to=until or day,
        duration=timedelta(minutes=minutes),
        now=now,
        **kwargs,
    )


def at(day: date, hhmm: str, timezone: str = BA, fold: int = 0) -> datetime:
    """An aware instant from a wall time (converted to UTC)."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    wall = datetime.combine(day, time(hour, minute), ZoneInfo(timezone)).replace(fold=fold)
    return wall.astimezone(UTC)


def busy(day: date, start: str, end: str, seats: int | None = None, **kwargs: Any) -> Busy:
    return Busy(at(day, start), at(day, end), seats, **kwargs)


def walls(slots: Sequence[Slot], timezone: str = BA) -> list[str]:
    """Slot starts as local wall times with their UTC offset, e.g. ``09:00-03``."""
    zone = ZoneInfo(timezone)
    shown = []
    for slot in slots:
        local = slot.start.astimezone(zone)
        offset = local.utcoffset()
        assert offset is not None
        hours_ahead = int(offset.total_seconds() // 3600)
        shown.append(f"{local:%H:%M}{hours_ahead:+03d}")
    return shown


def times(slots: Sequence[Slot], timezone: str = BA) -> list[str]:
    """Slot starts as local ``HH:MM`` only."""
    return [w[:5] for w in walls(slots, timezone)]
