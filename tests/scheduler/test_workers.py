"""Worker processes: one killed with SIGKILL in the middle of a batch loses nothing and sends
nothing twice once another starts; two running at once send each message once."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.persistence.models import OutboxRow
from tests.scheduler.conftest import World, in_minutes, start_worker, utcnow, wait_until
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.slow
SOON = {"reminders": [{"channel": "email", "minutes_before": 60}]}


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def book_many(world: World, count: int, reminder_in_seconds: float) -> list[str]:
    """Bookings whose reminder comes due in a few seconds. They are booked "five minutes ago"
    so that, however long booking them takes, each was made before its reminder was due."""
    start = in_minutes(60, seconds=reminder_in_seconds)
    made = utcnow() - timedelta(minutes=5)
    return [
        world.book(start, email=f"client{i}@example.com", phone=None, now=made).id
        for i in range(count)
    ]


def deliveries_seen(world: World, mail: SmtpSink) -> Counter[tuple[str, str, str]]:
    """(booking, kind of event, recipient) → messages the SMTP server accepted."""
    with world.hub.database.sessions() as session:
        types = dict(session.execute(select(OutboxRow.id, OutboxRow.type)).all())
    return Counter((m.booking_id, types.get(m.event_id, "?"), m.to[0]) for m in mail.messages)


def expected(bookings: list[str]) -> set[tuple[str, str, str]]:
    return {
        (booking, kind, f"client{i}@example.com")
        for i, booking in enumerate(bookings)
        for kind in ("booking.created", "booking.reminder")
    }


def test_a_killed_worker_loses_nothing_and_repeats_nothing(
    world_factory: Callable[..., World],
    mail: SmtpSink,
    tmp_path: Path,
    workers: list[subprocess.Popen[bytes]],
) -> None:
    world = world_factory(SOON)
    bookings = book_many(world, 200, reminder_in_seconds=10)
    log = tmp_path / "workers.log"
    workers.append(start_worker(world.env, log))
    wait_until(lambda: mail.count() >= 200, timeout=180, what="the 200 confirmations", world=world)

    # The reminders come due; once 100 of them are through, the mail server keeps the next
    # ones waiting, and the worker is killed while it holds a batch of claims.
    mail.hold_after = 300
    assert mail.holding.wait(timeout=180), "the reminders never reached the mail server"
    time.sleep(0.5)
    workers[0].send_signal(signal.SIGKILL)
    workers[0].wait(timeout=10)
    mail.hold_after = None
    mail.release.set()
    sent_before_restart = mail.count()
    assert 300 <= sent_before_restart < 400

    workers.append(start_worker(world.env, log))
    wait_until(lambda: mail.count() >= 400, timeout=240, what="every notification", world=world)
    time.sleep(4)  # longer than the lease: anything sent twice would be here by now
    seen = deliveries_seen(world, mail)
    assert set(seen) == expected(bookings)
    assert max(seen.values()) == 1, [k for k, n in seen.items() if n > 1]


def test_two_workers_send_each_message_once(
    world_factory: Callable[..., World],
    mail: SmtpSink,
    tmp_path: Path,
    workers: list[subprocess.Popen[bytes]],
) -> None:
    world = world_factory(SOON)
    log = tmp_path / "workers.log"
    workers.append(start_worker(world.env, log))
    workers.append(start_worker(world.env, log))
    bookings = book_many(world, 100, reminder_in_seconds=6)
    wait_until(
        lambda: mail.count() >= 200, timeout=240, what="confirmations and reminders", world=world
    )
    time.sleep(2)
    seen = deliveries_seen(world, mail)
    assert set(seen) == expected(bookings)
    assert max(seen.values()) == 1, [k for k, n in seen.items() if n > 1]
