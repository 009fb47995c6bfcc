"""Use cases of an invitee's own link: see the meeting they were invited to, and answer it
(accept, decline, maybe). An answer is stored on the invitee and audited; it never changes
the booking's status, time or SEQUENCE, and an invitee can never cancel or move it.

The link is ``(booking id, token)``: an unknown pair is ``NotFoundError``, whatever was
wrong, so a link tells nothing about other bookings.
"""

from __future__ import annotations

from datetime import datetime

from hub.domain.booking import Booking, ChangedBy, Invitee, InviteeResponse
from hub.domain.errors import NotFoundError
from hub.domain.model import require_aware
from hub.services.events import record_audit
from hub.services.ports import UnitOfWork


def _invitation(uow: UnitOfWork, booking_id: str, token: str) -> tuple[Booking, Invitee]:
    booking = uow.bookings.find(booking_id)
    invitee = booking.invitee_by_token(token) if booking is not None else None
    if booking is None or invitee is None:
        raise NotFoundError("no such invitation", entity="invitation")
    return booking, invitee


def get_invitation(uow: UnitOfWork, booking_id: str, token: str) -> tuple[Booking, Invitee]:
    """The booking and the invitee behind an invitee's link."""
    with uow:
        return _invitation(uow, booking_id, token)


def answer_invitation(
    uow: UnitOfWork,
    booking_id: str,
    token: str,
    response: InviteeResponse,
    *,
    by: ChangedBy,
    now: datetime,
) -> tuple[Booking, Invitee]:
    """Record the answer of the invitee behind the link. Raises ``NotFoundError`` (no such
    link), ``ValidationError`` (not an answer), ``IllegalTransitionError`` (the booking was
    cancelled, expired or already took place)."""
    require_aware(now, "now")
    with uow:
        booking, invitee = _invitation(uow, booking_id, token)
        previous = invitee.response
        answered = booking.answer_invitation(invitee.id, response, now)
        uow.bookings.update(booking)
        record_audit(
            uow,
            business_id=booking.business_id,
            entity="booking",
            entity_id=booking.id,
            action="invitee_answered",
            by=by,
            now=now,
            data={
                "version": booking.version,
                "invitee_id": invitee.id,
                "email": invitee.email,
                "response": response.value,
                "previous": previous.value,
            },
        )
        uow.commit()
    return booking, answered
