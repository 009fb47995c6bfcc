"""Use cases of an invitee's answer: see the meeting they were invited to from their own link
and answer it (accept, decline, maybe), or the same answer read back from a calendar (a
Google attendee's ``responseStatus``, a CalDAV client's PARTSTAT). An answer is stored on the
invitee, audited and announced (``booking.attendee_responded``, for webhooks); it never
changes the booking's status, time or SEQUENCE, and an invitee can never cancel or move it.

The link is ``(booking id, token)``: an unknown pair is ``NotFoundError``, whatever was
wrong, so a link tells nothing about other bookings.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from hub.domain.booking import ANSWERABLE, Booking, ChangedBy, Invitee, InviteeResponse
from hub.domain.errors import NotFoundError
from hub.domain.model import require_aware
from hub.services.events import ATTENDEE_RESPONDED, record_booking_event
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
        answered = _answer(uow, booking, invitee, response, by=by, now=now)
        uow.commit()
    return booking, answered


def _answer(
    uow: UnitOfWork,
    booking: Booking,
    invitee: Invitee,
    response: InviteeResponse,
    *,
    by: ChangedBy,
    now: datetime,
) -> Invitee:
    previous = invitee.response
    answered = booking.answer_invitation(invitee.id, response, now)
    uow.bookings.update(booking)
    record_booking_event(
        uow,
        booking,
        ATTENDEE_RESPONDED,
        by=by,
        now=now,
        data={
            "invitee_id": invitee.id,
            "email": invitee.email,
            "name": invitee.name,
            "response": response.value,
            "previous": previous.value,
        },
    )
    return answered


def record_attendee_responses(
    uow: UnitOfWork,
    business_id: str,
    booking_id: str,
    responses: Mapping[str, InviteeResponse],
    *,
    by: ChangedBy,
    now: datetime,
) -> list[Invitee]:
    """The answers a calendar shows for the booking's invitees (address → answer), as read
    back from Google or a CalDAV client: each one that differs from what the invitee last
    said is recorded. Addresses that are not invitees (the client, the organizer, anyone
    a calendar user added) and "needs action" are ignored; a booking no longer ahead takes
    none. Returns the invitees whose answer changed."""
    require_aware(now, "now")
    wanted = {email.strip().lower(): r for email, r in responses.items()}
    with uow:
        booking = uow.bookings.get(business_id, booking_id)
        if booking is None or booking.status not in ANSWERABLE:
            return []
        changed: list[Invitee] = []
        for invitee in booking.invitees:
            response = wanted.get(invitee.email.lower())
            if response is None or response in (
                InviteeResponse.NEEDS_ACTION,
                invitee.response,
            ):
                continue
            changed.append(_answer(uow, booking, invitee, response, by=by, now=now))
        if changed:
            uow.commit()
    return changed
