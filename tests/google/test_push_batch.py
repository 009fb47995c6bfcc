"""Hub → Google in batches: a backlog of booking events claimed together reaches Google as
one Calendar batch request per staff member (at most 50 calls each) instead of a request per
booking; a part Google refuses for a while is retried later and arrives once; a batch sent
twice makes no second event."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from connectors.google import store
from hub.domain.booking import Booking
from hub.services.booking_moves import reschedule_booking
from hub.services.booking_status import cancel_booking
from tests.google.conftest import SETUP, Staff, World, utc

_EVENTS = "/calendar/v3/calendars/primary/events"


def _book_many(world: World, staff: Staff, count: int, *, video_every: int = 0) -> list[Booking]:
    """``count`` bookings of ``staff`` on half-hour slots from 9:00, day after day."""
    made = []
    for n in range(count):
        day, slot = divmod(n, 18)
        start = world.at(9, days_ahead=3 + day) + timedelta(minutes=30 * slot)
        video = bool(video_every) and n % video_every == 0
        made.append(world.book(staff, start, video=video))
    return made


def _by_booking(world: World, staff: Staff) -> Counter[str]:
    return Counter(
        e["extendedProperties"]["private"]["turnero_booking_id"]
        for e in world.google.events(staff.email)
    )


def test_a_backlog_of_one_staff_member_goes_in_one_batch_request(world: World) -> None:
    world.connect(world.juan)
    world.google.requests.clear()
    with world.held():
        bookings = _book_many(world, world.juan, 12, video_every=4)

    assert world.google.batches == [(world.juan.email, 12)]
    assert world.google.requests.count(("POST", "/token")) == 1  # one client for the batch
    assert world.google.requests.count(("POST", _EVENTS)) == 12  # inside the batch
    assert ("GET", _EVENTS) not in world.google.requests  # no lookup before inserting
    assert _by_booking(world, world.juan) == Counter(b.id for b in bookings)
    for event in world.google.events(world.juan.email):
        assert {a["email"] for a in event["attendees"]} == {
            "ana@example.com",
            "socio@example.com",
        }
    for booking in bookings:
        stored = world.booking(booking.id)
        assert stored.google_event_id is not None
        if booking.video_meeting or booking.service_id == world.video.id:
            assert stored.meeting_url == "https://meet.google.com/abc-defg-hij"
        else:
            assert stored.meeting_url is None


def test_more_than_fifty_calls_go_in_several_batch_requests(world: World) -> None:
    world.connect(world.juan)
    world.dispatcher.config = replace(world.dispatcher.config, batch_size=100)
    with world.held():
        bookings = _book_many(world, world.juan, 55)

    assert world.google.batches == [(world.juan.email, 50), (world.juan.email, 5)]
    assert _by_booking(world, world.juan) == Counter(b.id for b in bookings)


def test_reschedules_and_cancellations_are_batched_too(world: World) -> None:
    world.connect(world.juan)
    with world.held():
        first, second, third, fourth = _book_many(world, world.juan, 4)
    with world.held():
        for booking, hour in ((first, 15), (second, 16)):
            reschedule_booking(
                world.uow(),
                world.business.id,
                booking.id,
                world.at(hour),
                by=SETUP,
                now=world.hub.now(),
            )
        cancel_booking(world.uow(), world.business.id, third.id, by=SETUP, now=world.hub.now())

    assert world.google.batches == [(world.juan.email, 4), (world.juan.email, 3)]
    events = {e["id"]: e for e in world.google.events(world.juan.email)}
    assert _by_booking(world, world.juan) == Counter([first.id, second.id, fourth.id])
    for booking, hour in ((first, 15), (second, 16)):
        event = events[str(world.booking(booking.id).google_event_id)]
        assert event["start"]["dateTime"] == utc(world.at(hour)).isoformat()


def test_two_staff_members_get_a_batch_each(world: World) -> None:
    world.connect(world.juan)
    world.connect(world.maria)
    with world.held():
        juans = _book_many(world, world.juan, 3)
        marias = _book_many(world, world.maria, 3)

    assert sorted(world.google.batches) == [(world.juan.email, 3), (world.maria.email, 3)]
    assert _by_booking(world, world.juan) == Counter(b.id for b in juans)
    assert _by_booking(world, world.maria) == Counter(b.id for b in marias)


def test_a_part_answered_429_is_retried_later_and_arrives_once(world: World) -> None:
    world.connect(world.juan)
    world.google.fail_api = [(429, "rateLimitExceeded")]  # the batch's first part
    with world.held():
        bookings = _book_many(world, world.juan, 4)

    pushed = _by_booking(world, world.juan)
    assert len(pushed) == 3 and set(pushed.values()) == {1}
    (left,) = [b for b in bookings if b.id not in pushed]
    assert world.booking(left.id).google_event_id is None  # not pushed alone at once either

    later = datetime.now(UTC) + timedelta(hours=1)  # past the account's backoff
    world.hub.clock = lambda: later
    world.dispatcher.sweep()

    assert _by_booking(world, world.juan) == Counter(b.id for b in bookings)
    (event,) = [
        e
        for e in world.google.events(world.juan.email)
        if e["extendedProperties"]["private"]["turnero_booking_id"] == left.id
    ]
    assert world.booking(left.id).google_event_id == event["id"]
    assert len(world.google.batches) == 1  # the retry went alone


def test_a_batch_sent_again_after_a_timeout_makes_no_second_event(world: World) -> None:
    world.connect(world.juan)
    # Google stores the first insert, then the connection drops before the answer: the
    # HTTP client sends the whole batch again, and Google answers 409 for that part.
    world.google.fail_next_insert_after_commit = 1
    with world.held():
        bookings = _book_many(world, world.juan, 3)

    assert _by_booking(world, world.juan) == Counter(b.id for b in bookings)
    # Sent twice whole, then the part whose insert had gone through becomes a patch.
    assert world.google.batches == [(world.juan.email, 3)] * 2 + [(world.juan.email, 1)]
    assert world.google.requests[-1][0] == "PATCH"
    for booking in bookings:
        assert world.booking(booking.id).google_event_id is not None


def test_a_revoked_grant_breaks_that_connection_and_the_other_batch_goes(world: World) -> None:
    world.connect(world.juan)
    world.connect(world.maria)
    world.google.revoke(world.juan.email)
    with world.held():
        _book_many(world, world.juan, 2)
        marias = _book_many(world, world.maria, 2)

    assert world.google.batches == [(world.maria.email, 2)]
    assert _by_booking(world, world.maria) == Counter(b.id for b in marias)
    with world.hub.database.sessions() as session:
        juan = store.get_connection(session, world.juan.connection_id)
    assert juan is not None and not juan.active
    assert world.mailer.to(world.juan.email) and world.mailer.to(world.admin.email)


def test_meet_links_pending_in_a_batch_are_fetched_afterwards(world: World) -> None:
    world.connect(world.juan)
    world.google.meet_pending = True
    with world.held():
        bookings = _book_many(world, world.juan, 2, video_every=1)

    assert world.google.batches == [(world.juan.email, 2)]
    assert _by_booking(world, world.juan) == Counter(b.id for b in bookings)
    for booking in bookings:
        assert world.booking(booking.id).meeting_url == "https://meet.google.com/abc-defg-hij"
