"""Quota-friendly push: the booking events of one claimed outbox batch go to Google grouped
by connection (one staff member's account) — one authorized client, and one Calendar batch
request (multipart/mixed, at most ``MAX_CALLS`` parts) for their inserts, patches and
deletes — instead of a client, a lookup and a request per event.

``push_together`` is the ``google`` consumer's prefetch. What it does not finish is left to
``GooglePush.deliver``, which pushes it alone or has the outbox retry it, so nothing is
dropped: a part answered 403 rate limit / 429 / 5xx (that account then backs off), a
refused part, a broken grant (``deliver`` meets it and marks the connection broken), a Meet
link still pending. An account with a single event is left to ``deliver`` as well (a batch
of one saves nothing). Every insert carries the event id we choose (``event_id_for``), so a
batch sent again after a timeout is answered 409 and patched instead, never doubled.

Not here: one event at a time (``push``), the event body (``event``), the SDK client and
its error mapping (``calendar``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from connectors.google import meet, store
from connectors.google.calendar import (
    BrokenConnectionError,
    GoogleError,
    TransientGoogleError,
    classify,
    execute_batch,
    is_gone,
    new_batch,
)
from connectors.google.event import (
    BookingView,
    event_body,
    event_id_for,
    insert_body,
    load_views,
    meet_link,
)
from connectors.google.tokens import TokenCipher
from hub.config import Settings
from hub.domain.model import OutboxEvent
from hub.persistence.uow import SqlDatabase
from scheduler.backoff import KeyedBackoff
from scheduler.consumers import LogEntry, LogStatus

log = logging.getLogger(__name__)

# "You're limited to 50 calls in a single batch request" (Calendar API guide, "Sending
# batch requests"); the SDK itself would take up to 1000.
MAX_CALLS = 50
CHANNEL = "google"


class Pusher(Protocol):
    """What the batch needs of the ``google`` consumer."""

    database: SqlDatabase
    settings: Settings
    cipher: TokenCipher
    backoff: KeyedBackoff
    service_for: Callable[[store.Connection], Any]


@dataclass(slots=True)
class Call:
    """One booking's part of a batch: what makes its Google event match it now."""

    view: BookingView
    events: list[OutboxEvent]
    method: str  # insert | patch | delete
    event_id: str
    answer: dict[str, Any] | None = None
    error: GoogleError | None = None
    done: bool = False

    @classmethod
    def plan(cls, view: BookingView, events: list[OutboxEvent]) -> Call:
        booking = view.booking
        event_id = booking.google_event_id or event_id_for(booking.id)
        if not booking.occupies_time:
            return cls(view, events, "delete", event_id)
        return cls(view, events, "patch" if booking.google_event_id else "insert", event_id)

    def request(self, api: Any, calendar: str) -> Any:
        send = self.view.send_updates
        if self.method == "delete":
            return api.events().delete(calendarId=calendar, eventId=self.event_id, sendUpdates=send)
        if self.method == "patch":
            return api.events().patch(
                calendarId=calendar,
                eventId=self.event_id,
                body=event_body(self.view),
                sendUpdates=send,
            )
        return api.events().insert(
            calendarId=calendar,
            body=insert_body(self.view),
            conferenceDataVersion=1 if self.view.wants_meet else 0,
            sendUpdates=send,
        )

    def settle(self) -> bool:
        """Read this call's outcome; True if it is worth one more call in a second round
        (our id is taken: patch it; the event is gone: insert it again)."""
        error = self.error
        if error is None:
            self.done = True
        elif self.method == "delete" and is_gone(error):
            self.answer, self.error, self.done = {}, None, True
        elif self.method == "insert" and error.status == 409:
            # An earlier attempt (a batch whose answer was lost) made the event.
            return self._turn("patch")
        elif self.method == "patch" and is_gone(error):
            return self._turn("insert")
        return False

    def _turn(self, method: str) -> bool:
        self.method, self.error = method, None
        self.event_id = event_id_for(self.view.booking.id)
        return True


def push_together(
    pusher: Pusher, events: Sequence[OutboxEvent], now: datetime
) -> dict[str, tuple[LogEntry, ...]]:
    """Push the bookings of ``events`` per connection in batch requests; returns the log
    entries of the events that are done (the ``deliver`` of the others still has to run)."""
    by_booking: dict[tuple[str, str], list[OutboxEvent]] = defaultdict(list)
    for event in events:
        booking_id = str(event.payload.get("booking_id") or event.aggregate_id)
        by_booking[(event.business_id, booking_id)].append(event)
    views = load_views(pusher.database, by_booking)
    with pusher.database.sessions() as session:
        active = store.connections(session)
    calls: dict[str, list[Call]] = defaultdict(list)
    by_id = {c.id: c for c in active}
    for key, view in views.items():
        conn = store.pick_connection(active, view.booking.business_id, view.booking.resource_id)
        if conn is not None:
            calls[conn.id].append(Call.plan(view, by_booking[key]))
    pushed: dict[str, tuple[LogEntry, ...]] = {}
    for connection_id, planned in calls.items():
        conn = by_id[connection_id]
        if len(planned) < 2 or pusher.backoff.until(conn.id, now) is not None:
            continue
        try:
            pushed.update(_push_connection(pusher, conn, planned, now))
        except Exception:
            log.exception("batched push to Google failed for connection %s", conn.id)
    return pushed


def _push_connection(
    pusher: Pusher, conn: store.Connection, planned: list[Call], now: datetime
) -> dict[str, tuple[LogEntry, ...]]:
    pushed: dict[str, tuple[LogEntry, ...]] = {}
    try:
        with pusher.service_for(conn) as api:
            for start in range(0, len(planned), MAX_CALLS):
                chunk = planned[start : start + MAX_CALLS]
                again = _send(pusher.settings, api, conn.calendar_id, chunk)
                if again:
                    _send(pusher.settings, api, conn.calendar_id, again)
                pushed.update(_record(pusher.database, conn, chunk, now))
                errors = [c.error for c in chunk if c.error is not None]
                if any(isinstance(e, BrokenConnectionError) for e in errors):
                    # Its deliveries meet the same answer and mark the connection broken.
                    break
                if any(isinstance(e, TransientGoogleError) for e in errors):
                    pusher.backoff.failed(conn.id, now)
                    break
            else:
                pusher.backoff.succeeded(conn.id)
    except TransientGoogleError as exc:
        pusher.backoff.failed(conn.id, now)
        log.info("Google batch for connection %s failed: %s", conn.id, exc)
    except BrokenConnectionError as exc:
        log.info("Google batch for connection %s: %s", conn.id, exc)
    return pushed


def _send(settings: Settings, api: Any, calendar: str, calls: list[Call]) -> list[Call]:
    """One batch request for ``calls``; returns those worth a second round."""

    def answered(request_id: str, answer: Any, error: Exception | None) -> None:
        call = calls[int(request_id)]
        if error is None:
            call.answer, call.error = dict(answer or {}), None
        else:
            call.error = classify(error)

    batch = new_batch(settings, api, answered)
    requests = [call.request(api, calendar) for call in calls]
    for n, (call, request) in enumerate(zip(calls, requests, strict=True)):
        call.error = None
        batch.add(request, request_id=str(n))
    execute_batch(batch, requests[0])
    return [c for c in calls if c.settle()]


def _record(
    database: SqlDatabase, conn: store.Connection, calls: list[Call], now: datetime
) -> dict[str, tuple[LogEntry, ...]]:
    """Store the event ids and Meet links Google gave; the log entries of what is done (a
    video event whose link is still pending is left to ``deliver``, which asks for it)."""
    pushed: dict[str, tuple[LogEntry, ...]] = {}
    for call in calls:
        if not call.done or call.answer is None:
            continue
        detail = "deleted"
        if call.method != "delete":
            detail = str(call.answer.get("id") or call.event_id)
            link = meet_link(call.answer) if call.view.wants_meet else None
            booking = call.view.booking
            store.link_google_event(
                database,
                booking.business_id,
                booking.id,
                event_id=detail,
                meeting_url=link,
                now=now,
                late=link is not None
                and link != booking.meeting_url
                and meet.went_without_link(database, booking.business_id, booking.id, now),
            )
            if call.view.wants_meet and (link is None or link != booking.meeting_url):
                # Still pending, or new: ``deliver`` asks for it, or shows the new link in
                # the event's text as every other copy of the booking does.
                continue
        for event in call.events:
            kind = event.type.removeprefix("booking.")
            pushed[event.id] = (LogEntry(CHANNEL, kind, LogStatus.SENT, conn.google_email, detail),)
    return pushed


class PushedEvents:
    """Which events a batch pushed, so their ``deliver`` only confirms it (a short memory:
    an entry older than ``KEEP_SECONDS`` is pushed again, which is harmless)."""

    KEEP_SECONDS = 60.0
    LIMIT = 4096

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done: OrderedDict[str, tuple[float, tuple[LogEntry, ...]]] = OrderedDict()

    def keep(self, pushed: dict[str, tuple[LogEntry, ...]]) -> None:
        at = time.monotonic()
        with self._lock:
            self._done.update((k, (at, v)) for k, v in pushed.items())
            while len(self._done) > self.LIMIT:
                self._done.popitem(last=False)

    def take(self, event_id: str) -> tuple[LogEntry, ...] | None:
        with self._lock:
            found = self._done.pop(event_id, None)
        if found is None or time.monotonic() - found[0] > self.KEEP_SECONDS:
            return None
        return found[1]
