"""Hub → Google through the outbox: a booking becomes an event with attendees, the booking id
and a Meet link; a reschedule patches it, a cancellation deletes it; a retried insert never
makes a second event."""

from __future__ import annotations

from datetime import timedelta

from hub.services.booking_moves import reschedule_booking
from hub.services.booking_status import cancel_booking
from scheduler.consumers import DeliveryContext
from tests.google.conftest import SETUP, World, utc


def test_booking_becomes_google_event_with_attendees_and_booking_id(world: World) -> None:
    world.connect(world.juan)
    booking = world.book(world.juan, world.at(10))

    (event,) = world.google.events(world.juan.email)
    assert utc(world.booking(booking.id).start) == utc(booking.start)
    assert {a["email"] for a in event["attendees"]} == {"ana@example.com", "socio@example.com"}
    assert event["extendedProperties"]["private"]["turnero_booking_id"] == booking.id
    assert event["summary"] == "Consulta — Ana Pérez"
    assert "conferenceData" not in event
    assert world.booking(booking.id).google_event_id == event["id"]
    # María has no connection: nothing lands in her calendar.
    assert world.google.events(world.maria.email) == []


def test_video_service_gets_a_meet_link_on_the_booking(world: World) -> None:
    world.connect(world.juan)
    booking = world.book(world.juan, world.at(11), video=True)

    (event,) = world.google.events(world.juan.email)
    assert event["conferenceData"]["createRequest"]["requestId"] == booking.id
    assert world.booking(booking.id).meeting_url == "https://meet.google.com/abc-defg-hij"


def test_meet_link_pending_first_is_fetched_later(world: World) -> None:
    world.connect(world.juan)
    world.google.meet_pending = True
    booking = world.book(world.juan, world.at(11), video=True)

    assert world.booking(booking.id).meeting_url == "https://meet.google.com/abc-defg-hij"
    assert len(world.google.events(world.juan.email)) == 1


def test_reschedule_patches_and_cancel_deletes(world: World) -> None:
    world.connect(world.juan)
    booking = world.book(world.juan, world.at(10))
    reschedule_booking(
        world.uow(), world.business.id, booking.id, world.at(15), by=SETUP, now=world.hub.now()
    )

    (event,) = world.google.events(world.juan.email)
    assert event["start"]["dateTime"] == utc(world.at(15)).isoformat()
    assert event["end"]["dateTime"] == utc(world.at(15) + timedelta(minutes=30)).isoformat()

    cancel_booking(world.uow(), world.business.id, booking.id, by=SETUP, now=world.hub.now())
    assert world.google.events(world.juan.email) == []


def test_insert_retried_after_a_timeout_makes_one_event(world: World) -> None:
    world.connect(world.juan)
    # Google stores the event, then the connection drops before the answer: the HTTP
    # client sends the POST again by itself, and the dispatcher may retry the delivery.
    world.google.fail_next_insert_after_commit = 1
    booking = world.book(world.juan, world.at(12))
    world.dispatcher.sweep()

    (event,) = world.google.events(world.juan.email)
    assert world.booking(booking.id).google_event_id == event["id"]
    inserts = [r for r in world.google.requests if r == ("POST", _EVENTS)]
    assert len(inserts) == 2


def test_retried_delivery_finds_the_event_instead_of_inserting(world: World) -> None:
    world.connect(world.juan)
    booking = world.book(world.juan, world.at(12))
    world.google.requests.clear()
    event = world.hub.uow()
    with event as uow:
        (outbox,) = list(uow.outbox.for_aggregate(booking.id))
    # The same event delivered again (a worker died after Google answered).
    world.connector.push.deliver(outbox, _context(world))
    assert len(world.google.events(world.juan.email)) == 1
    assert ("POST", _EVENTS) not in world.google.requests


_EVENTS = "/calendar/v3/calendars/primary/events"


def _context(world: World) -> DeliveryContext:
    return DeliveryContext(
        delivery_id="again",
        consumer="google",
        attempt=2,
        now=world.hub.now(),
        record=lambda entry: None,
        sent_before=lambda channel: frozenset(),
    )
