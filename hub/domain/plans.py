"""A business's plan on the platform: whether it is suspended and how many bookings a
calendar month it may take — as a plain record.

Set by platform admins only (``hub.services.platform``); read by every use case that lets a
business take bookings or signs its staff and keys in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(slots=True)
class BusinessPlan:
    """``monthly_quota`` None: no limit. ``quota_notice_month`` ("2026-12") is the month the
    admins were last told the quota was reached, so they are told once a month."""

    business_id: str
    suspended_at: datetime | None = None
    suspended_reason: str = ""
    monthly_quota: int | None = None
    quota_notice_month: str | None = None
    updated_at: datetime | None = None

    @property
    def suspended(self) -> bool:
        return self.suspended_at is not None


@dataclass(frozen=True, slots=True)
class BusinessUsage:
    """What the platform console shows of one business: bookings made in the month, when
    anything last happened to its bookings, and how many active staff it has."""

    business_id: str
    bookings_this_month: int
    last_activity: datetime | None
    staff: int
