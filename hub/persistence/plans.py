"""SQL row and repository for businesses' platform plans, and the usage counts the platform
console reads (bookings made in a month, last activity, active staff)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    func,
    select,
    type_coerce,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.domain.plans import BusinessPlan, BusinessUsage
from hub.persistence.accounts import UserRow
from hub.persistence.columns import UTCDateTime
from hub.persistence.models import ID, Base, BookingRow, BusinessRow

# Every state but expired counts against a quota: a hold that ran out never was a booking.
_COUNTED = BookingRow.status != "expired"


class BusinessPlanRow(Base):
    __tablename__ = "business_plans"
    __table_args__ = (
        CheckConstraint(
            "monthly_quota IS NULL OR monthly_quota >= 0", name="ck_business_plans_quota"
        ),
    )

    business_id: Mapped[str] = mapped_column(ID, ForeignKey("businesses.id"), primary_key=True)
    suspended_at: Mapped[datetime | None]
    suspended_reason: Mapped[str] = mapped_column(Text, server_default="")
    monthly_quota: Mapped[int | None] = mapped_column(Integer)
    quota_notice_month: Mapped[str | None] = mapped_column(String(7))
    updated_at: Mapped[datetime | None]


def _plan(row: BusinessPlanRow) -> BusinessPlan:
    return BusinessPlan(
        business_id=row.business_id,
        suspended_at=row.suspended_at,
        suspended_reason=row.suspended_reason,
        monthly_quota=row.monthly_quota,
        quota_notice_month=row.quota_notice_month,
        updated_at=row.updated_at,
    )


class SqlPlanRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, business_id: str, *, lock: bool = False) -> BusinessPlan | None:
        query = select(BusinessPlanRow).where(BusinessPlanRow.business_id == business_id)
        if lock:
            query = query.with_for_update()
        row = self._s.execute(query).scalar_one_or_none()
        return _plan(row) if row is not None else None

    def save(self, plan: BusinessPlan) -> None:
        row = self._s.get(BusinessPlanRow, plan.business_id)
        if row is None:
            row = BusinessPlanRow(business_id=plan.business_id)
            self._s.add(row)
        row.suspended_at = plan.suspended_at
        row.suspended_reason = plan.suspended_reason
        row.monthly_quota = plan.monthly_quota
        row.quota_notice_month = plan.quota_notice_month
        row.updated_at = plan.updated_at
        self._s.flush()

    def bookings_created(self, business_id: str, start: datetime, end: datetime) -> int:
        query = select(func.count()).where(
            BookingRow.business_id == business_id,
            BookingRow.created_at >= start,
            BookingRow.created_at < end,
            _COUNTED,
        )
        return int(self._s.execute(query).scalar_one())

    def usage(self, start: datetime, end: datetime) -> list[BusinessUsage]:
        made = dict(
            self._s.execute(
                select(BookingRow.business_id, func.count())
                .where(BookingRow.created_at >= start, BookingRow.created_at < end, _COUNTED)
                .group_by(BookingRow.business_id)
            ).all()
        )
        last = dict(
            self._s.execute(
                select(
                    BookingRow.business_id,
                    type_coerce(
                        func.max(func.coalesce(BookingRow.updated_at, BookingRow.created_at)),
                        UTCDateTime(),
                    ),
                ).group_by(BookingRow.business_id)
            ).all()
        )
        staff = dict(
            self._s.execute(
                select(UserRow.business_id, func.count())
                .where(UserRow.active.is_(True), UserRow.business_id.is_not(None))
                .group_by(UserRow.business_id)
            ).all()
        )
        ids = self._s.execute(select(BusinessRow.id)).scalars().all()
        return [
            BusinessUsage(
                business_id=business_id,
                bookings_this_month=int(made.get(business_id, 0)),
                last_activity=last.get(business_id),
                staff=int(staff.get(business_id, 0)),
            )
            for business_id in ids
        ]
