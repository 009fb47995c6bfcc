"""The notification consumers' read model: the bookings and customers of a batch of events,
in one indexed query each, as Core rows turned into domain objects (no ORM objects for a
read-only batch).

Not here: building the messages (``builder``), which rules apply (``kinds``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from sqlalchemy import Table, select

from hub.domain.booking import Booking
from hub.domain.model import Customer
from hub.persistence import convert
from hub.persistence.models import BookingRow, CustomerRow
from hub.persistence.uow import SqlUnitOfWork

_BOOKINGS = cast(Table, BookingRow.__table__)
_CUSTOMERS = cast(Table, CustomerRow.__table__)


def bookings_and_customers(
    uow: SqlUnitOfWork, booking_ids: Iterable[str]
) -> tuple[dict[str, Booking], dict[str, Customer]]:
    """The bookings with these ids and their customers, each by id (inside ``uow``)."""
    bookings = {
        row.id: convert.booking_from_row(row)
        for row in uow.session.execute(
            select(_BOOKINGS).where(_BOOKINGS.c.id.in_(sorted(set(booking_ids))))
        )
    }
    customer_ids = sorted({b.customer_id for b in bookings.values()})
    customers = {
        row.id: convert.customer_from_row(row)
        for row in uow.session.execute(select(_CUSTOMERS).where(_CUSTOMERS.c.id.in_(customer_ids)))
    }
    return bookings, customers
