"""Use cases: the business's customers as staff look them up — found by name, phone or email
(case, accents and phone punctuation do not count), with how many bookings each has and when
they last came, and one customer's bookings.

Staff limited to some resources (employees) see only the customers with bookings on those,
and only those bookings. Changing a customer is ``setup``'s; the invitee picker's search
(staff and customers together) is ``people``'s.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hub.domain.booking import Booking
from hub.domain.errors import NotFoundError
from hub.domain.model import Customer
from hub.domain.search import matches
from hub.services.ports import UnitOfWork

CUSTOMER_SCAN = 5000  # as ``people``: the customers a search looks through


@dataclass(frozen=True, slots=True)
class CustomerLine:
    customer: Customer
    bookings: int
    last_visit: datetime | None


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _found(needle: str, customer: Customer) -> bool:
    if matches(needle, (customer.name, customer.email, customer.phone)):
        return True
    # "11 5555-1234" finds +5491155551234: a typed number is compared digit by digit.
    digits = _digits(needle)
    return (
        len(digits) >= 3
        and not re.search(r"[^\d\s()+.\-]", needle)
        and digits in _digits(customer.phone or "")
    )


def find_customers(
    uow: UnitOfWork,
    business_id: str,
    query: str,
    *,
    now: datetime,
    resource_ids: Sequence[str] | None = None,
    limit: int = 100,
) -> list[CustomerLine]:
    """The customers matching ``query`` (all of them when it is blank), most recent visit
    first, then by name; with ``resource_ids``, only those with bookings on them, counted
    on them."""
    needle = query.strip()
    with uow:
        activity = uow.bookings.customer_activity(business_id, now, resource_ids)
        customers = uow.customers.list(business_id, limit=CUSTOMER_SCAN)
    lines = [
        CustomerLine(c, *activity.get(c.id, (0, None)))
        for c in customers
        if (resource_ids is None or c.id in activity) and (not needle or _found(needle, c))
    ]
    lines.sort(key=lambda line: line.customer.name.casefold())
    # Those who came, latest first, then the others (stable: by name).
    lines.sort(key=lambda line: -line.last_visit.timestamp() if line.last_visit else 1.0)
    return lines[:limit]


def customer_bookings(
    uow: UnitOfWork,
    business_id: str,
    customer_id: str,
    *,
    resource_ids: Sequence[str] | None = None,
    limit: int = 200,
) -> tuple[Customer, list[Booking]]:
    """One customer of the business and their bookings, latest first; with
    ``resource_ids``, those on them only, and a customer with none there is not found."""
    with uow:
        customer = uow.customers.get(business_id, customer_id)
        bookings = uow.bookings.for_customer(business_id, customer_id, limit) if customer else []
    if resource_ids is not None:
        bookings = [b for b in bookings if b.resource_id in resource_ids]
    if customer is None or (resource_ids is not None and not bookings):
        raise NotFoundError("no such customer", entity="customer", id=customer_id)
    return customer, bookings
