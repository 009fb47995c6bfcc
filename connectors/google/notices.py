"""Telling people what went wrong with Google: a connection that broke (grant revoked, 401)
and a move made in Google that the hub refused (and put back).

Both are written as outbox events in the transaction that records them
(``google.connection_broken``, ``google.move_refused``), so the email is retried and never
lost; ``GoogleNotice`` (a scheduler consumer like any other) emails the staff member whose
calendar it is and every active business admin, through a ``Mailer`` port given at wiring
time (connectors never import each other).

Not here: deciding that a connection is broken (``calendar.classify``) or that a move is
refused (``hub.services``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from connectors.google import store
from hub.config import Settings
from hub.domain.accounts import Role
from hub.domain.model import OutboxEvent
from hub.mailheaders import one_line
from hub.persistence.uow import SqlDatabase
from hub.services.ports import UnitOfWork
from scheduler.consumers import DeliveryContext, LogEntry, LogStatus

BROKEN_EVENT = "google.connection_broken"
REFUSED_EVENT = "google.move_refused"

SUBJECT = {
    BROKEN_EVENT: {
        "es": "Se cortó la conexión con Google Calendar de {who}",
        "en": "The Google Calendar connection of {who} stopped working",
    },
    REFUSED_EVENT: {
        "es": "No pudimos mover un turno desde Google Calendar",
        "en": "A booking could not be moved from Google Calendar",
    },
}
BODY = {
    BROKEN_EVENT: {
        "es": (
            "Hola,\n\nLa conexión de {who} con Google Calendar ({google}) dejó de funcionar: "
            "{reason}\nLos turnos ya no se copian a ese calendario y sus eventos ya no "
            "bloquean horarios. Para arreglarlo, conectá Google Calendar de nuevo en "
            "{url}\n\nTurnero\n"
        ),
        "en": (
            "Hello,\n\nThe Google Calendar connection of {who} ({google}) stopped working: "
            "{reason}\nBookings are no longer copied to that calendar and its events no "
            "longer block time. To fix it, connect Google Calendar again at {url}\n\nTurnero\n"
        ),
    },
    REFUSED_EVENT: {
        "es": (
            "Hola,\n\n{who} movió en Google Calendar el turno de {service} del {start} al "
            "{wanted}, pero no se pudo: {message}\nLo volvimos a poner en su horario "
            "({start}). Para cambiarlo, elegí otro horario libre.\n\nTurnero\n"
        ),
        "en": (
            "Hello,\n\n{who} moved the {service} booking of {start} to {wanted} in Google "
            "Calendar, but it could not be moved: {message}\nWe put it back at its time "
            "({start}). To change it, pick another free time.\n\nTurnero\n"
        ),
    },
}


class Mailer(Protocol):
    """Delivers one finished message to the recipients in its headers."""

    def send(self, message: EmailMessage) -> None: ...


def connection_broken(
    conn: store.Connection, reason: str, now: datetime
) -> OutboxEvent:  # the event to add in the transaction that marks it broken
    return OutboxEvent(
        business_id=conn.business_id,
        type=BROKEN_EVENT,
        aggregate_id=conn.id,
        payload={
            "connection_id": conn.id,
            "user_id": conn.user_id,
            "google_email": conn.google_email,
            "reason": reason,
        },
        created_at=now,
    )


def mark_broken(database: SqlDatabase, conn: store.Connection, reason: str, now: datetime) -> bool:
    """Mark ``conn`` broken and, if it was active, tell people (one transaction)."""
    with database.unit_of_work() as uow:
        changed = store.mark_broken(uow.session, conn.id, reason, now)
        if changed:
            uow.outbox.add(connection_broken(conn, reason, now))
        uow.commit()
    return changed


def move_refused(
    uow: UnitOfWork, conn: store.Connection, booking_id: str, data: dict[str, Any], now: datetime
) -> None:
    """Add the ``google.move_refused`` event to ``uow`` (the caller commits)."""
    uow.outbox.add(
        OutboxEvent(
            business_id=conn.business_id,
            type=REFUSED_EVENT,
            aggregate_id=booking_id,
            payload={"booking_id": booking_id, "user_id": conn.user_id, **data},
            created_at=now,
        )
    )


@dataclass(frozen=True, slots=True)
class GoogleNotice:
    database: SqlDatabase
    settings: Settings
    mailer: Mailer | None
    name: str = "google.notice"

    def handles(self, event: OutboxEvent) -> bool:
        return event.type in (BROKEN_EVENT, REFUSED_EVENT)

    def deliver(self, event: OutboxEvent, ctx: DeliveryContext) -> Sequence[LogEntry]:
        kind = event.type.removeprefix("google.")
        with self.database.unit_of_work() as uow:
            business = uow.businesses.get(event.business_id)
            users = uow.users.list(event.business_id)
            booking = (
                uow.bookings.get(event.business_id, event.aggregate_id)
                if event.type == REFUSED_EVENT
                else None
            )
            service = uow.services.get(event.business_id, booking.service_id) if booking else None
        staff = next((u for u in users if u.id == event.payload.get("user_id")), None)
        to = [staff.email] if staff is not None and staff.active else []
        to += [
            u.email
            for u in users
            if u.role is Role.BUSINESS_ADMIN and u.active and u.email not in to
        ]
        if business is None or not to:
            return [LogEntry("email", kind, LogStatus.SKIPPED, "", "nobody to tell")]
        if self.mailer is None:
            return [LogEntry("email", kind, LogStatus.SKIPPED, "", "no mailer configured")]
        language = "es" if business.language.startswith("es") else "en"
        zone = ZoneInfo(business.timezone)

        def when(value: object) -> str:
            if not isinstance(value, str) or not value:
                return ""
            return datetime.fromisoformat(value).astimezone(zone).strftime("%Y-%m-%d %H:%M")

        p = event.payload
        fields = {
            "who": (staff.name or staff.email) if staff is not None else "",
            "google": p.get("google_email", ""),
            "reason": p.get("reason", ""),
            "url": self.settings.base_url.rstrip("/") + "/console/google",
            "service": service.name if service is not None else "",
            "start": when(p.get("booking_start")),
            "wanted": when(p.get("start")),
            "message": p.get("message", ""),
        }
        already = ctx.sent_before("email")
        for address in to:
            if address in already:
                continue
            message = EmailMessage()
            # Flattened by the hub's one header encoder: a value never adds a header.
            message["From"] = one_line(self.settings.smtp_from)
            message["To"] = one_line(address)
            message["Subject"] = one_line(SUBJECT[event.type][language].format(**fields))
            message.set_content(BODY[event.type][language].format(**fields))
            self.mailer.send(message)
            ctx.record(LogEntry("email", kind, LogStatus.SENT, address))
        return []
