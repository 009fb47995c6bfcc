"""Wall clock ↔ UTC for one timezone over a range of local dates, exact across DST.

A ``WallClock`` cuts the UTC time line around the dates asked for into pieces of constant UTC
offset (found by sampling the offset and bisecting to the second where it changes). With
those pieces a wall-clock time maps to 0 instants (skipped by a spring-forward gap), 1, or 2
(repeated by a fall-back), and a wall-clock interval maps to the exact set of instants whose
wall reading lies in it. Nothing here knows about opening hours, busy time or slots.

Assumption: two offset changes are never less than ``SAMPLE`` apart (true of every zone in
use today; the closest are months apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SAMPLE = timedelta(hours=6)
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Piece:
    """Instants in [start, end) (UTC) all read ``offset`` ahead of UTC on the wall clock."""

    start: datetime
    end: datetime
    offset: timedelta


def _offset(tz: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset for an aware instant
    return offset


def _transition(tz: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first instant in (before, after] with the offset of ``after`` (whole seconds)."""
    target = _offset(tz, after)
    while after - before > _SECOND:
        middle = before + (after - before) / 2
        middle = middle.replace(microsecond=0)
        if middle <= before:
            middle = before + _SECOND
        if _offset(tz, middle) == target:
            after = middle
        else:
            before = middle
    return after


class WallClock:
    """Maps wall-clock times of local dates ``first``..``last`` to UTC instants."""

    __slots__ = ("pieces", "tz")

    def __init__(self, tz: ZoneInfo, first: date, last: date) -> None:
        self.tz = tz
        # Instants whose local date is in [first, last] lie within a day (±26 h covers every
        # real offset) of the same wall times read as UTC.
        lo = datetime.combine(first, time(0), UTC) - timedelta(days=2)
        hi = datetime.combine(last, time(0), UTC) + timedelta(days=3)
        pieces: list[Piece] = []
        start, offset = lo, _offset(tz, lo)
        sample = lo
        while sample < hi:
            following = min(sample + SAMPLE, hi)
            following_offset = _offset(tz, following)
            if following_offset != offset:
                change = _transition(tz, sample, following)
                pieces.append(Piece(start, change, offset))
                start, offset = change, following_offset
            sample = following
        pieces.append(Piece(start, hi, offset))
        self.pieces: tuple[Piece, ...] = tuple(pieces)

    def instants(self, wall: datetime) -> list[datetime]:
        """The UTC instants whose wall reading is the naive ``wall``: none in a gap, two in a
        repeated hour (earlier first)."""
        found = []
        for piece in self.pieces:
            instant = (wall - piece.offset).replace(tzinfo=UTC)
            if piece.start <= instant < piece.end:
                found.append(instant)
        found.sort()
        return found

    def expand(
        self, wall_start: datetime, wall_end: datetime, step: timedelta | None = None
    ) -> tuple[list[tuple[datetime, datetime]], list[datetime]]:
        """For the naive wall interval [wall_start, wall_end): the instants whose wall reading
        lies in it (sorted, merged UTC intervals; a skipped hour contributes nothing, a
        repeated one twice), and, given ``step``, the instants reading ``wall_start + k*step``
        (sorted; what ``instants`` gives for each wall time of that grid). Within a piece the
        offset is constant, so consecutive wall times of the grid are ``step`` apart there."""
        spans: list[tuple[datetime, datetime]] = []
        starts: list[datetime] = []
        aware_start, aware_end = wall_start.replace(tzinfo=UTC), wall_end.replace(tzinfo=UTC)
        for piece in self.pieces:
            first = aware_start - piece.offset
            lo = max(first, piece.start)
            hi = min(aware_end - piece.offset, piece.end)
            if lo >= hi:
                continue
            spans.append((lo, hi))
            if step is not None:
                if first < lo:
                    first -= ((first - lo) // step) * step  # the first grid point inside
                while first < hi:
                    starts.append(first)
                    first += step
        if len(spans) > 1:
            spans = merge(spans)
            starts.sort()
        return spans, starts

    def preimage(self, wall_start: datetime, wall_end: datetime) -> list[tuple[datetime, datetime]]:
        """The instants whose wall reading lies in [wall_start, wall_end) (naive)."""
        return self.expand(wall_start, wall_end)[0]

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()


def merge(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sort and merge overlapping or touching intervals."""
    spans = sorted(spans)
    merged: list[tuple[datetime, datetime]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged
