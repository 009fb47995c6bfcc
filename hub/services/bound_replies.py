"""Bound commands that record what a client or an invitee answered: a WhatsApp
"CONFIRMAR", an attendee's RSVP from their calendar.

Part of the one door, ``hub.services.bound.Services``. Not here: staff moving a booking
through its states (``bound_status``).
"""

from __future__ import annotations

from collections.abc import Mapping

from hub.domain.booking import Booking, ChangedBy, Invitee, InviteeResponse
from hub.services import invitations, replies
from hub.services.bound_base import Bindings
from hub.services.ports import UnitOfWork


class ReplyCommands(Bindings):
    def record_attendee_responses(
        self,
        business_id: str,
        booking_id: str,
        responses: Mapping[str, InviteeResponse],
        *,
        by: ChangedBy,
        uow: UnitOfWork | None = None,
    ) -> list[Invitee]:
        return invitations.record_attendee_responses(
            self._uow(uow), business_id, booking_id, responses, by=by, now=self.clock()
        )

    def record_client_confirmation(
        self, business_id: str, booking_id: str, *, by: ChangedBy, uow: UnitOfWork | None = None
    ) -> Booking:
        return replies.record_client_confirmation(
            self._uow(uow), business_id, booking_id, by=by, now=self.clock()
        )
