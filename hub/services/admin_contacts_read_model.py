"""Admin contacts read model: a business and the email addresses of its active business
admins, for the notices the platform sends them (a webhook switched off, the plan's monthly
quota reached).

Reads only, through the unit of work's repositories. Writing the notices, and deciding when
to send them, do not belong here (the connectors that send them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hub.domain.accounts import Role
from hub.domain.model import Business
from hub.services.account_ports import UserRepository
from hub.services.ports import BusinessRepository


class AdminContactsReads(Protocol):
    """The part of the unit of work this read model needs."""

    @property
    def businesses(self) -> BusinessRepository: ...

    @property
    def users(self) -> UserRepository: ...


@dataclass(frozen=True, slots=True)
class BusinessAdmins:
    business: Business
    emails: tuple[str, ...]  # of the active business admins, in the repository's order


def business_admins(uow: AdminContactsReads, business_id: str) -> BusinessAdmins | None:
    """The business and its active admins' addresses; None when there is no such business."""
    business = uow.businesses.get(business_id)
    if business is None:
        return None
    emails = tuple(
        user.email
        for user in uow.users.list(business_id)
        if user.role is Role.BUSINESS_ADMIN and user.active
    )
    return BusinessAdmins(business, emails)
