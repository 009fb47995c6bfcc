"""Hub → Google: the ``google`` outbox consumer. Every booking event makes the staff member's
Google event match the booking *as it is now* (so deliveries may arrive in any order and a
retry is harmless): insert it (attendees, the booking id in ``extendedProperties.private``,
a Meet ``createRequest`` for video services), patch it, or delete it once the booking no
longer occupies time.

Idempotent: before inserting, the event is looked up by its private extended property, so an
insert whose answer was lost (timeout) is found instead of made twice; the insert carries the
event id we choose, so one sent twice is refused (409) and patched. A Meet link that Google
reports ``pending`` is asked for again; still pending → the delivery is retried.

The scheduler hands a claimed batch to ``prefetch`` first, which pushes it per account in
batch requests (``batch``); ``deliver`` then only confirms those events and pushes the rest
alone, one event at a time.

Not here: the event body (``event``), the SDK client and error mapping (``calendar``), the
pull side (``pull``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, cast

from connectors.google import meet, notices, store
from connectors.google.access import AccessTokens
from connectors.google.batch import PushedEvents, push_together
from connectors.google.calendar import (
    PACE,
    BrokenConnectionError,
    GoogleError,
    RefusedError,
    TransientGoogleError,
    calendar_service,
    execute,
    is_gone,
)
from connectors.google.event import (
    BOOKING_KEY,
    BookingView,
    event_body,
    insert_body,
    load_views,
    meet_link,
)
from connectors.google.tokens import TokenCipher
from hub.config import Settings
from hub.domain.model import OutboxEvent
from hub.persistence.uow import SqlDatabase
from hub.services.events import BOOKING_EVENTS
from scheduler.backoff import KeyedBackoff
from scheduler.consumers import (
    DeliveryContext,
    LogEntry,
    LogStatus,
    PermanentDeliveryError,
    RetryableDeliveryError,
)

log = logging.getLogger(__name__)

CHANNEL = "google"
MEET_POLLS = 3


class MeetPendingError(TransientGoogleError):
    """The event is in Google but its Meet link is not ready yet: ask again later."""


class GooglePush:
    """The consumer. ``service_for(connection)`` builds the Calendar client acting as the
    connection's account (injected so a process builds it one way everywhere)."""

    name = "google"

    def __init__(
        self,
        database: SqlDatabase,
        settings: Settings,
        *,
        service_for: Callable[[store.Connection], Any] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        backoff: KeyedBackoff | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.database = database
        self.clock = clock  # the hub's: when a Meet link arrives is a change of the booking
        self.settings = settings
        self.cipher = TokenCipher.from_settings(settings)
        tokens = AccessTokens(database, settings, self.cipher)
        self.service_for = service_for or (
            lambda conn: calendar_service(settings, tokens.credentials(conn))
        )
        self.sleep = sleep
        self.backoff = backoff or KeyedBackoff(PACE)
        self.pushed = PushedEvents()

    def handles(self, event: OutboxEvent) -> bool:
        return event.type in BOOKING_EVENTS

    def prefetch(self, events: Sequence[OutboxEvent], now: datetime) -> None:
        """Push a claimed batch's bookings per account in batch requests (``batch``); their
        ``deliver`` then only confirms what went, and pushes the rest alone."""
        self.pushed.keep(push_together(self, [e for e in events if self.handles(e)], now))

    def deliver(self, event: OutboxEvent, ctx: DeliveryContext) -> Sequence[LogEntry]:
        pushed = self.pushed.take(event.id)
        if pushed is not None:
            return pushed
        booking_id = str(event.payload.get("booking_id") or event.aggregate_id)
        view = load_views(self.database, [(event.business_id, booking_id)]).get(
            (event.business_id, booking_id)
        )
        if view is None:
            return []
        with self.database.sessions() as session:
            conn = store.connection_for_resource(
                session, view.booking.business_id, view.booking.resource_id
            )
        if conn is None:
            return []
        kind = event.type.removeprefix("booking.")
        waiting = self.backoff.until(conn.id, ctx.now)
        if waiting is not None:
            raise RetryableDeliveryError(f"Google asked us to wait until {waiting.isoformat()}")
        try:
            with self.service_for(conn) as api:
                detail = self._sync(api, conn, view)
            self.backoff.succeeded(conn.id)
        except MeetPendingError as exc:
            entry = LogEntry(CHANNEL, kind, LogStatus.FAILED, conn.google_email, str(exc))
            raise RetryableDeliveryError(str(exc), [entry]) from exc
        except BrokenConnectionError as exc:
            notices.mark_broken(self.database, conn, str(exc), ctx.now)
            entry = LogEntry(CHANNEL, kind, LogStatus.FAILED, conn.google_email, str(exc))
            raise PermanentDeliveryError(str(exc), [entry]) from exc
        except TransientGoogleError as exc:
            self.backoff.failed(conn.id, ctx.now)
            entry = LogEntry(CHANNEL, kind, LogStatus.FAILED, conn.google_email, str(exc))
            raise RetryableDeliveryError(str(exc), [entry]) from exc
        except RefusedError as exc:
            entry = LogEntry(CHANNEL, kind, LogStatus.FAILED, conn.google_email, str(exc))
            raise PermanentDeliveryError(str(exc), [entry]) from exc
        return [LogEntry(CHANNEL, kind, LogStatus.SENT, conn.google_email, detail)]

    def _sync(self, api: Any, conn: store.Connection, view: BookingView) -> str:
        booking = view.booking
        calendar = conn.calendar_id
        event_id = booking.google_event_id or self._find(api, calendar, booking.id)
        if not booking.occupies_time:
            if event_id is not None:
                self._delete(api, calendar, event_id, view)
            return "deleted"
        send = view.send_updates
        event: dict[str, Any] | None = None
        if event_id is not None:
            try:
                event = execute(
                    api.events().patch(
                        calendarId=calendar,
                        eventId=event_id,
                        body=event_body(view),
                        sendUpdates=send,
                    )
                )
            except GoogleError as exc:
                if not is_gone(exc):
                    raise
        wants_meet = view.wants_meet
        if event is None:
            event = self._insert(api, calendar, insert_body(view), wants_meet, send)
        link = meet_link(event) if wants_meet else None
        polls = 0
        while wants_meet and link is None and polls < MEET_POLLS:
            polls += 1
            self.sleep(0.2 * polls)
            event = execute(api.events().get(calendarId=calendar, eventId=event["id"]))
            link = meet_link(event)
        if link is not None and link != booking.meeting_url:
            # The event Google made showed no link yet (it comes with the event): show it as
            # every other copy of the booking does, without telling the guests again.
            linked = replace(view, booking=replace(booking, meeting_url=link))
            execute(
                api.events().patch(
                    calendarId=calendar,
                    eventId=event["id"],
                    body=event_body(linked),
                    sendUpdates="none",
                )
            )
        now = self.clock()
        store.link_google_event(
            self.database,
            booking.business_id,
            booking.id,
            event_id=str(event["id"]),
            meeting_url=link,
            now=now,
            late=link is not None
            and link != booking.meeting_url
            and meet.went_without_link(self.database, booking.business_id, booking.id, now),
        )
        if wants_meet and link is None:
            raise MeetPendingError("the Meet link is still pending")
        return str(event["id"])

    def _insert(
        self, api: Any, calendar: str, body: dict[str, Any], wants_meet: bool, send: str
    ) -> dict[str, Any]:
        try:
            return cast(
                dict[str, Any],
                execute(
                    api.events().insert(
                        calendarId=calendar,
                        body=body,
                        conferenceDataVersion=1 if wants_meet else 0,
                        sendUpdates=send,
                    )
                ),
            )
        except RefusedError as exc:
            if exc.status != 409:
                raise
        # 409: our id is taken, so an earlier attempt (or the HTTP client's own resend of a
        # POST whose answer was lost) made the event. Bring it up to date instead.
        body.pop("conferenceData", None)
        event_id = body.pop("id")
        return cast(
            dict[str, Any],
            execute(
                api.events().patch(
                    calendarId=calendar, eventId=event_id, body=body, sendUpdates=send
                )
            ),
        )

    def _find(self, api: Any, calendar: str, booking_id: str) -> str | None:
        answer = execute(
            api.events().list(
                calendarId=calendar,
                privateExtendedProperty=f"{BOOKING_KEY}={booking_id}",
                showDeleted=False,
                maxResults=5,
            )
        )
        items = answer.get("items") or []
        return str(items[0]["id"]) if items else None

    def _delete(self, api: Any, calendar: str, event_id: str, view: BookingView) -> None:
        send = view.send_updates
        try:
            execute(api.events().delete(calendarId=calendar, eventId=event_id, sendUpdates=send))
        except GoogleError as exc:
            if not is_gone(exc):
                raise
