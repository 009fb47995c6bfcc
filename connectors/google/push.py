"""Hub → Google: the ``google`` outbox consumer. Every booking event makes the staff member's
Google event match the booking *as it is now* (so deliveries may arrive in any order and a
retry is harmless): insert it (attendees, the booking id in ``extendedProperties.private``,
a Meet ``createRequest`` for video services), patch it, or delete it once the booking no
longer occupies time.

Idempotent: before inserting, the event is looked up by its private extended property, so an
insert whose answer was lost (timeout) is found instead of made twice. A Meet link that
Google reports ``pending`` is asked for again; still pending → the delivery is retried.

Not here: the SDK client and error mapping (``calendar``), the pull side (``pull``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from connectors.google import notices, store
from connectors.google.backoff import Backoff
from connectors.google.calendar import (
    BrokenConnectionError,
    GoogleError,
    RefusedError,
    TransientGoogleError,
    calendar_service,
    execute,
    is_gone,
)
from connectors.google.tokens import TokenCipher
from hub.config import Settings
from hub.domain.booking import Booking
from hub.domain.model import Business, Customer, OutboxEvent, Service
from hub.persistence.uow import SqlDatabase
from hub.services.events import BOOKING_EVENTS
from scheduler.consumers import (
    DeliveryContext,
    LogEntry,
    LogStatus,
    PermanentDeliveryError,
    RetryableDeliveryError,
)

log = logging.getLogger(__name__)

BOOKING_KEY = "turnero_booking_id"
CHANNEL = "google"
MEET_POLLS = 3


class MeetPendingError(TransientGoogleError):
    """The event is in Google but its Meet link is not ready yet: ask again later."""


@dataclass(frozen=True, slots=True)
class BookingView:
    booking: Booking
    business: Business
    service: Service
    customer: Customer | None


def event_body(view: BookingView) -> dict[str, Any]:
    """The Google event of a booking (without the conference request)."""
    b, customer = view.booking, view.customer
    tz = view.business.timezone
    emails = [customer.email] if customer is not None and customer.email else []
    emails += [e for e in b.invitees if e not in emails]
    who = customer.name if customer is not None else ""
    description = "\n".join(
        part
        for part in (
            customer.phone if customer is not None and customer.phone else "",
            b.notes,
        )
        if part
    )
    return {
        "summary": f"{view.service.name} — {who}" if who else view.service.name,
        "location": b.address or "",
        "description": description,
        "start": {"dateTime": b.start.isoformat(), "timeZone": tz},
        "end": {"dateTime": b.end.isoformat(), "timeZone": tz},
        "attendees": [{"email": e} for e in emails],
        "status": "tentative" if b.status.value == "pending" else "confirmed",
        "extendedProperties": {"private": {BOOKING_KEY: b.id}},
    }


def event_id_for(booking_id: str) -> str:
    """The Google event id of a booking, chosen by us (Calendar v3 accepts client ids in
    base32hex, 5-1024 chars) so that a repeated insert is refused with 409, never doubled."""
    return "tn" + booking_id.replace("-", "").lower()


def meet_link(event: dict[str, Any]) -> str | None:
    """The video entry point of an event's conference, or None while it is pending."""
    data = event.get("conferenceData") or {}
    for point in data.get("entryPoints") or []:
        if point.get("entryPointType") == "video" and point.get("uri"):
            return str(point["uri"])
    link = event.get("hangoutLink")
    return str(link) if link else None


class GooglePush:
    """The consumer. ``service_for(refresh_token)`` builds the Calendar client (injected so
    a process builds it one way everywhere)."""

    name = "google"

    def __init__(
        self,
        database: SqlDatabase,
        settings: Settings,
        *,
        service_for: Callable[[str], Any] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        backoff: Backoff | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.cipher = TokenCipher.from_settings(settings)
        self.service_for = service_for or (lambda token: calendar_service(settings, token))
        self.sleep = sleep
        self.backoff = backoff or Backoff()

    def handles(self, event: OutboxEvent) -> bool:
        return event.type in BOOKING_EVENTS

    def deliver(self, event: OutboxEvent, ctx: DeliveryContext) -> Sequence[LogEntry]:
        booking_id = str(event.payload.get("booking_id") or event.aggregate_id)
        view = self._load(event.business_id, booking_id)
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
            with self.service_for(self.cipher.open(conn.refresh_token)) as api:
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

    def _load(self, business_id: str, booking_id: str) -> BookingView | None:
        with self.database.unit_of_work() as uow:
            booking = uow.bookings.get(business_id, booking_id)
            business = uow.businesses.get(business_id)
            if booking is None or business is None:
                return None
            service = uow.services.get(business_id, booking.service_id)
            if service is None:
                return None
            customer = uow.customers.get(business_id, booking.customer_id)
            return BookingView(booking, business, service, customer)

    def _sync(self, api: Any, conn: store.Connection, view: BookingView) -> str:
        booking = view.booking
        calendar = conn.calendar_id
        event_id = booking.google_event_id or self._find(api, calendar, booking.id)
        if not booking.occupies_time:
            if event_id is not None:
                self._delete(api, calendar, event_id, view)
            return "deleted"
        body = event_body(view)
        send = str(view.business.settings.get("google_send_updates", "none"))
        event: dict[str, Any] | None = None
        if event_id is not None:
            try:
                event = execute(
                    api.events().patch(
                        calendarId=calendar, eventId=event_id, body=body, sendUpdates=send
                    )
                )
            except GoogleError as exc:
                if not is_gone(exc):
                    raise
        wants_meet = booking.video_meeting or view.service.video_meeting
        if event is None:
            if wants_meet:
                body["conferenceData"] = {
                    "createRequest": {
                        # Google dedups create requests by id: a retry asks for the same room.
                        "requestId": booking.id,
                        "conferenceSolutionKey": {"type": "hangoutsMeet"},
                    }
                }
            body["id"] = event_id_for(booking.id)
            event = self._insert(api, calendar, body, wants_meet, send)
        link = meet_link(event) if wants_meet else None
        polls = 0
        while wants_meet and link is None and polls < MEET_POLLS:
            polls += 1
            self.sleep(0.2 * polls)
            event = execute(api.events().get(calendarId=calendar, eventId=event["id"]))
            link = meet_link(event)
        with self.database.sessions.begin() as session:
            store.set_google_ids(session, booking.id, event_id=event["id"], meeting_url=link)
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
        send = str(view.business.settings.get("google_send_updates", "none"))
        try:
            execute(api.events().delete(calendarId=calendar, eventId=event_id, sendUpdates=send))
        except GoogleError as exc:
            if not is_gone(exc):
                raise
