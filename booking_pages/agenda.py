"""The operator's agenda as a paper agenda reads: per resource, a day of cards (bookings,
blocks) with the free periods between them inside opening hours; the actions each booking's
state allows; and the week summary (bookings, confirmed %, cancellations, no-shows, busiest
hour).

Pure shaping of what the use cases returned; the routes are in ``console_agenda``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.domain.booking import Booking, BookingStatus
from hub.domain.model import Block, Customer, Resource
from hub.services.customers import whatsapp_number

MIN_FREE = timedelta(minutes=15)
DEFAULT_HOURS = ((time(9), time(18)),)


def actions_for(booking: Booking, now: datetime) -> tuple[str, ...]:
    """What an operator may do with the booking now (same rules as the use cases)."""
    status = booking.status
    if status is BookingStatus.PENDING:
        return ("confirm", "cancel")
    if status is BookingStatus.CONFIRMED:
        # "Finalizar" in one tap: the use case passes it through in_progress.
        if now >= booking.start:
            return ("complete", "start", "cancel", "no_show")
        return ("complete", "start", "cancel")
    if status is BookingStatus.IN_PROGRESS:
        return ("complete",)
    return ()


def phase(start: datetime, end: datetime, now: datetime) -> str:
    if end <= now:
        return "past"
    if start <= now:
        return "current"
    return "upcoming"


@dataclass(frozen=True, slots=True)
class Card:
    booking: Booking
    customer: Customer | None
    service: str
    resource: str
    phase: str
    actions: tuple[str, ...]

    @property
    def whatsapp(self) -> str | None:
        """A wa.me link to the client (Argentine mobiles in the 54 9 form WhatsApp uses)."""
        phone = self.customer.phone if self.customer else None
        return f"https://wa.me/{whatsapp_number(phone).lstrip('+')}" if phone else None


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str  # booking | block | free
    start: datetime
    end: datetime
    phase: str
    card: Card | None = None
    block: Block | None = None


@dataclass(frozen=True, slots=True)
class Lane:
    resource: Resource
    entries: list[Entry]


def opening_hours(resource: Resource, day: date) -> tuple[tuple[time, time], ...]:
    """The resource's hours on ``day`` (its exceptions first, then its weekly rules)."""
    for exception in resource.exceptions:
        if exception.start_date <= day <= exception.end_date:
            return exception.intervals
    weekly = tuple((w.start, w.end) for w in resource.weekly if w.weekday == day.weekday())
    return weekly if resource.weekly else DEFAULT_HOURS


def grid_hours(resources: list[Resource]) -> tuple[str, str]:
    """The hours the time grid shows: from the earliest opening to the latest closing of the
    resources' weekly hours, whole hours (the default day when none has hours)."""
    intervals = [(w.start, w.end) for r in resources for w in r.weekly] or list(DEFAULT_HOURS)
    opens = min(start for start, _ in intervals).hour
    closes = max(
        24 if end == time(0) else end.hour + (1 if end.minute else 0) for _, end in intervals
    )
    return f"{opens:02d}:00:00", f"{closes:02d}:00:00"


def blocks_by_day(
    blocks: list[Block], tz: ZoneInfo, first: date, last: date
) -> dict[date, list[Block]]:
    """Each day from ``first`` to ``last`` with the blocks that cover part of it."""
    days: dict[date, list[Block]] = {}
    for block in sorted(blocks, key=lambda b: b.start):
        day = max(block.start.astimezone(tz).date(), first)
        # A block ending at midnight does not touch the next day.
        end = (block.end - timedelta(microseconds=1)).astimezone(tz).date()
        while day <= min(end, last):
            days.setdefault(day, []).append(block)
            day += timedelta(days=1)
    return days


def _instant(day: date, moment: time, tz: ZoneInfo) -> datetime:
    if moment == time(0):
        return datetime.combine(day + timedelta(days=1), moment, tz)
    return datetime.combine(day, moment, tz)


def lane(
    resource: Resource,
    day: date,
    *,
    tz: ZoneInfo,
    cards: list[Card],
    blocks: list[Block],
    now: datetime,
) -> Lane:
    """One resource's day: its cards and blocks in time order, with free periods (of at
    least ``MIN_FREE``, in opening hours, still to come) between them."""
    day_start = datetime.combine(day, time(0), tz)
    day_end = datetime.combine(day + timedelta(days=1), time(0), tz)
    own_blocks = [b for b in blocks if b.resource_id in (None, resource.id)]
    entries = [Entry("booking", c.booking.start, c.booking.end, c.phase, card=c) for c in cards] + [
        Entry(
            "block",
            max(b.start, day_start),
            min(b.end, day_end),
            phase(b.start, b.end, now),
            block=b,
        )
        for b in own_blocks
    ]
    busy = sorted(
        [
            (c.booking.occupied_start, c.booking.occupied_end)
            for c in cards
            if c.booking.occupies_time
        ]
        + [(b.start, b.end) for b in own_blocks]
    )
    for opens, closes in opening_hours(resource, day):
        cursor = max(_instant(day, opens, tz), now)
        end = _instant(day, closes, tz)
        for busy_start, busy_end in busy:
            if busy_end <= cursor or busy_start >= end:
                continue
            if busy_start - cursor >= MIN_FREE:
                entries.append(Entry("free", cursor, busy_start, "upcoming"))
            cursor = max(cursor, busy_end)
        if end - cursor >= MIN_FREE:
            entries.append(Entry("free", cursor, end, "upcoming"))
    entries.sort(key=lambda e: (e.start, e.kind != "free"))
    return Lane(resource, entries)


@dataclass(frozen=True, slots=True)
class Summary:
    total: int
    confirmed: int
    cancelled: int
    no_shows: int
    busiest_hour: int | None
    busiest_count: int

    @property
    def confirmed_percent(self) -> int:
        return round(100 * self.confirmed / self.total) if self.total else 0


CONFIRMED_LIKE = frozenset(
    {
        BookingStatus.CONFIRMED,
        BookingStatus.IN_PROGRESS,
        BookingStatus.COMPLETED,
        BookingStatus.NO_SHOW,
    }
)


def summarise(bookings: list[Booking], tz: ZoneInfo) -> Summary:
    """The seed's "Esta semana" box, over bookings that start in the period."""
    hours = Counter(
        b.start.astimezone(tz).hour for b in bookings if b.status is not BookingStatus.CANCELLED
    )
    busiest = min(hours.items(), key=lambda kv: (-kv[1], kv[0])) if hours else None
    return Summary(
        total=len(bookings),
        confirmed=sum(b.status in CONFIRMED_LIKE for b in bookings),
        cancelled=sum(b.status is BookingStatus.CANCELLED for b in bookings),
        no_shows=sum(b.status is BookingStatus.NO_SHOW for b in bookings),
        busiest_hour=busiest[0] if busiest else None,
        busiest_count=busiest[1] if busiest else 0,
    )
