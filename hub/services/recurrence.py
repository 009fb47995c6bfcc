"""Weekly repetition of a wall-clock time (bookings series, recurring blocks).

Occurrences keep the local wall time of the first one in the business timezone, so a 10:00
booking stays at 10:00 across a DST change (DESIGN §3.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.domain.errors import ValidationError
from hub.domain.model import require_aware

MAX_OCCURRENCES = 200


@dataclass(frozen=True, slots=True)
class Weekly:
    """Every ``every_weeks`` weeks, ``count`` times or until the local date ``until``
    (inclusive); give one of them, or neither to repeat up to a horizon."""

    every_weeks: int = 1
    count: int | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.every_weeks < 1:
            raise ValidationError("repeat every 1 week or more", field="every_weeks")
        if self.count is not None and not 1 <= self.count <= MAX_OCCURRENCES:
            raise ValidationError(f"between 1 and {MAX_OCCURRENCES} occurrences", field="count")
        if self.count is not None and self.until is not None:
            raise ValidationError("give a count or an end date, not both", field="until")

    def starts(
        self, first: datetime, timezone: str, *, not_after: datetime | None = None
    ) -> list[datetime]:
        """UTC starts of the occurrences, the first included, none after ``not_after``."""
        require_aware(first, "start")
        tz = ZoneInfo(timezone)
        wall = first.astimezone(tz).replace(tzinfo=None)
        if self.until is not None and self.until < wall.date():
            raise ValidationError("the series ends before it starts", field="until")
        if self.count is None and self.until is None and not_after is None:
            raise ValidationError("say how many times or until when", field="count")
        out: list[datetime] = []
        step = timedelta(weeks=self.every_weeks)
        while len(out) < (self.count or MAX_OCCURRENCES):
            if self.until is not None and wall.date() > self.until:
                break
            instant = wall.replace(tzinfo=tz).astimezone(UTC)
            if not_after is not None and instant > not_after:
                break
            out.append(instant)
            wall += step
        return out


@dataclass(frozen=True, slots=True)
class MonthlyByWeekday:
    """The ``week``-th weekday of every ``every_months`` months ("2nd Tuesday"; ``week`` -1
    is the last one), on the first occurrence's weekday and wall time; ``count`` times or
    until the local date ``until``. Months without a 5th such weekday are skipped."""

    week: int = 1
    every_months: int = 1
    count: int | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.week not in (1, 2, 3, 4, 5, -1):
            raise ValidationError("week is 1 to 5, or -1 for the last", field="week")
        if not 1 <= self.every_months <= 12:
            raise ValidationError("repeat every 1 to 12 months", field="every_months")
        if self.count is not None and not 1 <= self.count <= MAX_OCCURRENCES:
            raise ValidationError(f"between 1 and {MAX_OCCURRENCES} occurrences", field="count")
        if self.count is not None and self.until is not None:
            raise ValidationError("give a count or an end date, not both", field="until")

    def starts(
        self, first: datetime, timezone: str, *, not_after: datetime | None = None
    ) -> list[datetime]:
        """UTC starts: the first month's matching day on or after ``first``, then on."""
        require_aware(first, "start")
        tz = ZoneInfo(timezone)
        wall = first.astimezone(tz).replace(tzinfo=None)
        if self.until is not None and self.until < wall.date():
            raise ValidationError("the series ends before it starts", field="until")
        if self.count is None and self.until is None and not_after is None:
            raise ValidationError("say how many times or until when", field="count")
        out: list[datetime] = []
        year, month = wall.year, wall.month
        # At most MAX_OCCURRENCES months of 5th weekdays missing in a row is impossible; the
        # month bound keeps the loop finite whatever the input.
        for _ in range(MAX_OCCURRENCES * 12):
            if len(out) >= (self.count or MAX_OCCURRENCES):
                break
            day = nth_weekday(year, month, wall.weekday(), self.week)
            if day is not None:
                if self.until is not None and day > self.until:
                    break
                moment = datetime.combine(day, wall.time())
                if moment >= wall:
                    instant = moment.replace(tzinfo=tz).astimezone(UTC)
                    if not_after is not None and instant > not_after:
                        break
                    out.append(instant)
            month += self.every_months
            year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
        return out


def nth_weekday(year: int, month: int, weekday: int, week: int) -> date | None:
    """The ``week``-th ``weekday`` (Monday 0) of that month (-1: the last); None if absent."""
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    days = [first + timedelta(days=offset + 7 * n) for n in range(5)]
    days = [d for d in days if d.month == month]
    if week == -1:
        return days[-1]
    return days[week - 1] if week <= len(days) else None


def week_of_month(day: date) -> int:
    """Which occurrence of its weekday ``day`` is in its month (1 to 5)."""
    return (day.day - 1) // 7 + 1


Repeat = Weekly | MonthlyByWeekday
