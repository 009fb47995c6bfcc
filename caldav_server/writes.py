"""Client writes to resource calendars, turned into use cases of ``hub.services``.

- PUT on a booking's event: STATUS:CANCELLED cancels; a new DTSTART/DTEND reschedules
  (operator rules: ``force`` — may leave opening hours, never overlap; same duration);
  SUMMARY/DESCRIPTION changes become the booking's notes, and nothing else.
- DELETE of a booking's event cancels it (actor operator, channel caldav).
- MOVE of a booking's event to another resource's calendar reassigns it.
- PUT of a new event creates a block (reason from SUMMARY; weekly/daily RRULE → a weekly
  series expanded within the horizon); the event is kept as sent so the client reads back
  its own bytes. DELETE removes its blocks.

No booking rule lives here: the services decide, and their errors become ``RefusedError`` with a
CalDAV precondition (``no-overlapping-booking``, …). Personal calendars are in ``personal``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from icalendar import Calendar
from sqlalchemy.orm import Session

from caldav_server import read_model
from caldav_server.client_objects import (
    ClientEvent,
    exceptions,
    partstats,
    read_event,
    weekly_repeats,
)
from caldav_server.refusals import RefusedError, refuse
from caldav_server.render import parse_href, text_etag
from caldav_server.schema import ClientItemRow
from hub.domain.accounts import User
from hub.domain.booking import Actor, Booking, ChangedBy, Channel
from hub.domain.errors import (
    ConflictError,
    DomainError,
    IllegalTransitionError,
    NotFoundError,
    PermissionDeniedError,
    PolicyViolationError,
    SlotTakenError,
    StaleVersionError,
    ValidationError,
)
from hub.domain.model import Block, new_id
from hub.ical.projection import block_reason
from hub.ical.vevent import booking_vevent
from hub.persistence.uow import SqlDatabase, SqlUnitOfWork
from hub.services.blocks import NewBlock, create_block, delete_block
from hub.services.booking_moves import edit_booking
from hub.services.booking_status import cancel_booking
from hub.services.bound import Services
from hub.services.ports import UnitOfWork

_NOTES_LABELS = ("Notes: ", "Notas: ")


def refusal(exc: DomainError) -> RefusedError:
    """The CalDAV answer to a use case's error."""
    if isinstance(exc, SlotTakenError):
        return refuse("no-overlapping-booking", exc.message)
    if isinstance(exc, PolicyViolationError):
        return refuse("booking-policy", exc.message)
    if isinstance(exc, IllegalTransitionError):
        return refuse("booking-state", exc.message)
    if isinstance(exc, StaleVersionError):
        return refuse("booking-version", exc.message, status=412)
    if isinstance(exc, NotFoundError):
        return refuse("not-found", exc.message, status=404)
    if isinstance(exc, PermissionDeniedError):
        return RefusedError(403, "DAV:", "need-privileges", exc.message)
    if isinstance(exc, ConflictError):
        return refuse("conflict", exc.message, status=409)
    if isinstance(exc, ValidationError):
        return refuse("valid-booking", exc.message)
    return refuse("booking-rule", exc.message)


def _own_block(session: Session, resource_id: str, block_id: str) -> None:
    """Refuse changing, from one resource's calendar, a block of its whole branch."""
    found = read_model.block(session, block_id)
    if found is not None and found.resource_id != resource_id:
        raise refuse("branch-block", "this block closes the whole branch; change it in Turnero")


@dataclass
class Writer:
    """Carries out one staff member's writes (``user``) at ``clock()``."""

    database: SqlDatabase
    clock: Callable[[], datetime]
    user: User
    core: Services  # reschedules and reassignments, with the root's clock and busy time

    @property
    def by(self) -> ChangedBy:
        return ChangedBy(Actor.OPERATOR, Channel.CALDAV, self.user.id)

    def _uow(self) -> SqlUnitOfWork:
        return self.database.unit_of_work()

    def _run(self, action: Callable[[UnitOfWork], object]) -> None:
        try:
            action(cast(UnitOfWork, self._uow()))
        except DomainError as exc:
            raise refusal(exc) from exc

    # --- PUT -----------------------------------------------------------------------------

    def put(
        self, found: read_model.Catalog, href: str, data: bytes, parsed: Calendar | None = None
    ) -> ClientItemRow | None:
        """Apply a PUT of ``data`` (``parsed`` already, if it was) to ``found``'s calendar.
        Returns the event as stored when it is kept exactly as sent (then its ETag may be
        returned, RFC 4791 §5.3.4); None for a booking, which the hub re-serialises."""
        event = read_event(data, found.business.timezone, parsed)
        kind = parse_href(href)
        if kind and kind[0] == "booking":
            with self._uow() as uow:
                booking = read_model.booking_on(uow.session, found.resource.id, kind[1])
                customer = (
                    uow.customers.get(found.business.id, booking.customer_id) if booking else None
                )
            if booking is not None and customer is not None:
                self._put_booking(found, booking, customer, event)
                return None
        return self._put_block_event(found, href, event, data)

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
                lambda uow: cancel_booking(
                    uow,
                    business_id,
                    booking.id,
                    by=self.by,
                    now=now,
                    reason="cancelled in calendar",
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

    def _put_block_event(
        self, found: read_model.Catalog, href: str, event: ClientEvent, data: bytes
    ) -> ClientItemRow:
        now = self.clock()
        business_id, resource_id = found.business.id, found.resource.id
        repeats = weekly_repeats(event, found.business.timezone)
        length = event.end - event.start
        reason = block_reason(event.summary)
        text = data.decode("utf-8")
        stored = ClientItemRow(
            calendar_id=resource_id,
            business_id=business_id,
            href=href,
            uid=event.uid,
            ics=text,
            etag=text_etag(text),
            updated_at=now,
        )
        with self._uow() as uow:
            session = uow.session
            item = (
                session.query(ClientItemRow)
                .filter_by(calendar_id=resource_id, href=href)
                .one_or_none()
            )
            old_ids = [b.id for b in read_model.blocks(session, resource_id, uids=[event.uid])]
            kind = parse_href(href)
            if kind is not None and kind[0] == "block":
                _own_block(session, resource_id, kind[1])
                old_ids.append(kind[1])  # a console block the client edited
            if item is None:
                item = ClientItemRow(
                    id=new_id(), calendar_id=resource_id, business_id=business_id, href=href
                )
                session.add(item)
            item.uid, item.ics, item.etag, item.updated_at = (
                stored.uid,
                stored.ics,
                stored.etag,
                stored.updated_at,
            )
            session.flush()  # the block triggers look the item up by UID
            created: list[Block] = []
            for index, (start, repeat) in enumerate(repeats):
                request = NewBlock(
                    business_id=business_id,
                    start=start,
                    end=start + length,
                    resource_id=resource_id,
                    reason=reason,
                    source="caldav",
                    external_uid=event.uid,
                    repeat=repeat,
                )
                try:
                    result = create_block(cast(UnitOfWork, uow), request, by=self.by, now=now)
                except DomainError as exc:
                    if index == 0:
                        raise refusal(exc) from exc
                    raise
                created += result.blocks
            if event.rrule is not None:
                old_ids += self._apply_exceptions(
                    uow, found, event, reason=reason, created=created, now=now
                )
        self._delete_blocks(business_id, old_ids, now)
        return stored

    def _apply_exceptions(
        self,
        uow: SqlUnitOfWork,
        found: read_model.Catalog,
        event: ClientEvent,
        *,
        reason: str,
        created: Sequence[Block],
        now: datetime,
    ) -> list[str]:
        """Add the blocks of the occurrences the client moved (RECURRENCE-ID); returns the
        ids of the series' blocks that EXDATE or an override takes out of the rule."""
        timezone = found.business.timezone
        rules = exceptions(event, timezone)
        for override in rules.overrides:
            if not override.busy:
                continue
            request = NewBlock(
                business_id=found.business.id,
                start=override.start,
                end=override.end,
                resource_id=found.resource.id,
                reason=reason,
                source="caldav",
                external_uid=event.uid,
            )
            try:
                create_block(cast(UnitOfWork, uow), request, by=self.by, now=now)
            except DomainError as exc:
                raise refusal(exc) from exc
        return [b.id for b in created if rules.drops(b.start, timezone)]

    def _delete_blocks(self, business_id: str, block_ids: Sequence[str], now: datetime) -> None:
        for block_id in dict.fromkeys(block_ids):
            try:
                delete_block(
                    cast(UnitOfWork, self._uow()), business_id, block_id, by=self.by, now=now
                )
            except NotFoundError:
                continue
            except DomainError as exc:
                raise refusal(exc) from exc

    # --- DELETE and MOVE -----------------------------------------------------------------

    def delete(self, resource_id: str, href: str) -> None:
        now = self.clock()
        kind = parse_href(href)
        booking: Booking | None = None
        block_ids: list[str] = []
        with self._uow() as uow:
            session = uow.session
            found = read_model.resource(session, resource_id)
            if found is None:
                raise refuse("not-found", "no such calendar", status=404)
            business_id = found[1].id
            if kind is not None and kind[0] == "booking":
                booking = read_model.booking_on(session, resource_id, kind[1])
            if booking is None:
                item = (
                    session.query(ClientItemRow)
                    .filter_by(calendar_id=resource_id, href=href)
                    .one_or_none()
                )
                if item is not None:
                    block_ids = [
                        b.id for b in read_model.blocks(session, resource_id, uids=[item.uid])
                    ]
                    session.delete(item)
                    uow.commit()
                elif kind is not None and kind[0] == "block":
                    _own_block(session, resource_id, kind[1])
                    block_ids = [kind[1]]
                else:
                    raise refuse("not-found", "no such event", status=404)
        if booking is not None:
            booking_id = booking.id
            self._run(
                lambda u: cancel_booking(
                    u, business_id, booking_id, by=self.by, now=now, reason="deleted in calendar"
                )
            )
            return
        self._delete_blocks(business_id, block_ids, now)

    def move_booking(self, from_resource: str, href: str, to_resource: str) -> None:
        kind = parse_href(href)
        with self._uow() as uow:
            found = read_model.resource(uow.session, from_resource)
            target = read_model.resource(uow.session, to_resource)
            booking = (
                read_model.booking_on(uow.session, from_resource, kind[1])
                if kind and kind[0] == "booking"
                else None
            )
        if found is None or target is None or found[1].id != target[1].id:
            raise RefusedError(403, "DAV:", "need-privileges", "calendars of different businesses")
        if booking is None:
            raise refuse(
                "moves-bookings-only",
                "only bookings move between resource calendars; copy other events instead",
            )
        business_id = found[1].id
        self._run(
            lambda uow: self.core.reassign_booking(
                business_id,
                booking.id,
                to_resource,
                by=self.by,
                expected_version=booking.version,
                uow=uow,
            )
        )
