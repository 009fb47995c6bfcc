"""PUT on a booking's event: STATUS:CANCELLED cancels; a new DTSTART/DTEND reschedules
(operator rules: ``force``, same duration); SUMMARY/DESCRIPTION changes become the booking's
notes; invitees' PARTSTATs are recorded as their answers."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from caldav_server import read_model
from caldav_server.client_objects import ClientEvent, partstats
from caldav_server.refusals import RefusedError, refuse
from caldav_server.writes.base import WriterBase, refusal
from hub.domain.booking import Booking
from hub.domain.errors import DomainError
from hub.ical.vevent import booking_vevent
from hub.services.booking_moves import edit_booking
from hub.services.ports import UnitOfWork

_NOTES_LABELS = ("Notes: ", "Notas: ")


class WriterPutBooking(WriterBase):
    def _put_booking(
        self, found: read_model.Catalog, booking: Booking, customer: object, event: ClientEvent
    ) -> None:
        if event.uid != booking.uid:
            raise RefusedError(
                409, "urn:ietf:params:xml:ns:caldav", "no-uid-conflict", "UID changed"
            )
        now = self.clock()
        business_id = found.business.id
        if event.status == "CANCELLED":
            self._run(
                lambda uow: self.core.cancel_booking(
                    business_id, booking.id, by=self.by, reason="cancelled in calendar", uow=uow
                )
            )
            return
        version = booking.version
        if (event.start, event.end) != (booking.start, booking.end):
            if event.end - event.start != booking.duration:
                raise refuse(
                    "booking-duration",
                    "a booking keeps its service's duration; move it without resizing it",
                )
            moved = self._reschedule(business_id, booking, event.start, now)
            version = moved.version
        notes = self._notes(found, booking, customer, event)
        if notes is not None and notes != booking.notes:
            self._run(
                lambda uow: edit_booking(
                    uow,
                    business_id,
                    booking.id,
                    by=self.by,
                    now=now,
                    notes=notes,
                    expected_version=version,
                )
            )
        # After the notes: that edit names the version the client saw.
        answers = partstats(event.master)
        if answers:
            # An invitee's answer the calendar app shows (RFC 5545 §3.2.12 PARTSTAT).
            self._run(
                lambda uow: self.core.record_attendee_responses(
                    business_id, booking.id, answers, by=self.by, uow=uow
                )
            )

    def _reschedule(
        self, business_id: str, booking: Booking, start: datetime, now: datetime
    ) -> Booking:
        try:
            return self.core.reschedule_booking(
                business_id,
                booking.id,
                start,
                by=self.by,
                force=True,
                expected_version=booking.version,
                uow=cast(UnitOfWork, self._uow()),
            )
        except DomainError as exc:
            raise refusal(exc) from exc

    def _notes(
        self, found: read_model.Catalog, booking: Booking, customer: object, event: ClientEvent
    ) -> str | None:
        """The notes the client's SUMMARY/DESCRIPTION stand for, or None if unchanged."""
        from hub.domain.model import Customer

        assert isinstance(customer, Customer)
        service = found.services.get(booking.service_id)
        if service is None:
            return None
        ours = booking_vevent(
            booking,
            found.business,
            service,
            found.resource,
            customer,
            now=booking.updated_at or booking.created_at,
            branch=found.branches.get(booking.branch_id or ""),
        )
        our_summary = str(ours.get("SUMMARY") or "")
        our_description = str(ours.get("DESCRIPTION") or "")
        if event.summary == our_summary and event.description == our_description:
            return None
        generated = {
            line
            for line in our_description.splitlines()
            if not line.startswith(_NOTES_LABELS) and line not in booking.notes.splitlines()
        }
        kept: list[str] = []
        for line in event.description.splitlines():
            if line in generated:
                continue
            label = next((lb for lb in _NOTES_LABELS if line.startswith(lb)), "")
            kept.append(line[len(label) :])
        notes = "\n".join(kept).strip()
        if event.summary and event.summary != our_summary and event.summary not in notes:
            notes = f"{event.summary}\n{notes}".strip()
        return notes
