"""Use case: find people of one business by name, email or phone (staff and customers),
ignoring case and accents — to invite them to a booking or pick a client.

The one search behind the REST ``/bookings/search-users`` and the console's invitee search.
Only the business's own people are ever looked at; the caller says whether customers may be
shown (an employee's console finds colleagues only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hub.domain.search import matches
from hub.services import accounts, customer_setup
from hub.services.account_ports import AccountsUnitOfWork
from hub.services.ports import UnitOfWork

CUSTOMER_SCAN = 5000


@dataclass(frozen=True, slots=True)
class Person:
    kind: Literal["staff", "customer"]
    id: str
    name: str
    email: str | None
    phone: str | None


def search_people(
    accounts_uow: AccountsUnitOfWork,
    uow: UnitOfWork,
    business_id: str,
    query: str,
    *,
    customers: bool = True,
    limit: int = 50,
    staff_limit: int = 20,
) -> list[Person]:
    """Staff first, then customers, up to ``limit``; an empty query finds nobody."""
    needle = query.strip()
    if not needle:
        return []
    found = [
        Person("staff", u.id, u.name, u.email, None)
        for u in accounts.search_staff(accounts_uow, business_id, needle, staff_limit)
    ]
    if not customers:
        return found[:limit]
    for who in customer_setup.list_customers(uow, business_id, limit=CUSTOMER_SCAN):
        if len(found) >= limit:
            break
        if matches(needle, (who.name, who.phone, who.email)):
            found.append(Person("customer", who.id, who.name, who.email, who.phone))
    return found
