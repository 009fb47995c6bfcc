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
