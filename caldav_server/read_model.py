"""The CalDAV view's read model: indexed reads of the core's tables (users, resources,
businesses, services, branches, bookings, customers, blocks) and of what joins them to this
package's own rows, on one SQLAlchemy session.

Everything a CalDAV request needs is answered by a query on an index: a calendar's bookings
in a time range (``ix_bookings_resource_occupied``), by id, a UID lookup. Nothing here scans a
whole calendar unless the client asked for the whole calendar.

Read-only: every change to bookings and blocks goes through ``hub.services``
(``caldav_server.writes``). Reads of this package's own tables alone are
``caldav_server.own_rows``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Select, Table, and_, bindparam, exists, or_, select
from sqlalchemy.orm import Session

from caldav_server.tables import ClientItemRow, PersonalCalendarRow, PersonalEventRow
from hub.domain.accounts import Role, User
from hub.domain.booking import Booking
from hub.domain.model import Block, Branch, Business, Customer, Resource, Service
from hub.persistence import convert
from hub.persistence.accounts import AppPasswordRow, SqlUserRepository, UserRow
from hub.persistence.feeds import FeedTokenRow
from hub.persistence.models import BlockRow, BookingRow, BusinessRow, CustomerRow, ResourceRow
from hub.persistence.setup_repos import SqlBranchRepository, SqlServiceRepository

GONE = ("cancelled", "expired")


@dataclass(slots=True)
class Catalog:
    """What rendering a resource's events needs besides the bookings themselves."""

    business: Business
    resource: Resource
    services: dict[str, Service] = field(default_factory=dict)
    branches: dict[str, Branch] = field(default_factory=dict)


def user(session: Session, user_id: str) -> User | None:
    return SqlUserRepository(session).get(user_id)


@dataclass(frozen=True, slots=True)
class LoginState:
    """A staff member and a fingerprint of their app passwords: a login checked against
    one state is still good while the state is equal (no password revoked or added)."""

    user: User
    passwords: str


def login_state(session: Session, user_id: str) -> LoginState | None:
    found = user(session, user_id)
    if found is None:
        return None
    rows = session.execute(
        select(AppPasswordRow.id, AppPasswordRow.secret_hash)
        .where(AppPasswordRow.user_id == user_id)
        .order_by(AppPasswordRow.id)
    )
    digest = hashlib.sha256("\n".join(f"{i}:{h}" for i, h in rows).encode()).hexdigest()
    return LoginState(found, digest)


def resource(session: Session, resource_id: str) -> tuple[Resource, Business] | None:
    row = session.get(ResourceRow, resource_id)
    if row is None:
        return None
    business = session.get(BusinessRow, row.business_id)
    if business is None:
        return None
    return convert.resource_from_row(row), convert.business_from_row(business)


def catalog(session: Session, resource_id: str) -> Catalog | None:
    found = resource(session, resource_id)
    if found is None:
        return None
    res, business = found
    return Catalog(
        business,
        res,
        {s.id: s for s in SqlServiceRepository(session).list(business.id)},
        {b.id: b for b in SqlBranchRepository(session).list(business.id)},
    )


def feed_resource(session: Session, token: str) -> str | None:
    """The resource whose read-only feed ``token`` opens (None: no such feed, or revoked)."""
    row = session.get(FeedTokenRow, token)
    return row.resource_id if row is not None else None


def visible_resources(session: Session, who: User) -> list[Resource]:
    """The resources whose calendars ``who`` sees: all of their business for an admin,
    the linked ones for an employee."""
    if who.business_id is None or not who.active:
        return []
    query = select(ResourceRow).where(ResourceRow.business_id == who.business_id)
    if not who.manages_business():
        if not who.resource_ids:
            return []
        query = query.where(ResourceRow.id.in_(list(who.resource_ids)))
    rows = session.scalars(query.order_by(ResourceRow.name, ResourceRow.id))
    return [convert.resource_from_row(r) for r in rows]


def bookings(
    session: Session,
    resource_id: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    ids: Sequence[str] | None = None,
) -> list[tuple[Booking, Customer]]:
    """The calendar's bookings (cancelled and expired ones have left it), with customers."""
    query = (
        select(BookingRow, CustomerRow)
        .join(CustomerRow, CustomerRow.id == BookingRow.customer_id)
        .where(BookingRow.resource_id == resource_id, BookingRow.status.not_in(GONE))
    )
    if start is not None and end is not None:
        # Bookings are short: the occupied range brackets [start, end) and is indexed.
        query = query.where(
            BookingRow.occupied_start < end,
            BookingRow.occupied_end > start,
            BookingRow.start_at < end,
            BookingRow.end_at > start,
        )
    if ids is not None:
        query = query.where(BookingRow.id.in_(list(ids)))
    rows = session.execute(query.order_by(BookingRow.start_at, BookingRow.id))
    return [(convert.booking_from_row(b), convert.customer_from_row(c)) for b, c in rows]


def booking_anyhow(session: Session, booking_id: str) -> tuple[Booking, Customer] | None:
    """One booking with its customer whatever its state or calendar now (a listing being
    written found it a moment ago; it may have been cancelled or moved since)."""
    row = session.execute(
        select(BookingRow, CustomerRow)
        .join(CustomerRow, CustomerRow.id == BookingRow.customer_id)
        .where(BookingRow.id == booking_id)
    ).first()
    if row is None:
        return None
    return convert.booking_from_row(row[0]), convert.customer_from_row(row[1])


def booking_listing(session: Session, resource_id: str) -> list[Any]:
    """For every booking of the calendar, just the columns its ETag, time range and
    last-modified date are made from (what a listing of the calendar shows): no entities
    are built. Rows have the columns' names as attributes."""
    rows = session.execute(
        select(
            BookingRow.id,
            BookingRow.version,
            BookingRow.updated_at,
            BookingRow.created_at,
            BookingRow.service_id,
            BookingRow.branch_id,
            BookingRow.start_at,
            BookingRow.end_at,
            CustomerRow.version.label("customer_version"),
        )
        .join(CustomerRow, CustomerRow.id == BookingRow.customer_id)
        .where(BookingRow.resource_id == resource_id, BookingRow.status.not_in(GONE))
        .order_by(BookingRow.start_at, BookingRow.id)
    )
    return list(rows)


def booking_ids(session: Session, resource_id: str) -> list[str]:
    rows = session.scalars(
        select(BookingRow.id)
        .where(BookingRow.resource_id == resource_id, BookingRow.status.not_in(GONE))
        .order_by(BookingRow.start_at, BookingRow.id)
    )
    return list(rows)


def booking_on(session: Session, resource_id: str, booking_id: str) -> Booking | None:
    row = session.get(BookingRow, booking_id)
    if row is None or row.resource_id != resource_id or row.status in GONE:
        return None
    return convert.booking_from_row(row)


def blocks(
    session: Session,
    resource_id: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    ids: Sequence[str] | None = None,
    uids: Sequence[str] | None = None,
    branch_ids: Sequence[str] = (),
) -> list[Block]:
    """The resource's blocks, and those of the whole branches in ``branch_ids``."""
    mine = BlockRow.resource_id == resource_id
    if branch_ids:
        mine = or_(
            mine, and_(BlockRow.resource_id.is_(None), BlockRow.branch_id.in_(list(branch_ids)))
        )
    query = select(BlockRow).where(mine)
    if start is not None and end is not None:
        query = query.where(BlockRow.start_at < end, BlockRow.end_at > start)
    if ids is not None:
        query = query.where(BlockRow.id.in_(list(ids)))
    if uids is not None:
        query = query.where(BlockRow.external_uid.in_(list(uids)))
    rows = session.scalars(query.order_by(BlockRow.start_at, BlockRow.id))
    return [convert.block_from_row(r) for r in rows]


def block(session: Session, block_id: str) -> Block | None:
    row = session.get(BlockRow, block_id)
    return convert.block_from_row(row) if row is not None else None


def _with_blocks(query: Select[ClientItemRow], resource_id: str) -> Select[ClientItemRow]:
    alive = exists().where(
        BlockRow.resource_id == resource_id, BlockRow.external_uid == ClientItemRow.uid
    )
    return query.where(alive)


def client_items(
    session: Session,
    resource_id: str,
    *,
    hrefs: Iterable[str] | None = None,
    uids: Iterable[str] | None = None,
) -> list[ClientItemRow]:
    """Events clients put into the calendar that still have blocks behind them."""
    query = select(ClientItemRow).where(ClientItemRow.calendar_id == resource_id)
    if hrefs is not None:
        query = query.where(ClientItemRow.href.in_(list(hrefs)))
    if uids is not None:
        query = query.where(ClientItemRow.uid.in_(list(uids)))
    return list(session.scalars(_with_blocks(query, resource_id).order_by(ClientItemRow.href)))


# Built once, on table columns: every booking runs it (as busy time), and building it or
# loading ORM objects from it costs more than running it.
_EVENTS = cast(Table, PersonalEventRow.__table__).c
_CALENDARS = cast(Table, PersonalCalendarRow.__table__).c
_USERS = cast(Table, UserRow.__table__).c
_OPAQUE_PERSONAL_EVENTS: Select[Any] = (
    select(_USERS.resource_ids, _EVENTS.start_at, _EVENTS.end_at, _EVENTS.recurring, _EVENTS.timing)
    .join_from(PersonalEventRow.__table__, PersonalCalendarRow.__table__)
    .join(UserRow.__table__, _USERS.id == _CALENDARS.owner_id)
    .where(
        _USERS.business_id == bindparam("business_id"),
        _USERS.role == Role.EMPLOYEE.value,
        _USERS.active.is_(True),
        _EVENTS.opaque.is_(True),
        or_(_EVENTS.start_at.is_(None), _EVENTS.start_at < bindparam("end")),
        or_(_EVENTS.end_at.is_(None), _EVENTS.end_at > bindparam("start")),
    )
)


def opaque_personal_events(
    session: Session, business_id: str, start: datetime, end: datetime
) -> list[tuple[list[str], Row[Any]]]:
    """(resource ids of the owner, event: start_at, end_at, recurring, timing) of the opaque
    personal events of the business's active employees that may overlap the range: one
    query, whoever owns them."""
    rows = session.execute(
        _OPAQUE_PERSONAL_EVENTS, {"business_id": business_id, "start": start, "end": end}
    )
    return [(list(row.resource_ids or ()), row) for row in rows]
