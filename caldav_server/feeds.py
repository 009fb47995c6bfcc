"""Read-only ICS subscription feeds, one per resource, at an unguessable URL
(``/dav/feeds/<token>.ics``) for Outlook's or Google's "add calendar by URL".

The feed holds the resource's bookings and blocks from ``PAST`` ago to ``AHEAD`` from now.
``feed_token`` makes (or returns) the resource's token; ``rotate_feed_token`` replaces it,
so an old URL stops working.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import delete, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from caldav_server import store
from caldav_server.render import block_text, booking_text
from caldav_server.schema import FeedTokenRow
from hub.domain.errors import NotFoundError
from hub.domain.model import new_token
from hub.ical import calendar_for
from hub.persistence.uow import SqlDatabase

PAST = timedelta(days=31)
AHEAD = timedelta(days=366)


def feed_token(database: SqlDatabase, business_id: str, resource_id: str, now: datetime) -> str:
    """The resource's feed token, made on first use."""
    with database.sessions() as session:
        found = store.resource(session, resource_id)
        if found is None or found[1].id != business_id:
            raise NotFoundError("no such resource", entity="resource", id=resource_id)
        row = session.scalar(select(FeedTokenRow).where(FeedTokenRow.resource_id == resource_id))
        if row is None:
            row = FeedTokenRow(
                token=new_token(), business_id=business_id, resource_id=resource_id, created_at=now
            )
            session.add(row)
            session.commit()
        return row.token


def rotate_feed_token(
    database: SqlDatabase, business_id: str, resource_id: str, now: datetime
) -> str:
    with database.sessions() as session:
        session.execute(
            delete(FeedTokenRow).where(
                FeedTokenRow.resource_id == resource_id, FeedTokenRow.business_id == business_id
            )
        )
        session.commit()
    return feed_token(database, business_id, resource_id, now)


def feed_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/dav/feeds/{token}.ics"


def feed_ics(database: SqlDatabase, token: str, now: datetime) -> bytes | None:
    """The feed behind ``token``, or None if there is none."""
    with database.sessions() as session:
        row = session.get(FeedTokenRow, token)
        if row is None:
            return None
        catalog = store.catalog(session, row.resource_id)
        if catalog is None:
            return None
        start, end = now - PAST, now + AHEAD
        bookings = store.bookings(session, row.resource_id, start=start, end=end)
        blocks = store.blocks(
            session,
            row.resource_id,
            start=start,
            end=end,
            branch_ids=catalog.resource.branch_ids,
        )
    events: list[Event] = []
    for booking, customer in bookings:
        if booking.service_id in catalog.services:
            events.extend(_events(booking_text(booking, customer, catalog)))
    for block in blocks:
        events.extend(_events(block_text(block, catalog)))
    name = f"{catalog.business.name} — {catalog.resource.name}"
    return calendar_for(events, catalog.business.timezone, name=name)


def _events(text: str) -> list[Event]:
    cal = Calendar.from_ical(text)
    return [c for c in cal.walk("VEVENT") if isinstance(c, Event)]


def feed_endpoint(database: SqlDatabase, clock: object) -> object:
    async def endpoint(request: Request) -> Response:
        token = str(request.path_params.get("token", ""))
        body = await run_in_threadpool(feed_ics, database, token, clock())  # type: ignore[operator]
        if body is None:
            return PlainTextResponse("no such feed", status_code=404)
        return Response(
            body,
            media_type="text/calendar; charset=utf-8",
            headers={"Cache-Control": "private, max-age=300"},
        )

    return endpoint
