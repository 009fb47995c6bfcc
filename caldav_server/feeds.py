"""Read-only ICS subscription feeds, one per resource, at an unguessable URL
(``/dav/feeds/<token>.ics``) for Outlook's or Google's "add calendar by URL".

The feed holds the resource's bookings and blocks from ``PAST`` ago to ``AHEAD`` from now.
Links are issued and revoked through ``hub.services.feeds`` (the console's resource screen
and calendar-app page); a revoked token answers 404 at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from caldav_server import read_model
from caldav_server.render import block_text, booking_text
from hub.ical.vcalendar import calendar_for
from hub.persistence.uow import SqlDatabase
from hub.services.feeds import feed_path

PAST = timedelta(days=31)
AHEAD = timedelta(days=366)


def feed_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + feed_path(token)


def feed_ics(database: SqlDatabase, token: str, now: datetime) -> bytes | None:
    """The feed behind ``token``, or None if there is none."""
    with database.sessions() as session:
        resource_id = read_model.feed_resource(session, token)
        if resource_id is None:
            return None
        catalog = read_model.catalog(session, resource_id)
        if catalog is None:
            return None
        start, end = now - PAST, now + AHEAD
        bookings = read_model.bookings(session, resource_id, start=start, end=end)
        blocks = read_model.blocks(
            session,
            resource_id,
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
