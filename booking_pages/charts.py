"""Bar charts drawn as inline SVG on the server (no script: our CSP allows none inline, and
the same figures are always in a table beside the chart).

Pure geometry: each bar's place and height in a fixed view box; the template draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 600
HEIGHT = 160
LABEL_SPACE = 18


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    previous: bool  # the period before, drawn lighter beside the current bar


@dataclass(frozen=True, slots=True)
class Chart:
    bars: tuple[Bar, ...]
    labels: tuple[tuple[float, str], ...]  # x of each group's centre, its label
    width: int = WIDTH
    height: int = HEIGHT
    base: int = HEIGHT - LABEL_SPACE


def bars(
    labels: Sequence[str], current: Sequence[int], previous: Sequence[int] | None = None
) -> Chart:
    """A group per label: the current value, and the previous period's beside it if given."""
    groups = max(1, len(labels))
    slot = WIDTH / groups
    per_group = 2 if previous is not None else 1
    bar_width = slot * 0.8 / per_group
    top = max([1, *current, *(previous or ())])
    usable = HEIGHT - LABEL_SPACE - 4
    drawn: list[Bar] = []
    marks: list[tuple[float, str]] = []
    every = max(1, groups // 16)  # keep the labels readable on a month of days
    for index, label in enumerate(labels):
        left = index * slot + slot * 0.1
        series = [(current[index], False)]
        if previous is not None:
            series.insert(0, (previous[index] if index < len(previous) else 0, True))
        for k, (value, is_previous) in enumerate(series):
            height = usable * value / top
            drawn.append(
                Bar(
                    round(left + k * bar_width, 2),
                    round(HEIGHT - LABEL_SPACE - height, 2),
                    round(bar_width * 0.92, 2),
                    round(height, 2),
                    value,
                    label,
                    is_previous,
                )
            )
        if index % every == 0:
            marks.append((round(index * slot + slot / 2, 2), label))
    return Chart(tuple(drawn), tuple(marks))
