"""Invitees answer through their own link: the answer is stored on them (PARTSTAT), audited,
and shown in the event the business's calendars render; it never changes the booking, and a
link works only for its own invitee while they are still invited (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.domain.booking import Actor, BookingStatus, ChangedBy, Channel, InviteeResponse
from hub.domain.errors import IllegalTransitionError, NotFoundError
from hub.ical.vevent import booking_vevent
from hub.services.booking_create import NewBooking, create_booking
from hub.services.booking_moves import edit_booking
from hub.services.booking_status import cancel_booking
from hub.services.customers import CustomerDetails, InviteeDetails
from hub.services.invitations import answer_invitation, get_invitation
from tests.services.conftest import NOW, OPERATOR, World, local

MINUTE = timedelta(minutes=1)

INVITEE = ChangedBy(Actor.INVITEE, Channel.PAGE)


def test_an_answer_is_stored_audited_and_rendered_but_changes_nothing_else(
    any_world: World,
) -> None:
    booking = create_booking(
        any_world.uow(),
        NewBooking(
            any_world.business.id,
            any_world.wash.id,
            local(5, 10),
            customer=CustomerDetails("Juan Pérez", "+5491123456789", "juan@example.com"),
            invitees=(InviteeDetails("Lucia@Example.com", "Lucía"), "pablo@example.com"),
        ),
        by=OPERATOR,
        now=NOW,
    )
    lucia, pablo = booking.invitees
    assert (lucia.email, lucia.name, pablo.name) == ("lucia@example.com", "Lucía", "")
    assert lucia.token and pablo.token and lucia.token != pablo.token != booking.token

    with pytest.raises(NotFoundError):  # the client's token is not an invitee's link
        get_invitation(any_world.uow(), booking.id, booking.token)
    answered, who = answer_invitation(
        any_world.uow(),
        booking.id,
        lucia.token,
        InviteeResponse.DECLINED,
        by=INVITEE,
        now=NOW + MINUTE,
    )
    assert who.id == lucia.id and who.response is InviteeResponse.DECLINED
    with any_world.uow() as uow:
        stored = uow.bookings.get(any_world.business.id, booking.id)
        audit = uow.audit.for_entity(any_world.business.id, "booking", booking.id)
        customer = uow.customers.get(any_world.business.id, booking.customer_id)
        service = uow.services.get(any_world.business.id, booking.service_id)
        resource = uow.resources.get(any_world.business.id, booking.resource_id)
    assert stored is not None and customer and service and resource
    assert stored.status is BookingStatus.CONFIRMED and stored.cancelled_at is None
    assert stored.sequence == booking.sequence and stored.version == booking.version + 1
    assert [i.response for i in stored.invitees] == [
        InviteeResponse.DECLINED,
        InviteeResponse.NEEDS_ACTION,
    ]
    (entry,) = [a for a in audit if a.action == "attendee_responded"]
    assert entry.actor == "invitee"
    assert entry.data["email"] == "lucia@example.com" and entry.data["response"] == "declined"

    event = booking_vevent(stored, any_world.business, service, resource, customer, now=NOW)
    partstats = {
        str(a): a.params["PARTSTAT"] for a in event.get("ATTENDEE") if "juan" not in str(a)
    }
    assert partstats == {
        "mailto:lucia@example.com": "DECLINED",
        "mailto:pablo@example.com": "NEEDS-ACTION",
    }

    # An edit keeps who stays (link and answer) and ends the link of who is left out.
    edited = edit_booking(
        any_world.uow(),
        any_world.business.id,
        booking.id,
        by=OPERATOR,
        now=NOW + 2 * MINUTE,
        invitees=["lucia@example.com", "nueva@example.com"],
    )
    kept = edited.invitees[0]
    assert (kept.token, kept.response, kept.name) == (
        lucia.token,
        InviteeResponse.DECLINED,
        "Lucía",
    )
    with pytest.raises(NotFoundError):
        get_invitation(any_world.uow(), booking.id, pablo.token)

    cancel_booking(
        any_world.uow(), any_world.business.id, booking.id, by=OPERATOR, now=NOW + 3 * MINUTE
    )
    with pytest.raises(IllegalTransitionError):
        answer_invitation(
            any_world.uow(),
            booking.id,
            lucia.token,
            InviteeResponse.ACCEPTED,
            by=INVITEE,
            now=NOW + 4 * MINUTE,
        )
    assert answered.status is BookingStatus.CONFIRMED
