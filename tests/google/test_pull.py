"""Google → hub: the staff member's own events become busy time (not the transparent,
declined or cancelled ones; all-day and recurring ones too), hub events moved or deleted in
Google reschedule or cancel the booking, a move onto another booking is put back; 410 means
a full resync without duplicates; a revoked grant breaks one connection only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from connectors.google import store
from connectors.google.models import BusyRow, ConnectionRow
from hub.domain.booking import BookingStatus
from tests.google.conftest import World, utc


def _busy_rows(world: World) -> int:
    with world.hub.database.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(BusyRow)) or 0)


def _timed(world: World, hour: int, minutes: int = 60, days_ahead: int = 3) -> dict[str, object]:
    start = utc(world.at(hour, days_ahead=days_ahead))
    return {
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": (start + timedelta(minutes=minutes)).isoformat()},
    }


def test_own_event_blocks_the_slot_and_transparent_does_not(world: World) -> None:
    world.connect(world.juan)
    day = world.at(9).date()
    world.google.add_event(world.juan.email, summary="Dentist", **_timed(world, 10))
    world.google.add_event(
        world.juan.email, summary="Reminder", transparency="transparent", **_timed(world, 14)
    )
    world.google.add_event(
        world.juan.email,
        summary="Declined meeting",
        attendees=[{"email": world.juan.email, "self": True, "responseStatus": "declined"}],
        **_timed(world, 15),
    )
    before = world.free_starts(world.juan, day)
    assert utc(world.at(10)) in before

    world.connector.pull.sync(world.juan.connection_id)

    after = world.free_starts(world.juan, day)
    assert utc(world.at(10)) not in after
    assert utc(world.at(10, 30)) not in after
    assert utc(world.at(11)) in after
    assert utc(world.at(14)) in after
    assert utc(world.at(15)) in after
    # María's availability does not care about Juan's calendar.
    assert utc(world.at(10)) in world.free_starts(world.maria, day)


def test_deleted_event_frees_the_slot_again(world: World) -> None:
    world.connect(world.juan)
    event = world.google.add_event(world.juan.email, summary="Gym", **_timed(world, 10))
    world.connector.pull.sync(world.juan.connection_id)
    assert utc(world.at(10)) not in world.free_starts(world.juan, world.at(9).date())

    world.google.delete_event(world.juan.email, event["id"])
    world.connector.pull.sync(world.juan.connection_id)
    assert utc(world.at(10)) in world.free_starts(world.juan, world.at(9).date())


def test_all_day_and_recurring_events_block(world: World) -> None:
    world.connect(world.juan)
    holiday = world.at(9, days_ahead=4).date()
    world.google.add_event(
        world.juan.email,
        summary="Holiday",
        start={"date": holiday.isoformat()},
        end={"date": (holiday + timedelta(days=1)).isoformat()},
    )
    world.google.add_event(
        world.juan.email,
        summary="Daily stand-up",
        recurrence=["RRULE:FREQ=DAILY;COUNT=10"],
        **_timed(world, 9, minutes=30, days_ahead=1),
    )
    world.connector.pull.sync(world.juan.connection_id)

    assert world.free_starts(world.juan, holiday) == []
    for days in (2, 3, 5):
        free = world.free_starts(world.juan, world.at(9, days_ahead=days).date())
        assert utc(world.at(9, days_ahead=days)) not in free
        assert utc(world.at(9, 30, days_ahead=days)) in free
    # The holiday is midnight to midnight in the business's zone, not in UTC.
    found = world.connector.busy.busy(
        world.business.id,
        [world.juan.resource.id],
        utc(world.at(0, days_ahead=3)),
        utc(world.at(0, days_ahead=6)),
    )
    whole_days = [b for b in found[world.juan.resource.id] if b.end - b.start == timedelta(days=1)]
    assert [(b.start, b.end) for b in whole_days] == [
        (utc(world.at(0, days_ahead=4)), utc(world.at(0, days_ahead=5)))
    ]


def test_all_day_event_of_a_calendar_in_another_zone(world: World) -> None:
    world.connect(world.juan)
    world.google.add_calendar(world.juan.email, "trips@group", "Trips", time_zone="Asia/Tokyo")
    with world.hub.database.sessions.begin() as session:
        store.choose_calendars(
            session,
            world.juan.connection_id,
            calendar_id=world.juan.email,
            busy_calendar_ids=[world.juan.email, "trips@group"],
            resource_ids=None,
            now=world.hub.now(),
        )
    day = world.at(9, days_ahead=4).date()
    world.google.add_event(
        "trips@group",
        summary="Tokyo",
        start={"date": day.isoformat()},
        end={"date": (day + timedelta(days=1)).isoformat()},
    )
    world.connector.pull.sync(world.juan.connection_id)

    # Midnight to midnight in Tokyo is 12:00 the day before to 12:00 that day in Buenos Aires.
    free = world.free_starts(world.juan, day)
    assert utc(world.at(11, 30, days_ahead=4)) not in free
    assert utc(world.at(12, days_ahead=4)) in free


def test_410_means_full_resync_without_duplicates(world: World) -> None:
    world.connect(world.juan)
    for hour in range(9, 17):
        world.google.add_event(world.juan.email, summary=f"e{hour}", **_timed(world, hour, 30))
    first = world.connector.pull.sync(world.juan.connection_id)
    assert first.full_syncs == 0
    rows = _busy_rows(world)
    assert rows == 8

    world.google.add_event(world.juan.email, summary="late", **_timed(world, 17, 30))
    world.google.expire_sync_tokens()
    again = world.connector.pull.sync(world.juan.connection_id)

    assert again.full_syncs == 1
    assert _busy_rows(world) == 9
    assert utc(world.at(17)) not in world.free_starts(world.juan, world.at(9).date())


def test_paged_listing_reads_every_page(world: World) -> None:
    from connectors.google import pull

    world.connect(world.juan)
    for n in range(7):
        world.google.add_event(world.juan.email, summary=f"e{n}", **_timed(world, 9 + n, 30))
    saved, pull.PAGE_SIZE = pull.PAGE_SIZE, 3
    try:
        world.connector.pull.sync(world.juan.connection_id)
    finally:
        pull.PAGE_SIZE = saved
    assert _busy_rows(world) == 7
    pages = [r for r in world.google.requests if r[1].endswith("/events")]
    assert len(pages) >= 3


def test_hub_event_moved_in_google_reschedules_the_booking(world: World) -> None:
    world.connect(world.juan)
    booking = world.book(world.juan, world.at(10))
    event_id = world.booking(booking.id).google_event_id
    assert event_id is not None

    world.google.edit_event(world.juan.email, event_id, **_timed(world, 16, 30))
    report = world.connector.pull.sync(world.juan.connection_id)

    assert report.rescheduled == 1
    moved = world.booking(booking.id)
    assert utc(moved.start) == utc(world.at(16))
    assert "rescheduled" in world.audit_actions(booking.id)
    # Our own push of the reschedule does not bounce back as another change.
    assert world.connector.pull.sync(world.juan.connection_id).rescheduled == 0
    # The hub event is no busy time of its own: the booking already occupies the slot.
    assert _busy_rows(world) == 0


def test_move_onto_another_booking_is_put_back(world: World) -> None:
    world.connect(world.juan)
    first = world.book(world.juan, world.at(10))
    world.book(world.juan, world.at(11))
    event_id = world.booking(first.id).google_event_id
    assert event_id is not None

    world.google.edit_event(world.juan.email, event_id, **_timed(world, 11, 30))
    report = world.connector.pull.sync(world.juan.connection_id)

    assert report.reverted == 1
    unchanged = world.booking(first.id)
    assert utc(unchanged.start) == utc(world.at(10))
    assert unchanged.version == first.version
    (event,) = [e for e in world.google.events(world.juan.email) if e["id"] == event_id]
    assert event["start"]["dateTime"] == utc(world.at(10)).isoformat()
    assert "google_move_refused" in world.audit_actions(first.id)


def test_hub_event_deleted_in_google_cancels_the_booking(world: World) -> None:
    world.connect(world.juan)
    booking = world.book(world.juan, world.at(10))
    event_id = world.booking(booking.id).google_event_id
    assert event_id is not None

    world.google.delete_event(world.juan.email, event_id)
    world.connector.pull.sync(world.juan.connection_id)

    cancelled = world.booking(booking.id)
    assert cancelled.status is BookingStatus.CANCELLED
    assert cancelled.cancel_reason == "Eliminado en Google Calendar"  # a Spanish business


def test_revoked_grant_breaks_that_connection_only(world: World) -> None:
    world.connect(world.juan)
    world.connect(world.maria)
    world.google.revoke(world.juan.email)
    world.google.add_event(world.maria.email, summary="Busy", **_timed(world, 10))

    reports = world.connector.pull.sync_all()

    assert [r.broken for r in reports] == [True, False]
    with world.hub.database.sessions() as session:
        juan = store.get_connection(session, world.juan.connection_id)
        maria = store.get_connection(session, world.maria.connection_id)
    assert juan is not None and juan.status == store.BROKEN
    assert "invalid_grant" in juan.broken_reason
    assert maria is not None and maria.active
    assert utc(world.at(10)) not in world.free_starts(world.maria, world.at(9).date())
    # A booking for Juan still works; nothing is pushed on the broken connection.
    booking = world.book(world.juan, world.at(12))
    assert world.booking(booking.id).google_event_id is None
    assert world.hub.now().tzinfo is UTC


def test_revoked_grant_tells_the_staff_member_and_the_admin_once(world: World) -> None:
    world.connect(world.juan)
    world.connect(world.maria)
    world.google.revoke(world.juan.email)

    world.connector.pull.sync_all()
    world.connector.pull.sync_all()  # still broken: nobody is told twice

    (to_juan,) = world.mailer.to(world.juan.email)
    (to_admin,) = world.mailer.to(world.admin.email)
    assert world.mailer.to(world.maria.email) == []
    assert "Google Calendar" in str(to_juan["Subject"])
    assert world.juan.email in to_juan.get_content()  # which Google account
    body = to_admin.get_content()
    assert "invalid_grant" in body
    assert "/console/google" in body


def test_refused_move_is_told_with_the_reason(world: World) -> None:
    world.connect(world.juan)
    first = world.book(world.juan, world.at(10))
    world.book(world.juan, world.at(11))
    event_id = world.booking(first.id).google_event_id
    assert event_id is not None

    world.google.edit_event(world.juan.email, event_id, **_timed(world, 11, 30))
    world.connector.pull.sync(world.juan.connection_id)

    for address in (world.juan.email, world.admin.email):
        (message,) = world.mailer.to(address)
        body = message.get_content()
        assert world.at(10).strftime("%Y-%m-%d %H:%M") in body  # where it stays
        assert world.at(11).strftime("%Y-%m-%d %H:%M") in body  # where they tried to put it
    assert world.mailer.to(world.maria.email) == []


def test_rate_limited_account_waits_while_others_sync(world: World) -> None:
    world.connect(world.juan)
    world.connect(world.maria)
    world.google.fail_api = [(403, "rateLimitExceeded")]
    world.google.add_event(world.maria.email, summary="Busy", **_timed(world, 10))

    first = world.connector.pull.sync_all()
    assert [bool(r.errors) for r in first] == [True, False]
    asked = len(world.google.requests)
    again = world.connector.pull.sync(world.juan.connection_id)

    assert again.errors and again.errors[0].startswith("backing off until")
    assert len(world.google.requests) == asked  # Google was left alone
    with world.hub.database.sessions() as session:
        juan = store.get_connection(session, world.juan.connection_id)
    assert juan is not None and juan.active  # slowed down, not broken
    assert utc(world.at(10)) not in world.free_starts(world.maria, world.at(9).date())


def test_channels_are_renewed_before_they_expire(world: World) -> None:
    from connectors.google import channels

    world.connect(world.juan)
    world.connect(world.maria)
    world.google.channel_ttl = timedelta(hours=2)
    short = channels.watch(world.connector.pull, world.juan.connection_id, world.connector.address)
    world.google.channel_ttl = timedelta(days=7)
    lasting = channels.watch(
        world.connector.pull, world.maria.connection_id, world.connector.address
    )

    assert world.connector.renew_channels() == 1

    assert short in world.google.stopped_channels
    assert lasting in world.google.channels
    with world.hub.database.sessions() as session:
        rows = {r.user_id: r for r in session.scalars(select(ConnectionRow))}
    renewed = rows[world.juan.user.id]
    assert renewed.channel_id in world.google.channels and renewed.channel_id != short
    assert world.connector.renew_channels() == 0


def test_a_hub_not_served_over_https_gets_no_channel_and_still_pulls(world: World) -> None:
    """Google only posts notifications to HTTPS addresses: a hub on plain HTTP is refused a
    channel (and says why in its log), and the periodic pull keeps it up to date."""
    from connectors.google import channels
    from connectors.google.calendar import RefusedError

    world.connect(world.juan)
    plain = "http://turnero.example/connectors/google/notifications"

    with pytest.raises(RefusedError, match="400"):
        channels.watch(world.connector.pull, world.juan.connection_id, plain)
    assert channels.renew_due(world.connector.pull, plain, world.hub.now()) == 0

    world.google.add_event(world.juan.email, summary="Dentist", **_timed(world, 10))
    world.connector.pull.sync_all()
    assert utc(world.at(10)) not in world.free_starts(world.juan, world.at(9).date())
    assert world.google.channels == {}
    secure = "https://turnero.example/connectors/google/notifications"
    assert channels.watch(world.connector.pull, world.juan.connection_id, secure) is not None


def test_the_worker_renews_channels_every_quarter_hour(world: World) -> None:
    from huey import MemoryHuey

    from connectors.google import channels
    from connectors.google.runtime import PULL_ALL_TASK, RENEW_TASK, install_google
    from scheduler.consumers import ConsumerRegistry

    huey = MemoryHuey(immediate=True)
    connector = install_google(world.hub, ConsumerRegistry(), huey=huey)
    assert connector is not None
    try:
        world.connect(world.juan)
        world.google.channel_ttl = timedelta(hours=2)
        short = channels.watch(connector.pull, world.juan.connection_id, connector.address)
        quarter = datetime(2026, 3, 2, 10, 15)
        assert {t.name for t in huey.read_periodic(quarter)} == {PULL_ALL_TASK, RENEW_TASK}
        assert {t.name for t in huey.read_periodic(quarter.replace(minute=7))} == {PULL_ALL_TASK}

        for task in huey.read_periodic(quarter):
            huey.execute(task)

        assert short in world.google.stopped_channels
        assert len(world.google.channels) == 1 and short not in world.google.channels
    finally:
        connector.busy.close()
