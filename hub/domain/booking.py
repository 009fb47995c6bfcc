"""The booking (turno): what is booked, when, for whom, and the changes it goes through.

Only pending, confirmed and in_progress occupy time. Each transition records who, when,
through which channel, and why. The states and who changes them are in ``lifecycle``;
invitees in ``invitees`` (both re-exported here, where most callers import them from).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from hub.domain.contacts import Contact
from hub.domain.errors import (
    IllegalTransitionError,
    NotFoundError,
    StaleVersionError,
    ValidationError,
)
from hub.domain.geo import GeoPoint
from hub.domain.invitees import ANSWERABLE, Invitee, InviteeResponse
from hub.domain.lifecycle import (
    OCCUPYING,
    TRANSITIONS,
    Actor,
    BookingStatus,
    ChangedBy,
    Channel,
    Transition,
)
from hub.domain.model import Customer, new_id, new_token, require_aware

__all__ = [
    "ANSWERABLE",
    "OCCUPYING",
    "TRANSITIONS",
    "Actor",
    "Booking",
    "BookingStatus",
    "ChangedBy",
    "Channel",
    "Invitee",
    "InviteeResponse",
    "Transition",
    "clean_title",
]


TITLE_MAX = 200


def clean_title(title: str) -> str:
    """A meeting's title as stored: one line, trimmed, at most ``TITLE_MAX`` characters
    (a calendar's SUMMARY is a single line; folding a long one helps nobody)."""
    flat = " ".join(title.split())
    if len(flat) > TITLE_MAX:
        raise ValidationError(f"a title has at most {TITLE_MAX} characters", field="title")
    return flat


@dataclass(slots=True)
class Booking:
    business_id: str
    service_id: str
    resource_id: str
    customer_id: str
    start: datetime  # UTC instant
    end: datetime  # UTC instant
    status: BookingStatus
    created_at: datetime
    branch_id: str | None = None
    group_id: str | None = None
    persons: int = 1
    price_minor: int = 0
    deposit_minor: int = 0
    currency: str = "USD"
    address: str | None = None
    location: GeoPoint | None = None  # where an at-address visit is (typed, found or zone's)
    zone_id: str | None = None  # the business's zone it falls in
    needs_review: bool = False  # booked outside coverage in flag mode: the business checks it
    # What the meeting is called (its calendar event's SUMMARY); empty: "service — client".
    title: str = ""
    notes: str = ""
    invitees: tuple[Invitee, ...] = ()
    # Who the booking is for, as typed when it was made (None: as the customer record says).
    contact: Contact | None = None
    external_ref: str | None = None
    video_meeting: bool = False
    meeting_url: str | None = None
    google_event_id: str | None = None
    series_id: str | None = None
    # The staff member (user id) who made it: they hear about it as its ORGANIZER.
    organizer_id: str | None = None
    # The time the booking keeps the resource busy is [start - buffer_before, end +
    # buffer_after): the service's buffers as they were when it was booked.
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    at_client_address: bool = False
    exclusive: bool = True  # the resource takes one booking at a time (capacity 1)
    hold_until: datetime | None = None
    confirmed_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    expired_at: datetime | None = None
    no_show_at: datetime | None = None
    cancelled_by: Actor | None = None
    cancel_reason: str = ""
    client_confirmed_at: datetime | None = None
    reschedule_count: int = 0
    version: int = 1
    sequence: int = 0
    updated_at: datetime | None = None
    token: str = field(default_factory=new_token)
    id: str = field(default_factory=new_id)
    history: list[Transition] = field(default_factory=list)

    def __post_init__(self) -> None:
        require_aware(self.start, "start")
        require_aware(self.end, "end")
        if self.end <= self.start:
            raise ValidationError("a booking must end after it starts", field="end")
        if self.persons < 1:
            raise ValidationError("persons must be at least 1", field="persons")
        self.title = clean_title(self.title)

    @property
    def occupies_time(self) -> bool:
        return self.status.occupies_time

    @property
    def occupied_start(self) -> datetime:
        return self.start - self.buffer_before

    @property
    def occupied_end(self) -> datetime:
        return self.end + self.buffer_after

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def uid(self) -> str:
        """Stable iCalendar UID, the same in CalDAV, email invites and Google."""
        return f"{self.id}@turnero"

    def contact_or(self, name: str, phone: str | None, email: str | None) -> Contact:
        """Who the booking is for, as typed when it was made; else (older bookings, or booked
        for a customer picked from the records) the given customer record's data."""
        return self.contact if self.contact is not None else Contact(name, phone, email)

    def client_of(self, customer: Customer) -> Customer:
        """``customer`` (the record the booking is linked to) as the booking's client may see
        it: with the name, phone and email the booking was made with, not the record's."""
        contact = self.contact_or(customer.name, customer.phone, customer.email)
        return replace(customer, name=contact.name, phone=contact.phone, email=contact.email)

    @property
    def invitee_emails(self) -> tuple[str, ...]:
        return tuple(i.email for i in self.invitees)

    def invitee_by_token(self, token: str) -> Invitee | None:
        """The invitee whose link carries ``token`` (compared in constant time)."""
        found = None
        for invitee in self.invitees:
            if token and invitee.token and hmac.compare_digest(invitee.token, token):
                found = invitee
        return found

    def answer_invitation(
        self, invitee_id: str, response: InviteeResponse, at: datetime
    ) -> Invitee:
        """Record an invitee's answer. The booking itself (status, time, SEQUENCE) does not
        change: an attendee's PARTSTAT is not a significant change (RFC 5546 §2.1.4)."""
        require_aware(at, "at")
        if response is InviteeResponse.NEEDS_ACTION:
            raise ValidationError("answer accepted, declined or tentative", field="response")
        if self.status not in ANSWERABLE:
            raise IllegalTransitionError(
                f"a {self.status.value} booking takes no answers",
                current=self.status.value,
                requested="answer",
            )
        for index, invitee in enumerate(self.invitees):
            if invitee.id == invitee_id:
                answered = replace(invitee, response=response, responded_at=at)
                self.invitees = (*self.invitees[:index], answered, *self.invitees[index + 1 :])
                self._touch(at)
                return answered
        raise NotFoundError("no such invitee", entity="invitee")

    def link_external_event(
        self, event_id: str | None, meeting_url: str | None, at: datetime, *, late: bool = False
    ) -> bool:
        """Keep the id of the booking's event in an external calendar and the video meeting
        link it got. The id is bookkeeping; a new link is a change of the booking as its
        calendar event shows it (new version). A ``late`` link (the invitations already went
        without it, or with another one) raises SEQUENCE, so the update it is sent in
        replaces them (RFC 5546 §2.1.4). Returns whether the link changed."""
        require_aware(at, "at")
        self.google_event_id = event_id
        if meeting_url is None or meeting_url == self.meeting_url:
            return False
        self.meeting_url = meeting_url
        if late:
            self.sequence += 1
        self._touch(at)
        return True

    def check_version(self, expected: int | None) -> None:
        if expected is not None and expected != self.version:
            raise StaleVersionError(
                "the booking changed since you read it",
                expected=expected,
                current=self.version,
            )

    def _move_to(
        self,
        to: BookingStatus,
        at: datetime,
        by: ChangedBy,
        reason: str = "",
        *,
        touch: bool = True,
    ) -> Transition:
        require_aware(at, "at")
        if to not in TRANSITIONS[self.status]:
            raise IllegalTransitionError(
                f"a {self.status.value} booking cannot become {to.value}",
                current=self.status.value,
                requested=to.value,
            )
        step = Transition(self.status, to, at, by.actor, by.channel, reason, by.user_id)
        self.status = to
        self.history.append(step)
        if touch:
            self._touch(at)
        return step

    def _touch(self, at: datetime) -> None:
        self.version += 1
        self.updated_at = at

    def confirm(self, at: datetime, by: ChangedBy) -> Transition:
        step = self._move_to(BookingStatus.CONFIRMED, at, by)
        self.confirmed_at = at
        self.hold_until = None
        return step

    def start_service(self, at: datetime, by: ChangedBy) -> Transition:
        step = self._move_to(BookingStatus.IN_PROGRESS, at, by)
        self.started_at = at
        return step

    def complete(self, at: datetime, by: ChangedBy) -> Transition:
        step = self._move_to(BookingStatus.COMPLETED, at, by)
        self.completed_at = at
        return step

    def finish(self, at: datetime, by: ChangedBy) -> Transition:
        """Complete a booking in one change ("Finalizar"): a confirmed one passes through
        in_progress at the same instant, both steps in its history, its version moved once."""
        if self.status is BookingStatus.CONFIRMED:
            self._move_to(BookingStatus.IN_PROGRESS, at, by, touch=False)
            self.started_at = at
        return self.complete(at, by)

    def cancel(self, at: datetime, by: ChangedBy, reason: str = "") -> Transition:
        step = self._move_to(BookingStatus.CANCELLED, at, by, reason)
        self.cancelled_at = at
        self.cancelled_by = by.actor
        self.cancel_reason = reason
        self.sequence += 1  # iTIP: a cancellation is a significant change
        return step

    def expire(self, at: datetime, by: ChangedBy) -> Transition:
        step = self._move_to(BookingStatus.EXPIRED, at, by, "hold ran out")
        self.expired_at = at
        self.sequence += 1
        return step

    def mark_no_show(self, at: datetime, by: ChangedBy) -> Transition:
        step = self._move_to(BookingStatus.NO_SHOW, at, by)
        self.no_show_at = at
        return step

    def reschedule(
        self, start: datetime, end: datetime, at: datetime, by: ChangedBy
    ) -> tuple[datetime, datetime]:
        """Move to a new time; returns the previous (start, end). Validation of the slot is
        the caller's (the use case asks the engine and the store)."""
        require_aware(start, "start")
        require_aware(end, "end")
        if not self.occupies_time:
            raise IllegalTransitionError(
                f"a {self.status.value} booking cannot be rescheduled",
                current=self.status.value,
                requested="reschedule",
            )
        if end <= start:
            raise ValidationError("a booking must end after it starts", field="end")
        previous = (self.start, self.end)
        self.start, self.end = start, end
        self.reschedule_count += 1
        self.sequence += 1
        self._touch(at)
        return previous

    def reassign(self, resource_id: str, at: datetime) -> None:
        if not self.occupies_time:
            raise IllegalTransitionError(
                f"a {self.status.value} booking cannot be moved",
                current=self.status.value,
                requested="reassign",
            )
        self.resource_id = resource_id
        self.sequence += 1
        self._touch(at)

    def edit(
        self,
        at: datetime,
        *,
        title: str | None = None,
        notes: str | None = None,
        invitees: tuple[Invitee, ...] | None = None,
        address: str | None = None,
        place: tuple[GeoPoint | None, str | None, bool] | None = None,
    ) -> None:
        """Change what the booking says. Anything its calendar copies show differently —
        SUMMARY, DESCRIPTION, LOCATION, the ATTENDEE list — raises SEQUENCE once, so every calendar
        that has it takes the update (RFC 5546 §2.1.4). ``place``: the visit's new
        (location, zone id, needs review)."""
        significant = False
        if title is not None:
            title = clean_title(title)
            significant |= title != self.title
            self.title = title
        if notes is not None:
            significant |= notes != self.notes
            self.notes = notes
        if invitees is not None:
            before = {i.email for i in self.invitees}
            significant |= before != {i.email for i in invitees}
            self.invitees = invitees
        if address is not None:
            significant |= address != self.address
            self.address = address
        if place is not None:
            self.location, self.zone_id, self.needs_review = place
        if significant:
            self.sequence += 1
        self._touch(at)

    def record_client_confirmation(self, at: datetime) -> None:
        self.client_confirmed_at = at
        self._touch(at)
