"""Clocks for tests: the hub's wall clock that a test can move, and a monotonic clock that
only moves when slept on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


@dataclass
class Clock:
    """The real time plus an offset that a test may move (``travel``); what a served hub
    reads as "now"."""

    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def travel(self, delta: timedelta) -> None:
        self.offset += delta


class FakeTime:
    """A monotonic clock (``clock``) that only moves when slept on (``sleep``)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
