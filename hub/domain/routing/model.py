"""The day's route: its value objects (visits, workers, routes, move suggestions, the plan)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

EPSILON = 1e-9
DEFAULT_MAX_LABELS = 100_000  # about half a second of search in the worst case
Matrix = Sequence[Sequence[float]]


@dataclass(frozen=True, slots=True)
class Visit:
    """One stop: start allowed in ``[earliest, latest]``, ``duration`` minutes on site."""

    key: str
    point: int
    earliest: float
    latest: float
    duration: float
    booked: float

    def __post_init__(self) -> None:
        if self.latest < self.earliest or self.duration < 0:
            raise ValueError("a visit's window must not be empty and its duration not negative")


@dataclass(frozen=True, slots=True)
class Worker:
    """A worker's day: the point of its base (``None``: no base) and its booked visits."""

    key: str
    base: int | None
    visits: tuple[Visit, ...]


@dataclass(frozen=True, slots=True)
class Route:
    worker: str
    visits: tuple[Visit, ...]
    starts: tuple[float, ...]
    driving: float
    booked_driving: float
    proven_optimal: bool
    feasible: bool
    booked_feasible: bool = True

    @property
    def saved(self) -> float:
        return max(0.0, self.booked_driving - self.driving)


@dataclass(frozen=True, slots=True)
class MoveSuggestion:
    """Give ``visit`` to ``to_worker``: driving saved over the day, both routes still feasible."""

    visit: Visit
    from_worker: str
    to_worker: str
    saves: float
    position: int


@dataclass(frozen=True, slots=True)
class DayPlan:
    routes: tuple[Route, ...]
    suggestions: tuple[MoveSuggestion, ...] = field(default=())

    @property
    def driving(self) -> float:
        return sum(route.driving for route in self.routes)

    @property
    def booked_driving(self) -> float:
        return sum(route.booked_driving for route in self.routes)
