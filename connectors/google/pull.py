"""Google → hub: incremental sync of a connection's calendars (``syncToken``, paged; a full
sync at first and after 410 Gone), turning the staff member's own events into busy intervals
and edits of hub events into use-case calls.

- Busy: recurring events arrive expanded (``singleEvents=True``); transparent events, events
  the staff member declined and cancelled events do not block; all-day events block their
  whole days, midnight to midnight in the calendar's time zone (the business's when Google
  does not say).
- A hub event (it carries the booking id in ``extendedProperties.private``) moved in Google
  → ``reschedule_booking`` as the staff member (staff rules: any time that does not overlap);
  refused (overlap, past) → the Google event is put back to the booking's time and the
  refusal audited. Deleted in Google → ``cancel_booking``.
- ``invalid_grant`` / 401 → the connection is marked broken; other connections go on.

Not here: pushing bookings (``push``), webhooks for notifications (``web``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connectors.google import notices, store
from connectors.google.access import AccessTokens
from connectors.google.calendar import (
    PACE,
    BrokenConnectionError,
    GoogleError,
    SyncTokenExpiredError,
    TransientGoogleError,
    calendar_service,
    execute,
)
from connectors.google.event import BOOKING_KEY
from connectors.google.tokens import TokenCipher
from hub.config import Settings
from hub.domain.booking import Actor, ChangedBy, Channel, InviteeResponse
from hub.domain.errors import DomainError
from hub.persistence.uow import SqlDatabase
from hub.services.bound import Services
from hub.services.events import record_audit
from hub.services.ports import UnitOfWork
from scheduler.backoff import KeyedBackoff

log = logging.getLogger(__name__)

PAGE_SIZE = 250
DELETED_REASONS = {"es": "Eliminado en Google Calendar", "en": "Deleted in Google Calendar"}
# An answer given in Google Calendar (the invitee's own, through the organizer's copy).
INVITEE_IN_GOOGLE = ChangedBy(Actor.INVITEE, Channel.GOOGLE)
# Event attendees[].responseStatus:
# https://developers.google.com/calendar/api/v3/reference/events#resource
RESPONSES = {
    "accepted": InviteeResponse.ACCEPTED,
    "declined": InviteeResponse.DECLINED,
    "tentative": InviteeResponse.TENTATIVE,
}


def attendee_responses(event: dict[str, Any]) -> dict[str, InviteeResponse]:
    """email → answer, for the attendees of a hub event that answered in Google."""
    found: dict[str, InviteeResponse] = {}
    for attendee in event.get("attendees") or ():
        if not isinstance(attendee, dict):
            continue
        email, status = attendee.get("email"), attendee.get("responseStatus")
        if isinstance(email, str) and status in RESPONSES:
            found[email] = RESPONSES[str(status)]
    return found


Clock = Callable[[], datetime]


@dataclass(slots=True)
class SyncReport:
    connection_id: str
    busy: int = 0
    rescheduled: int = 0
    cancelled: int = 0
    reverted: int = 0
    full_syncs: int = 0
    broken: bool = False
    errors: list[str] = field(default_factory=list)


def _instant(value: dict[str, Any], zone: ZoneInfo | None = None) -> datetime:
    """An event's start or end as a UTC instant; an all-day date starts at midnight in
    ``zone`` (the calendar's time zone, else the business's)."""
    if "dateTime" in value:
        return datetime.fromisoformat(value["dateTime"]).astimezone(UTC)
    day = date.fromisoformat(value["date"])
    return datetime.combine(day, time(0), zone or UTC).astimezone(UTC)


def _zone(name: object) -> ZoneInfo | None:
    try:
        return ZoneInfo(str(name)) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def blocks_time(event: dict[str, Any]) -> bool:
    """Whether one of the staff member's own events keeps them busy."""
    if event.get("status") == "cancelled" or event.get("transparency") == "transparent":
        return False
    for attendee in event.get("attendees") or []:
        if attendee.get("self") and attendee.get("responseStatus") == "declined":
            return False
    return "start" in event and "end" in event


class GooglePull:
    def __init__(
        self,
        database: SqlDatabase,
        settings: Settings,
        *,
        clock: Clock,
        core: Services | None = None,
        service_for: Callable[[store.Connection], Any] | None = None,
        backoff: KeyedBackoff | None = None,
    ) -> None:
        self.database = database
        self.cipher = TokenCipher.from_settings(settings)
        self.clock = clock
        # Moves made in Google are checked by the bound use cases (``hub.core``): the same
        # clock and busy time as every other entry point.
        self.core = core or Services(lambda: cast(UnitOfWork, database.unit_of_work()), clock, ())
        self.backoff = backoff or KeyedBackoff(PACE)
        tokens = AccessTokens(database, settings, self.cipher)
        self.service_for = service_for or (
            lambda conn: calendar_service(settings, tokens.credentials(conn))
        )

    def sync_all(self) -> list[SyncReport]:
        """Sync every active connection; one failing never stops the others."""
        with self.database.sessions() as session:
            ids = [c.id for c in store.connections(session)]
        return [self.sync(connection_id) for connection_id in ids]

    def sync(self, connection_id: str) -> SyncReport:
        report = SyncReport(connection_id)
        with self.database.sessions() as session:
            conn = store.get_connection(session, connection_id)
        if conn is None or not conn.active:
            return report
        waiting = self.backoff.until(conn.id, self.clock())
        if waiting is not None:
            report.errors.append(f"backing off until {waiting.isoformat()}")
            return report
        zone = self._zone(conn.business_id)
        try:
            with self.service_for(conn) as api:
                for calendar in dict.fromkeys((conn.calendar_id, *conn.busy_calendar_ids)):
                    self._sync_calendar(api, conn, calendar, report, zone)
            self.backoff.succeeded(conn.id)
        except TransientGoogleError as exc:
            until = self.backoff.failed(conn.id, self.clock())
            report.errors.append(str(exc))
            log.warning("Google sync of %s failed, again after %s: %s", conn.id, until, exc)
        except BrokenConnectionError as exc:
            notices.mark_broken(self.database, conn, str(exc), self.clock())
            report.broken = True
            report.errors.append(str(exc))
            log.warning("Google connection %s is broken: %s", conn.id, exc)
        except GoogleError as exc:
            report.errors.append(str(exc))
            log.warning("Google sync of %s failed: %s", conn.id, exc)
        return report

    def _zone(self, business_id: str) -> ZoneInfo | None:
        with self.database.unit_of_work() as uow:
            business = uow.businesses.get(business_id)
        return _zone(business.timezone) if business is not None else None

    def _pages(self, api: Any, calendar: str, token: str | None) -> Iterator[dict[str, Any]]:
        page: str | None = None
        while True:
            args: dict[str, Any] = {
                "calendarId": calendar,
                "singleEvents": True,
                # A full sync too must see hub events deleted in Google, to cancel them.
                "showDeleted": True,
                "maxResults": PAGE_SIZE,
            }
            if page is not None:
                args["pageToken"] = page
            if token is not None:
                args["syncToken"] = token
            answer = cast(dict[str, Any], execute(api.events().list(**args)))
            yield answer
            page = answer.get("nextPageToken")
            if page is None:
                return

    def _sync_calendar(
        self,
        api: Any,
        conn: store.Connection,
        calendar: str,
        report: SyncReport,
        zone: ZoneInfo | None,
    ) -> None:
        with self.database.sessions() as session:
            token = store.sync_token(session, conn.id, calendar)
        items: list[dict[str, Any]] = []
        next_token: str | None = None
        try:
            for answer in self._pages(api, calendar, token):
                items += answer.get("items") or []
                next_token = answer.get("nextSyncToken") or next_token
                zone = _zone(answer.get("timeZone")) or zone
        except SyncTokenExpiredError:
            # Calendar API guide, "Synchronize resources efficiently": 410 → wipe and resync.
            report.full_syncs += 1
            token, items = None, []
            for answer in self._pages(api, calendar, None):
                items += answer.get("items") or []
                next_token = answer.get("nextSyncToken") or next_token
                zone = _zone(answer.get("timeZone")) or zone
        busy: list[tuple[str, datetime, datetime]] = []
        forget: list[str] = []
        masters_gone: list[str] = []
        for event in items:
            private = (event.get("extendedProperties") or {}).get("private") or {}
            booking_id = private.get(BOOKING_KEY)
            if booking_id:
                self._hub_event(api, conn, calendar, str(booking_id), event, report)
                continue
            event_id = str(event["id"])
            if blocks_time(event):
                busy.append(
                    (event_id, _instant(event["start"], zone), _instant(event["end"], zone))
                )
            else:
                forget.append(event_id)
                if event.get("status") == "cancelled" and "recurringEventId" not in event:
                    masters_gone.append(event_id)
        with self.database.sessions.begin() as session:
            if calendar in conn.busy_calendar_ids:
                store.replace_busy(
                    session, conn.id, calendar, busy, forget=forget, full=token is None
                )
                for master in masters_gone:
                    store.forget_recurring(session, conn.id, calendar, master)
                report.busy += len(busy)
            store.set_sync_token(session, conn.id, calendar, next_token, self.clock())

    def _hub_event(  # noqa: PLR0917
        self,
        api: Any,
        conn: store.Connection,
        calendar: str,
        booking_id: str,
        event: dict[str, Any],
        report: SyncReport,
    ) -> None:
        uow = cast(UnitOfWork, self.database.unit_of_work())
        with uow:
            booking = uow.bookings.get(conn.business_id, booking_id)
            business = uow.businesses.get(conn.business_id)
        if booking is None or business is None or not booking.occupies_time:
            return
        staff = ChangedBy(Actor.OPERATOR, Channel.GOOGLE, conn.user_id)
        now = self.clock()
        if event.get("status") == "cancelled":
            # The business reads the reason on the booking: in its language.
            language = business.language.split("-")[0].lower()
            reason = DELETED_REASONS.get(language, DELETED_REASONS["en"])
            self.core.cancel_booking(conn.business_id, booking_id, by=staff, reason=reason, uow=uow)
            report.cancelled += 1
            return
        answers = attendee_responses(event)
        if answers:
            self.core.record_attendee_responses(
                conn.business_id, booking_id, answers, by=INVITEE_IN_GOOGLE, uow=uow
            )
        start = _instant(event["start"])
        if start == booking.start and _instant(event["end"]) == booking.end:
            return
        try:
            self.core.reschedule_booking(
                conn.business_id, booking_id, start, by=staff, force=True, uow=uow
            )
            report.rescheduled += 1
        except DomainError as exc:
            # The hub is the source of truth: put the Google copy back, and say why.
            execute(
                api.events().patch(
                    calendarId=calendar,
                    eventId=event["id"],
                    body={
                        "start": {"dateTime": booking.start.isoformat()},
                        "end": {"dateTime": booking.end.isoformat()},
                    },
                    sendUpdates="none",
                )
            )
            data = {"code": exc.code, "message": exc.message, "start": start.isoformat()}
            with uow:
                record_audit(
                    uow,
                    business_id=conn.business_id,
                    entity="booking",
                    entity_id=booking_id,
                    action="google_move_refused",
                    by=staff,
                    now=now,
                    data=data,
                )
                notices.move_refused(
                    uow, conn, booking_id, {**data, "booking_start": booking.start.isoformat()}, now
                )
                uow.commit()
            report.reverted += 1
