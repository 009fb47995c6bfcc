"""The SQL repository of bookings: reading them (by id, token, range, customer, series),
the times they occupy, and writing them.

Blocks, service records, audit entries and outbox events (the other things the core writes
as it runs) are in ``record_repos``; setup entities (businesses, resources, services…) in
``setup_repos``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, bindparam, case, func, insert, select, type_coerce
from sqlalchemy.orm import Session

from hub.availability.types import Busy
from hub.domain.booking import OCCUPYING, Booking, BookingStatus
from hub.domain.geo import GeoPoint
from hub.persistence import convert
from hub.persistence.columns import UTCDateTime
from hub.persistence.models import BookingRow

_OCCUPYING = [s.value for s in OCCUPYING]
_VISITED = [
    s.value
    for s in BookingStatus
    if s not in (BookingStatus.CANCELLED, BookingStatus.EXPIRED, BookingStatus.NO_SHOW)
]
# A new booking is inserted as a plain row: the ORM's unit of work (identity map,
# dependency sort, post-fetch) costs more than the INSERT.
_INSERT_BOOKING = insert(cast(Table, BookingRow.__table__))
# Statements every booking runs are built once (building one and its cache key costs more
# Python than running it), on table columns rather than ORM attributes (no ORM compile and
# loading steps).
_BOOKINGS = cast(Table, BookingRow.__table__).c
_OCCUPIED_TIMES = (
    select(
        _BOOKINGS.id,
        _BOOKINGS.resource_id,
        _BOOKINGS.occupied_start,
        _BOOKINGS.occupied_end,
        _BOOKINGS.exclusive,
        _BOOKINGS.persons,
        _BOOKINGS.at_client_address,
        _BOOKINGS.latitude,
        _BOOKINGS.longitude,
    )
    .where(
        _BOOKINGS.resource_id.in_(bindparam("resource_ids", expanding=True)),
        _BOOKINGS.occupied_start < bindparam("end"),
        _BOOKINGS.occupied_end > bindparam("start"),
        _BOOKINGS.status.in_(_OCCUPYING),
    )
    .order_by(_BOOKINGS.start_at, _BOOKINGS.id)
)


def _visit_place(at_client_address: bool, lat: float | None, lng: float | None) -> GeoPoint | None:
    """Where a visit at the client's address is, for travel between visits (None: not
    located, or not a visit)."""
    if not at_client_address or lat is None or lng is None:
        return None
    return GeoPoint(lat, lng)


class SqlBookingRepository:
    def __init__(self, session: Session) -> None:
        self._s = session
        # The session only holds rows weakly; keeping the rows read here keeps the version
        # they were read at, which the UPDATE's ``WHERE version = …`` checks.
        self._rows: dict[str, BookingRow] = {}

    def _domain(self, row: BookingRow) -> Booking:
        self._rows[row.id] = row
        return convert.booking_from_row(row)

    def add(self, booking: Booking) -> None:
        # ``update`` in the same unit of work reads the row back (with the version inserted).
        self._s.execute(_INSERT_BOOKING, convert.booking_values(booking))

    def get(self, business_id: str, booking_id: str) -> Booking | None:
        row = self._s.get(BookingRow, booking_id)
        if row is None or row.business_id != business_id:
            return None
        return self._domain(row)

    def find(self, booking_id: str) -> Booking | None:
        row = self._s.get(BookingRow, booking_id)
        return self._domain(row) if row is not None else None

    def get_by_token(self, token: str) -> Booking | None:
        row = self._s.scalar(select(BookingRow).where(BookingRow.token == token))
        return self._domain(row) if row is not None else None

    def update(self, booking: Booking) -> None:
        row = self._rows.get(booking.id) or self._s.get(BookingRow, booking.id)
        if row is None:
            raise KeyError(booking.id)
        convert.booking_to_row(booking, row)

    def occupying(
        self, resource_ids: Sequence[str], start: datetime, end: datetime
    ) -> list[Booking]:
        if not resource_ids:
            return []
        rows = self._s.scalars(
            select(BookingRow)
            .where(
                BookingRow.resource_id.in_(list(resource_ids)),
                BookingRow.occupied_start < end,
                BookingRow.occupied_end > start,
                BookingRow.status.in_(_OCCUPYING),
            )
            .order_by(BookingRow.start_at, BookingRow.id)
        )
        return [self._domain(r) for r in rows]

    def occupied_times(
        self, resource_ids: Sequence[str], start: datetime, end: datetime
    ) -> list[tuple[str, str, Busy]]:
        if not resource_ids:
            return []
        rows = self._s.execute(
            _OCCUPIED_TIMES, {"resource_ids": list(resource_ids), "start": start, "end": end}
        )
        return [
            (
                r.id,
                r.resource_id,
                Busy(
                    r.occupied_start,
                    r.occupied_end,
                    seats=1 if r.exclusive else r.persons,
                    at_client_address=r.at_client_address,
                    place=_visit_place(r.at_client_address, r.latitude, r.longitude),
                ),
            )
            for r in rows
        ]

    def list_range(
        self,
        business_id: str,
        start: datetime,
        end: datetime,
        resource_ids: Sequence[str] | None = None,
        statuses: Sequence[BookingStatus] | None = None,
    ) -> list[Booking]:
        query = select(BookingRow).where(
            BookingRow.business_id == business_id,
            BookingRow.start_at < end,
            BookingRow.end_at > start,
        )
        if resource_ids is not None:
            query = query.where(BookingRow.resource_id.in_(list(resource_ids)))
        if statuses is not None:
            query = query.where(BookingRow.status.in_([s.value for s in statuses]))
        rows = self._s.scalars(query.order_by(BookingRow.start_at, BookingRow.id))
        return [self._domain(r) for r in rows]

    def due_holds(self, now: datetime, limit: int = 500) -> list[Booking]:
        rows = self._s.scalars(
            select(BookingRow)
            .where(BookingRow.status == BookingStatus.PENDING.value, BookingRow.hold_until <= now)
            .order_by(BookingRow.hold_until, BookingRow.id)
            .limit(limit)
        )
        return [self._domain(r) for r in rows]

    def for_customer(self, business_id: str, customer_id: str, limit: int = 100) -> list[Booking]:
        rows = self._s.scalars(
            select(BookingRow)
            .where(BookingRow.business_id == business_id, BookingRow.customer_id == customer_id)
            .order_by(BookingRow.start_at.desc(), BookingRow.id)
            .limit(limit)
        )
        return [self._domain(r) for r in rows]

    def customer_activity(
        self, business_id: str, now: datetime, resource_ids: Sequence[str] | None = None
    ) -> dict[str, tuple[int, datetime | None]]:
        visited = case(
            (
                and_(BookingRow.start_at <= now, BookingRow.status.in_(_VISITED)),
                BookingRow.start_at,
            ),
            else_=None,
        )
        query = (
            select(
                BookingRow.customer_id,
                func.count(),
                type_coerce(func.max(visited), UTCDateTime()),
            )
            .where(BookingRow.business_id == business_id)
            .group_by(BookingRow.customer_id)
        )
        if resource_ids is not None:
            query = query.where(BookingRow.resource_id.in_(list(resource_ids)))
        return {
            customer_id: (int(count), last) for customer_id, count, last in self._s.execute(query)
        }

    def confirmed_started(self, since: datetime, now: datetime, limit: int = 500) -> list[Booking]:
        rows = self._s.scalars(
            select(BookingRow)
            .where(
                BookingRow.status == BookingStatus.CONFIRMED.value,
                BookingRow.start_at >= since,
                BookingRow.start_at <= now,
            )
            .order_by(BookingRow.start_at, BookingRow.id)
            .limit(limit)
        )
        return [self._domain(r) for r in rows]

    def by_series(self, business_id: str, series_id: str) -> list[Booking]:
        rows = self._s.scalars(
            select(BookingRow)
            .where(BookingRow.business_id == business_id, BookingRow.series_id == series_id)
            .order_by(BookingRow.start_at)
        )
        return [self._domain(r) for r in rows]
