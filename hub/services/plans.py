"""The rules a business's platform plan sets for every other use case.

A suspended business takes no booking by any door and its staff and API keys cannot sign in
(``require_open``); a business with a quota takes no booking past it in a calendar month of
its own timezone (``count_booking``, called in the booking's transaction). The booking that
uses the quota up writes one ``plan.quota_reached`` outbox event a month, which emails the
business's admins; the console shows a banner from ``quota_status``.

Not here: what a plan is (``hub.domain.plans``); how the platform changes one (``platform``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from hub.domain.errors import BusinessSuspendedError, QuotaReachedError
from hub.domain.model import Business, OutboxEvent, require_aware
from hub.domain.plans import BusinessPlan
from hub.services.ports import PlanRepository, UnitOfWork

QUOTA_EVENT = "plan.quota_reached"


def month_of(business: Business, now: datetime) -> tuple[datetime, datetime, str]:
    """The calendar month ``now`` falls in, in the business's timezone: its first instant,
    the first instant of the next, and its name ("2026-12")."""
    require_aware(now, "now")
    tz = ZoneInfo(business.timezone)
    local = now.astimezone(tz)
    first = local.date().replace(day=1)
    following = (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else (first.replace(month=first.month + 1))
    )
    start = datetime.combine(first, time(0), tz)
    end = datetime.combine(following, time(0), tz)
    return start, end, f"{first.year:04d}-{first.month:02d}"


def _suspended_error(plan: BusinessPlan) -> BusinessSuspendedError:
    return BusinessSuspendedError(
        "this business is suspended and is not taking bookings", reason=plan.suspended_reason
    )


def require_open(plans: PlanRepository, business_id: str | None) -> None:
    """Raise ``BusinessSuspendedError`` when the business is suspended (inside a unit of
    work the caller holds open)."""
    if business_id is None:
        return
    plan = plans.get(business_id)
    if plan is not None and plan.suspended:
        raise _suspended_error(plan)


def is_suspended(uow: UnitOfWork, business_id: str) -> bool:
    """Whether the platform suspended the business (for pages that say so up front)."""
    with uow:
        plan = uow.plans.get(business_id)
    return plan is not None and plan.suspended


def count_booking(uow: UnitOfWork, business: Business, now: datetime) -> None:
    """One more booking for ``business``, inside the booking's transaction: refused when the
    business is suspended or its month's quota is used up; the booking that uses up the
    quota tells the admins (once a month)."""
    plan = uow.plans.get(business.id, lock=True)
    if plan is None:
        return
    if plan.suspended:
        raise _suspended_error(plan)
    if plan.monthly_quota is None:
        return
    start, end, month = month_of(business, now)
    made = uow.plans.bookings_created(business.id, start, end)
    if made >= plan.monthly_quota:
        raise QuotaReachedError(
            "this business has taken every booking its plan allows this month",
            rule="monthly_quota",
            quota=plan.monthly_quota,
        )
    if made + 1 >= plan.monthly_quota:
        tell_admins(uow, plan, month, made + 1, now)


def tell_admins(uow: UnitOfWork, plan: BusinessPlan, month: str, used: int, now: datetime) -> None:
    if plan.quota_notice_month == month:
        return
    plan.quota_notice_month = month
    uow.plans.save(plan)
    uow.outbox.add(
        OutboxEvent(
            business_id=plan.business_id,
            type=QUOTA_EVENT,
            aggregate_id=plan.business_id,
            payload={"month": month, "quota": plan.monthly_quota, "used": used},
            created_at=now,
        )
    )


@dataclass(frozen=True, slots=True)
class QuotaStatus:
    quota: int | None
    used: int
    month: str

    @property
    def reached(self) -> bool:
        return self.quota is not None and self.used >= self.quota


def quota_status(uow: UnitOfWork, business: Business, now: datetime) -> QuotaStatus:
    """How much of this month's quota the business used (for the console's banner)."""
    start, end, month = month_of(business, now)
    with uow:
        plan = uow.plans.get(business.id)
        quota = plan.monthly_quota if plan is not None else None
        used = uow.plans.bookings_created(business.id, start, end) if quota is not None else 0
    return QuotaStatus(quota, used, month)
