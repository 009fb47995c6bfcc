"""What an external calendar gave a booking: the id of its event there, and the video meeting
link it made (Google Calendar's event id and Meet link).

``link_external_event(uow, business_id, booking_id, event_id=, meeting_url=, by=, now=)``
stores them through the booking like any other change: a new Meet link bumps the booking's
version (so every calendar copy of it, the CalDAV ETag among them, changes) and is audited.
While the first messages still wait for the link (``connectors.google.meet``) it writes no
outbox event: they will carry it. A link that comes ``late`` — after messages about the
booking went out without it, or with another link — is sent as an update
(``booking.updated``, ``changed: ["meeting_url"]``, SEQUENCE raised) to the client, the
invitees and the organizer, and reaches the webhooks like any other edit.

Not here: talking to Google (``connectors.google``).
"""

from __future__ import annotations

from datetime import datetime

from hub.domain.booking import Booking, ChangedBy
from hub.domain.model import require_aware
from hub.services.calendars import get_booking
from hub.services.events import record_audit, record_booking_event
from hub.services.ports import UnitOfWork


def link_external_event(
    uow: UnitOfWork,
    business_id: str,
    booking_id: str,
    *,
    event_id: str | None,
    meeting_url: str | None = None,
    late: bool = False,
    by: ChangedBy,
    now: datetime,
) -> Booking:
    """Keep ``event_id`` (and ``meeting_url`` when there is one) on the booking, in one
    transaction; a new ``late`` link is announced. Raises ``NotFoundError`` for an unknown
    booking."""
    require_aware(now, "now")
    with uow:
        booking = get_booking(uow, business_id, booking_id)
        if booking.google_event_id == event_id and (
            meeting_url is None or meeting_url == booking.meeting_url
        ):
            return booking
        linked = booking.link_external_event(event_id, meeting_url, now, late=late)
        if linked and late:
            record_booking_event(
                uow,
                booking,
                "booking.updated",
                by=by,
                now=now,
                data={"changed": ["meeting_url"]},
            )
        elif linked:
            record_audit(
                uow,
                business_id=business_id,
                entity="booking",
                entity_id=booking_id,
                action="meeting_link_added",
                by=by,
                now=now,
                data={"meeting_url": meeting_url},
            )
        uow.bookings.update(booking)
        uow.commit()
    return booking
