"""Access tokens: Google rate-limits its token endpoint, so a connection asks for an access
token once and every call — pushes, pulls, batches, in this process or another — reuses it
until shortly before it expires; a call answered 401 gets one fresh token and goes again; a
grant revoked at Google breaks the connection."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from connectors.google import store
from connectors.google.models import ConnectionRow
from connectors.google.pull import GooglePull
from connectors.google.push import GooglePush
from scheduler.consumers import ConsumerRegistry
from tests.google.conftest import World, utc

_TOKEN = ("POST", "/token")


def _api_calls(world: World) -> int:
    return sum(1 for call in world.google.requests if call[1].startswith("/calendar/"))


def _book_one_at_a_time(world: World, count: int, hour: int = 9) -> None:
    for n in range(count):
        world.book(world.juan, world.at(hour) + timedelta(minutes=30 * n))


def test_one_token_request_serves_every_call_of_the_hour(world: World) -> None:
    world.connect(world.juan)

    _book_one_at_a_time(world, 12)  # each pushed on its own, as it is booked
    world.connector.pull.sync_all()

    assert len(world.google.events(world.juan.email)) == 12
    assert _api_calls(world) >= 13
    assert world.google.token_grants == ["refresh_token"]


def test_another_process_reuses_the_kept_token(world: World) -> None:
    world.connect(world.juan)
    world.connector.pull.sync_all()
    # What a second worker process builds: its own push and pull, nothing shared in memory.
    settings = world.hub.settings
    other_pull = GooglePull(world.hub.database, settings, clock=world.hub.now)
    other_push = GooglePush(world.hub.database, settings)
    registry = ConsumerRegistry()
    registry.register_consumer(other_push.name, other_push.handles, other_push.deliver)

    other_pull.sync_all()
    with world.hub.database.sessions() as session:
        conn = store.get_connection(session, world.juan.connection_id)
    assert conn is not None
    with other_push.service_for(conn) as api:
        api.calendarList().list().execute()

    assert world.google.token_grants == ["refresh_token"]
    with world.hub.database.sessions() as session:
        row = session.get(ConnectionRow, world.juan.connection_id)
        assert row is not None and row.access_token is not None
        assert row.access_token not in world.google.access_tokens  # sealed at rest


def test_a_token_google_refuses_is_replaced_once_and_the_call_goes_again(world: World) -> None:
    world.connect(world.juan)
    world.connector.pull.sync_all()
    world.google.expire_access_tokens()  # an hour went by at Google
    start = utc(world.at(10))
    world.google.add_event(
        world.juan.email,
        summary="Dentist",
        start={"dateTime": start.isoformat()},
        end={"dateTime": (start + timedelta(hours=1)).isoformat()},
    )

    report = world.connector.pull.sync(world.juan.connection_id)

    assert not report.errors and not report.broken
    assert start not in world.free_starts(world.juan, world.at(9).date())
    assert world.google.auth_failures == 1
    assert world.google.token_grants == ["refresh_token", "refresh_token"]
    _book_one_at_a_time(world, 3, hour=14)  # and the new token serves what follows
    assert world.google.token_grants == ["refresh_token", "refresh_token"]


def test_a_fresh_token_refused_again_is_not_asked_for_a_third_time(world: World) -> None:
    world.connect(world.juan)
    world.google.refuse_access_tokens = True

    report = world.connector.pull.sync(world.juan.connection_id)

    assert report.broken  # the grant does not work: the owner is told to reconnect
    assert world.google.token_grants == ["refresh_token", "refresh_token"]  # first, after 401
    assert world.google.auth_failures == 2


def test_a_token_about_to_expire_is_renewed_before_google_refuses_it(world: World) -> None:
    world.connect(world.juan)
    world.connector.pull.sync_all()
    with world.hub.database.sessions.begin() as session:  # 58 minutes later
        session.execute(
            update(ConnectionRow).values(access_expires_at=world.hub.now() + timedelta(minutes=2))
        )

    world.connector.pull.sync_all()

    assert world.google.token_grants == ["refresh_token", "refresh_token"]
    assert world.google.auth_failures == 0


def test_a_batch_with_a_stale_token_refreshes_once(world: World) -> None:
    world.connect(world.juan)
    world.connector.pull.sync_all()
    world.google.expire_access_tokens()

    with world.held():
        for n in range(4):
            world.book(world.juan, world.at(9) + timedelta(minutes=30 * n))

    assert world.google.batches == [(world.juan.email, 4), (world.juan.email, 4)]  # 401s, again
    assert len(world.google.events(world.juan.email)) == 4
    assert world.google.token_grants == ["refresh_token", "refresh_token"]


def test_a_revoked_grant_breaks_the_connection_and_forgets_its_token(world: World) -> None:
    world.connect(world.juan)
    world.connector.pull.sync_all()
    world.google.revoke(world.juan.email)

    report = world.connector.pull.sync(world.juan.connection_id)

    assert report.broken
    assert any("invalid_grant" in e for e in report.errors)
    with world.hub.database.sessions() as session:
        conn = store.get_connection(session, world.juan.connection_id)
    assert conn is not None and not conn.active
    assert conn.access_token is None
