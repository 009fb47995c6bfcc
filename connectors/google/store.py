"""Queries of the Google connector: connections (with their cached access token), pulled busy
intervals, OAuth states, and the external ids (Google event id, Meet link) written onto a
booking.

Every function takes an open SQLAlchemy session and never commits; the caller owns the
transaction. Not here: calling Google (``calendar``), deciding what to do (``push``/``pull``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from connectors.google.models import AuthStateRow, BusyRow, ConnectionRow
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.model import new_id
from hub.persistence.uow import SqlDatabase
from hub.services.external_events import link_external_event
from hub.services.ports import UnitOfWork

GOOGLE = ChangedBy(Actor.SYSTEM, Channel.GOOGLE)
ACTIVE = "active"
BROKEN = "broken"


@dataclass(frozen=True, slots=True)
class Connection:
    id: str
    business_id: str
    user_id: str
    google_email: str
    resource_ids: tuple[str, ...]
    calendar_id: str
    busy_calendar_ids: tuple[str, ...]
    refresh_token: str  # sealed
    status: str
    broken_reason: str
    last_synced_at: datetime | None = None
    access_token: str | None = None  # sealed; good until access_expires_at
    access_expires_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


def _connection(row: ConnectionRow) -> Connection:
    return Connection(
        id=row.id,
        business_id=row.business_id,
        user_id=row.user_id,
        google_email=row.google_email,
        resource_ids=tuple(row.resource_ids),
        calendar_id=row.calendar_id,
        busy_calendar_ids=tuple(row.busy_calendar_ids),
        refresh_token=row.refresh_token,
        status=row.status,
        broken_reason=row.broken_reason,
        last_synced_at=row.last_synced_at,
        access_token=row.access_token,
        access_expires_at=row.access_expires_at,
    )


def save_connection(
    session: Session,
    *,
    business_id: str,
    user_id: str,
    google_email: str,
    resource_ids: Sequence[str],
    sealed_refresh_token: str,
    now: datetime,
    calendar_id: str = "primary",
    busy_calendar_ids: Sequence[str] = ("primary",),
    sealed_access_token: str | None = None,
    access_expires_at: datetime | None = None,
) -> Connection:
    """Create the user's connection, or renew it (new grant, active again, sync restarts).
    The access token that came with the grant is kept too, so the first calls need none."""
    row = session.scalar(
        select(ConnectionRow).where(
            ConnectionRow.business_id == business_id, ConnectionRow.user_id == user_id
        )
    )
    if row is None:
        row = ConnectionRow(id=new_id(), business_id=business_id, user_id=user_id, created_at=now)
        session.add(row)
    row.google_email = google_email
    row.resource_ids = list(resource_ids)
    row.calendar_id = calendar_id
    row.busy_calendar_ids = list(busy_calendar_ids)
    row.refresh_token = sealed_refresh_token
    row.access_token = sealed_access_token
    row.access_expires_at = access_expires_at if sealed_access_token else None
    row.status = ACTIVE
    row.broken_reason = ""
    row.sync_tokens = {}
    row.updated_at = now
    session.flush()
    return _connection(row)


def get_connection(session: Session, connection_id: str) -> Connection | None:
    row = session.get(ConnectionRow, connection_id)
    return None if row is None else _connection(row)


def connections(session: Session, *, active_only: bool = True) -> list[Connection]:
    query = select(ConnectionRow).order_by(ConnectionRow.created_at, ConnectionRow.id)
    if active_only:
        query = query.where(ConnectionRow.status == ACTIVE)
    return [_connection(r) for r in session.scalars(query)]


def connection_for_resource(
    session: Session, business_id: str, resource_id: str
) -> Connection | None:
    """The active connection whose calendar receives this resource's bookings (the oldest,
    when several staff share a resource)."""
    return pick_connection(connections(session), business_id, resource_id)


def pick_connection(
    active: Sequence[Connection], business_id: str, resource_id: str
) -> Connection | None:
    """``connection_for_resource`` among ``active`` (as ``connections`` lists them)."""
    for conn in active:
        if conn.business_id == business_id and resource_id in conn.resource_ids:
            return conn
    return None


def business_connections(
    session: Session, business_id: str, user_id: str | None = None
) -> list[Connection]:
    """Every connection of a business (or of one of its users), broken ones included."""
    query = select(ConnectionRow).where(ConnectionRow.business_id == business_id)
    if user_id is not None:
        query = query.where(ConnectionRow.user_id == user_id)
    return [_connection(r) for r in session.scalars(query.order_by(ConnectionRow.created_at))]


def mark_broken(session: Session, connection_id: str, reason: str, now: datetime) -> bool:
    """Mark the connection broken; True if it was active until now (tell people once)."""
    result = session.execute(
        update(ConnectionRow)
        .where(ConnectionRow.id == connection_id, ConnectionRow.status == ACTIVE)
        .values(
            status=BROKEN,
            broken_reason=reason,
            access_token=None,
            access_expires_at=None,
            updated_at=now,
        )
    )
    return bool(getattr(result, "rowcount", 0))


def choose_calendars(
    session: Session,
    connection_id: str,
    *,
    calendar_id: str,
    busy_calendar_ids: Sequence[str],
    resource_ids: Sequence[str] | None,
    now: datetime,
) -> None:
    """Set where bookings go and which calendars block time. Calendars no longer read lose
    their sync token and their busy intervals; newly chosen ones get a full sync."""
    row = session.get(ConnectionRow, connection_id)
    if row is None:
        return
    kept = {calendar_id, *busy_calendar_ids}
    row.calendar_id = calendar_id
    row.busy_calendar_ids = list(dict.fromkeys(busy_calendar_ids))
    if resource_ids is not None:
        row.resource_ids = list(resource_ids)
    row.sync_tokens = {c: t for c, t in row.sync_tokens.items() if c in kept}
    row.updated_at = now
    session.execute(
        delete(BusyRow).where(
            BusyRow.connection_id == connection_id,
            BusyRow.calendar_id.not_in(list(row.busy_calendar_ids)),
        )
    )
    session.flush()


def cached_access_token(session: Session, connection_id: str) -> tuple[str, datetime] | None:
    """The connection's sealed access token and when it expires, if one is kept."""
    row = session.execute(
        select(ConnectionRow.access_token, ConnectionRow.access_expires_at).where(
            ConnectionRow.id == connection_id
        )
    ).first()
    if row is None or row[0] is None or row[1] is None:
        return None
    return str(row[0]), row[1]


def keep_access_token(
    session: Session, connection_id: str, sealed: str, expires_at: datetime
) -> None:
    """Keep a fresh access token for every process (only on an active connection)."""
    session.execute(
        update(ConnectionRow)
        .where(ConnectionRow.id == connection_id, ConnectionRow.status == ACTIVE)
        .values(access_token=sealed, access_expires_at=expires_at)
    )


def forget_connection(session: Session, connection_id: str) -> None:
    """Drop a connection with its busy intervals (after disconnecting)."""
    session.execute(delete(BusyRow).where(BusyRow.connection_id == connection_id))
    session.execute(delete(ConnectionRow).where(ConnectionRow.id == connection_id))


def sync_token(session: Session, connection_id: str, calendar_id: str) -> str | None:
    row = session.get(ConnectionRow, connection_id)
    return None if row is None else row.sync_tokens.get(calendar_id)


def set_sync_token(
    session: Session, connection_id: str, calendar_id: str, token: str | None, now: datetime
) -> None:
    row = session.get(ConnectionRow, connection_id)
    if row is None:
        return
    tokens = dict(row.sync_tokens)
    if token is None:
        tokens.pop(calendar_id, None)
    else:
        tokens[calendar_id] = token
    row.sync_tokens = tokens
    row.last_synced_at = now
    row.updated_at = now


# -- busy intervals ----------------------------------------------------------------------


def replace_busy(
    session: Session,
    connection_id: str,
    calendar_id: str,
    intervals: Iterable[tuple[str, datetime, datetime]],
    *,
    forget: Iterable[str] = (),
    full: bool = False,
) -> None:
    """Store busy intervals ``(event_id, start, end)``, replacing those of the same events;
    drop ``forget`` event ids (or, on a full sync, every interval of the calendar first)."""
    own = (BusyRow.connection_id == connection_id, BusyRow.calendar_id == calendar_id)
    if full:
        session.execute(delete(BusyRow).where(*own))
    items = list(intervals)
    gone = set(forget) | {event_id for event_id, _, _ in items}
    for chunk in _chunks(sorted(gone), 500):
        session.execute(delete(BusyRow).where(*own, BusyRow.event_id.in_(chunk)))
    for event_id, start, end in items:
        session.add(
            BusyRow(
                connection_id=connection_id,
                calendar_id=calendar_id,
                event_id=event_id,
                start_at=start,
                end_at=end,
            )
        )
    session.flush()


def forget_recurring(session: Session, connection_id: str, calendar_id: str, master: str) -> None:
    """Drop every expanded instance of the recurring event ``master``."""
    session.execute(
        delete(BusyRow).where(
            BusyRow.connection_id == connection_id,
            BusyRow.calendar_id == calendar_id,
            BusyRow.event_id.like(master.replace("%", r"\%").replace("_", r"\_") + r"\_%", "\\"),
        )
    )


def busy_between(
    session: Session, connection_ids: Sequence[str], start: datetime, end: datetime
) -> list[tuple[str, datetime, datetime]]:
    rows = session.execute(
        select(BusyRow.connection_id, BusyRow.start_at, BusyRow.end_at)
        .where(
            BusyRow.connection_id.in_(list(connection_ids)),
            BusyRow.start_at < end,
            BusyRow.end_at > start,
        )
        .order_by(BusyRow.start_at)
    )
    return [(c, s, e) for c, s, e in rows]


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


# -- the booking's external ids ----------------------------------------------------------


def link_google_event(
    database: SqlDatabase,
    business_id: str,
    booking_id: str,
    *,
    event_id: str,
    meeting_url: str | None,
    now: datetime,
    late: bool = False,
) -> None:
    """Keep the Google event id (and the Meet link when there is one) on the booking, through
    the core's use case: a new Meet link is a change of the booking (new version, audited);
    a ``late`` one is sent to everyone on the booking as an update."""
    link_external_event(
        cast(UnitOfWork, database.unit_of_work()),
        business_id,
        booking_id,
        event_id=event_id,
        meeting_url=meeting_url,
        late=late,
        by=GOOGLE,
        now=now,
    )


# -- OAuth states ------------------------------------------------------------------------


def add_state(session: Session, row: AuthStateRow) -> None:
    session.add(row)
    session.flush()


def take_state(session: Session, state: str, not_before: datetime) -> AuthStateRow | None:
    """The pending round trip for ``state`` (consumed: a state works once), if still fresh."""
    row = session.get(AuthStateRow, state)
    if row is None:
        return None
    session.delete(row)
    session.flush()
    return row if row.created_at >= not_before else None


def purge_states(session: Session, before: datetime) -> None:
    """Forget round trips started before ``before`` (never finished: they cannot be any more)."""
    session.execute(delete(AuthStateRow).where(AuthStateRow.created_at < before))
