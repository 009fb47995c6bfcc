"""Use cases of the platform admin, across businesses: list them with their usage, create
one and invite its first admin, suspend and reactivate it, set its monthly booking quota.
Only platform admins reach them (``require_platform_admin``, checked by every entry point).

Not here: what a suspension or a quota stops (``plans``); how a staff member is invited
(``password_links``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hub.domain.accounts import Role, User
from hub.domain.booking import ChangedBy
from hub.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from hub.domain.model import Business, require_aware
from hub.domain.plans import BusinessPlan, BusinessUsage
from hub.services.account_ports import AccountsUnitOfWork
from hub.services.events import record_audit
from hub.services.password_links import PasswordLink, invite_staff
from hub.services.plans import month_of, tell_admins
from hub.services.ports import UnitOfWork
from hub.services.setup import create_business as _create_business

MAX_QUOTA = 1_000_000


# -- the platform console's use cases ------------------------------------------------------


def require_platform_admin(user: User | None) -> User:
    if user is None or user.role is not Role.PLATFORM_ADMIN or not user.active:
        raise PermissionDeniedError("only platform admins manage businesses")
    return user


@dataclass(frozen=True, slots=True)
class BusinessOverview:
    business: Business
    plan: BusinessPlan
    usage: BusinessUsage


def list_businesses(uow: UnitOfWork, now: datetime) -> list[BusinessOverview]:
    """Every business with its plan and usage (bookings made this month in UTC terms: one
    month for all, so that the list compares like with like), by name."""
    require_aware(now, "now")
    utc_month = Business(slug="x", name="x", timezone="UTC", currency="USD", language="en")
    start, end, _ = month_of(utc_month, now)
    with uow:
        businesses = uow.businesses.list()
        usage = {u.business_id: u for u in uow.plans.usage(start, end)}
        plans = {b.id: uow.plans.get(b.id) or BusinessPlan(b.id) for b in businesses}
    return [
        BusinessOverview(b, plans[b.id], usage.get(b.id) or BusinessUsage(b.id, 0, None, 0))
        for b in sorted(businesses, key=lambda b: b.name.casefold())
    ]


def get_business(uow: UnitOfWork, business_id: str, now: datetime) -> BusinessOverview:
    for overview in list_businesses(uow, now):
        if overview.business.id == business_id:
            return overview
    raise NotFoundError("no such business", entity="business", id=business_id)


def create_business(
    uow: UnitOfWork,
    accounts: AccountsUnitOfWork,
    secret: str,
    business: Business,
    *,
    admin_email: str,
    admin_name: str = "",
    by: ChangedBy,
    now: datetime,
) -> tuple[Business, PasswordLink]:
    """Create the business and invite its first admin (a set-password link to email)."""
    if not admin_email.strip():
        raise ValidationError("the business needs its first admin's email", field="admin_email")
    created = _create_business(uow, business, by=by, now=now)
    link = invite_staff(
        accounts,
        secret,
        business_id=created.id,
        email=admin_email,
        role=Role.BUSINESS_ADMIN,
        now=now,
        name=admin_name,
    )
    return created, link


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def _change_plan(
    uow: UnitOfWork, business_id: str, action: str, by: ChangedBy, now: datetime, **changes: object
) -> BusinessPlan:
    with uow:
        if uow.businesses.get(business_id) is None:
            raise NotFoundError("no such business", entity="business", id=business_id)
        plan = uow.plans.get(business_id, lock=True) or BusinessPlan(business_id)
        before = {k: _plain(getattr(plan, k)) for k in changes}
        for key, value in changes.items():
            setattr(plan, key, value)
        plan.updated_at = now
        uow.plans.save(plan)
        record_audit(
            uow,
            business_id=business_id,
            entity="business",
            entity_id=business_id,
            action=action,
            by=by,
            now=now,
            data={"before": before, "after": {k: _plain(v) for k, v in changes.items()}},
        )
        uow.commit()
    return plan


def suspend_business(
    uow: UnitOfWork, business_id: str, *, reason: str = "", by: ChangedBy, now: datetime
) -> BusinessPlan:
    """The business stops taking bookings; its staff and API keys are refused."""
    reason = reason.strip()
    if len(reason) > 500:
        raise ValidationError("the reason is too long (500 characters at most)", field="reason")
    return _change_plan(
        uow, business_id, "suspended", by, now, suspended_at=now, suspended_reason=reason
    )


def reactivate_business(
    uow: UnitOfWork, business_id: str, *, by: ChangedBy, now: datetime
) -> BusinessPlan:
    return _change_plan(
        uow, business_id, "reactivated", by, now, suspended_at=None, suspended_reason=""
    )


def set_quota(
    uow: UnitOfWork, business_id: str, quota: int | None, *, by: ChangedBy, now: datetime
) -> BusinessPlan:
    """The bookings a month the business may take (None: no limit). A quota at or under
    what the month already used tells the admins at once."""
    if quota is not None and not 0 <= quota <= MAX_QUOTA:
        raise ValidationError(
            f"the monthly quota must be between 0 and {MAX_QUOTA}", field="monthly_quota"
        )
    plan = _change_plan(uow, business_id, "quota_changed", by, now, monthly_quota=quota)
    if quota is None:
        return plan
    with uow:
        business = uow.businesses.get(business_id)
        plan = uow.plans.get(business_id, lock=True) or plan
        if business is None:
            return plan
        start, end, month = month_of(business, now)
        used = uow.plans.bookings_created(business_id, start, end)
        if used >= quota:
            tell_admins(uow, plan, month, used, now)
            uow.commit()
    return plan
