"""An invitee's answer given in Google Calendar (the attendee's ``responseStatus`` on the hub
event, https://developers.google.com/calendar/api/v3/reference/events#resource) is read back
on pull and shows on the booking, audited and announced like an answer on their own link."""

from __future__ import annotations

from hub.domain.booking import InviteeResponse
from tests.google.conftest import World


def test_an_answer_given_in_google_shows_on_the_booking(world: World) -> None:
    world.connect(world.juan)
    booking = world.book(world.juan, world.at(10))
    event_id = world.booking(booking.id).google_event_id
    assert event_id is not None
    (event,) = [e for e in world.google.events(world.juan.email) if e["id"] == event_id]
    attendees = [
        {**a, "responseStatus": "declined" if a["email"] == "socio@example.com" else "accepted"}
        for a in event["attendees"]
    ]
    world.google.edit_event(world.juan.email, event_id, attendees=attendees)

    world.connector.pull.sync(world.juan.connection_id)

    answered = world.booking(booking.id)
    (socio,) = answered.invitees
    assert socio.response is InviteeResponse.DECLINED and socio.responded_at is not None
    assert answered.start == booking.start and answered.sequence == booking.sequence
    assert "attendee_responded" in world.audit_actions(booking.id)
    # Read again unchanged: nothing new is recorded.
    world.connector.pull.sync(world.juan.connection_id)
    assert world.audit_actions(booking.id).count("attendee_responded") == 1
