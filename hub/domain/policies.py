"""Per-business rules: booking rules, deposit and refund rules, and the checks that apply them.

Operators are not limited by the client-facing windows (cancel/reschedule until N hours
before, at most M reschedules); only clients are.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.domain.errors import PolicyViolationError, ValidationError


@dataclass(frozen=True, slots=True)
class BookingPolicy:
    """What a business allows when booking, cancelling and rescheduling."""

    min_notice_minutes: int = 0
    horizon_days: int = 60
    slot_step_minutes: int | None = None  # None: the service's duration
    requires_confirmation: bool = False
    hold_minutes: int = 60  # how long a pending booking waits for confirmation or payment
    client_cancel_until_hours: int = 2
    client_reschedule_until_hours: int = 2
    max_reschedules: int = 1
    travel_gap_minutes: int = 0  # between consecutive at-client-address bookings
    # At-address workers with a base must be back there by the end of their day.
    travel_return_to_base: bool = False
    # A confirmed booking nobody checked in becomes a no-show this long after its start
    # (None: only staff mark no-shows).
    no_show_after_minutes: int | None = None

    def __post_init__(self) -> None:
        for name in (
            "min_notice_minutes",
            "horizon_days",
            "hold_minutes",
            "client_cancel_until_hours",
            "client_reschedule_until_hours",
            "max_reschedules",
            "travel_gap_minutes",
        ):
            if getattr(self, name) < 0:
                raise ValidationError(f"{name} cannot be negative", field=name)
        if self.slot_step_minutes is not None and self.slot_step_minutes <= 0:
            raise ValidationError("slot_step_minutes must be positive", field="slot_step_minutes")
        if self.no_show_after_minutes is not None and self.no_show_after_minutes <= 0:
            raise ValidationError(
                "no_show_after_minutes must be positive", field="no_show_after_minutes"
            )
        if self.horizon_days < 1:
            raise ValidationError("horizon_days must be at least 1", field="horizon_days")

    @property
    def min_notice(self) -> timedelta:
        return timedelta(minutes=self.min_notice_minutes)

    @property
    def horizon(self) -> timedelta:
        return timedelta(days=self.horizon_days)

    def check_window(self, start: datetime, now: datetime) -> None:
        """A client may only book between now + minimum notice and now + horizon."""
        if start < now:
            raise ValidationError("the start time is in the past", field="start")
        if start < now + self.min_notice:
            raise PolicyViolationError(
                "too soon: the business needs more notice",
                rule="min_notice",
                min_notice_minutes=self.min_notice_minutes,
            )
        if start > now + self.horizon:
            raise PolicyViolationError(
                "too far ahead: outside the booking horizon",
                rule="horizon",
                horizon_days=self.horizon_days,
            )

    def check_client_cancel(self, start: datetime, now: datetime) -> None:
        limit = start - timedelta(hours=self.client_cancel_until_hours)
        if now > limit:
            raise PolicyViolationError(
                f"bookings can be cancelled up to {self.client_cancel_until_hours} hours before",
                rule="cancel_window",
                hours=self.client_cancel_until_hours,
            )

    def check_client_reschedule(self, start: datetime, now: datetime, count: int) -> None:
        limit = start - timedelta(hours=self.client_reschedule_until_hours)
        if now > limit:
            raise PolicyViolationError(
                "bookings can be rescheduled up to "
                f"{self.client_reschedule_until_hours} hours before",
                rule="reschedule_window",
                hours=self.client_reschedule_until_hours,
            )
        if count >= self.max_reschedules:
            raise PolicyViolationError(
                f"a booking can be rescheduled at most {self.max_reschedules} times",
                rule="max_reschedules",
                max_reschedules=self.max_reschedules,
            )


class DepositKind(enum.StrEnum):
    NONE = "none"
    PERCENT = "percent"
    FIXED = "fixed"


@dataclass(frozen=True, slots=True)
class DepositRule:
    """A deposit ("seña"): none, a percentage of the price, or a fixed amount (minor units)."""

    kind: DepositKind = DepositKind.NONE
    value: int = 0  # percent (0-100) or minor units
    provider: str | None = None  # "stripe" | "mercadopago"

    def __post_init__(self) -> None:
        if self.value < 0:
            raise ValidationError("deposit value cannot be negative", field="deposit")
        if self.kind is DepositKind.PERCENT and self.value > 100:
            raise ValidationError("a deposit percentage is at most 100", field="deposit")

    def amount(self, price_minor: int) -> int:
        """Deposit in minor units for a booking of ``price_minor``; never above the price."""
        if self.kind is DepositKind.PERCENT:
            return (price_minor * self.value + 99) // 100
        if self.kind is DepositKind.FIXED:
            return min(self.value, price_minor) if price_minor > 0 else self.value
        return 0


@dataclass(frozen=True, slots=True)
class RefundRule:
    """Full refund when the client cancels at least ``full_refund_hours`` before; none after.

    Operator cancellations always refund; no-shows never do.
    """

    full_refund_hours: int = 24

    def refundable(self, start: datetime, cancelled_at: datetime, by_operator: bool) -> bool:
        if by_operator:
            return True
        return cancelled_at <= start - timedelta(hours=self.full_refund_hours)
