"""Analytics read model: a business's figures for a week or a month beside the period before.

Bookings are counted by the day they are for (their start, in the business's timezone):
how many, how many confirmed (confirmed, started, finished or missed), cancellations,
no-shows, the busiest hour, bookings per day and per hour, the most frequent zones (bookings
at the client's address that carry a zone), revenue (what was charged when finished, else
the booking's price) and deposits kept (paid deposits, less refunds, of bookings that were
cancelled or missed).

Reads only, through the unit of work's repositories; the console, the CSV export and the
REST API all show these same figures. Writing anything does not belong here.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.domain.booking import BookingStatus
from hub.domain.errors import ValidationError
from hub.domain.payments import PaymentStatus
from hub.services.calendars import get_business
from hub.services.payment_ports import PaymentsUnitOfWork

PERIODS = ("week", "month")
MAX_BOOKINGS = 20_000
CONFIRMED_LIKE = frozenset(
    {
        BookingStatus.CONFIRMED,
        BookingStatus.IN_PROGRESS,
        BookingStatus.COMPLETED,
        BookingStatus.NO_SHOW,
    }
)
KEEPS_DEPOSIT = frozenset({BookingStatus.CANCELLED, BookingStatus.NO_SHOW})
KEPT_PAYMENT = frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED})


@dataclass(frozen=True, slots=True)
class Figures:
    """One period's figures. Money is per currency, in minor units."""

    first: date
    last: date
    bookings: int
    confirmed: int
    cancelled: int
    no_shows: int
    per_hour: tuple[int, ...]  # 24 counts of bookings not cancelled, by starting hour
    per_day: tuple[tuple[date, int], ...]
    zones: tuple[tuple[str, int], ...]  # most frequent first
    revenue: tuple[tuple[str, int], ...]
    deposits_kept: tuple[tuple[str, int], ...]

    @property
    def confirmed_pct(self) -> int:
        return round(100 * self.confirmed / self.bookings) if self.bookings else 0

    @property
    def busiest_hour(self) -> int | None:
        best = max(range(24), key=lambda h: (self.per_hour[h], -h))
        return best if self.per_hour[best] else None

    @property
    def busiest_count(self) -> int:
        hour = self.busiest_hour
        return 0 if hour is None else self.per_hour[hour]


@dataclass(frozen=True, slots=True)
class Analytics:
    period: str
    current: Figures
    previous: Figures


def period_span(period: str, day: date) -> tuple[date, date]:
    """The week (Monday to Sunday) or calendar month holding ``day``, both ends inclusive."""
    if period == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    if period == "month":
        first = day.replace(day=1)
        return first, first.replace(day=calendar.monthrange(day.year, day.month)[1])
    raise ValidationError("period must be week or month", field="period")


def _figures(
    uow: PaymentsUnitOfWork,
    business_id: str,
    tz: ZoneInfo,
    first: date,
    last: date,
    *,
    resource_ids: Sequence[str] | None,
    zone_names: dict[str, str],
) -> Figures:
    start = datetime.combine(first, time(0), tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tz)
    found = [
        b
        for b in uow.bookings.list_range(business_id, start, end, resource_ids)
        if start <= b.start < end and b.status is not BookingStatus.EXPIRED
    ][:MAX_BOOKINGS]
    records = {
        r.booking_id: r
        for r in uow.service_records.performed_between(
            business_id,
            start - timedelta(days=1),
            end + timedelta(days=31),
            resource_ids,
            MAX_BOOKINGS,
        )
    }
    hours = [0] * 24
    days = Counter(b.start.astimezone(tz).date() for b in found)
    zones: Counter[str] = Counter()
    revenue: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    for booking in found:
        if booking.status is not BookingStatus.CANCELLED:
            hours[booking.start.astimezone(tz).hour] += 1
            if booking.zone_id is not None:
                zones[zone_names.get(booking.zone_id, booking.zone_id)] += 1
        if booking.status is BookingStatus.COMPLETED:
            record = records.get(booking.id)
            if record is not None:
                revenue[record.currency] += record.charged_minor
            else:
                revenue[booking.currency] += booking.price_minor
        if booking.status in KEEPS_DEPOSIT and booking.deposit_minor > 0:
            payment = uow.payments.for_booking(business_id, booking.id)
            if payment is not None and payment.status in KEPT_PAYMENT:
                refunded = sum(r.amount_minor for r in payment.refunds)
                if payment.amount_minor > refunded:
                    kept[payment.currency] += payment.amount_minor - refunded
    span = (last - first).days + 1
    return Figures(
        first=first,
        last=last,
        bookings=len(found),
        confirmed=sum(b.status in CONFIRMED_LIKE for b in found),
        cancelled=sum(b.status is BookingStatus.CANCELLED for b in found),
        no_shows=sum(b.status is BookingStatus.NO_SHOW for b in found),
        per_hour=tuple(hours),
        per_day=tuple(
            (first + timedelta(days=n), days.get(first + timedelta(days=n), 0)) for n in range(span)
        ),
        zones=tuple(sorted(zones.items(), key=lambda kv: (-kv[1], kv[0]))),
        revenue=tuple(sorted(revenue.items())),
        deposits_kept=tuple(sorted(kept.items())),
    )


def business_analytics(
    uow: PaymentsUnitOfWork,
    business_id: str,
    period: str,
    day: date,
    *,
    resource_ids: Sequence[str] | None = None,
) -> Analytics:
    """The figures of the ``period`` ("week" or "month") holding ``day`` and of the one before,
    for the business (only ``resource_ids``' bookings when given: an employee's own)."""
    first, last = period_span(period, day)
    before_first, before_last = period_span(period, first - timedelta(days=1))
    with uow:
        tz = ZoneInfo(get_business(uow, business_id).timezone)
        names = {zone.id: zone.name for zone in uow.zones.list(business_id)}
        return Analytics(
            period,
            _figures(
                uow, business_id, tz, first, last, resource_ids=resource_ids, zone_names=names
            ),
            _figures(
                uow,
                business_id,
                tz,
                before_first,
                before_last,
                resource_ids=resource_ids,
                zone_names=names,
            ),
        )
