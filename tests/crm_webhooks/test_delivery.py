"""Webhooks as a CRM receives them: signed per Standard Webhooks, one per change made
anywhere, in order of version; retried until they arrive; nothing lost to a killed worker."""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from connectors.crm_webhooks.models import AttemptRow, DeliveryRow
from hub.api.views import BOOKING_SCHEMA
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.services.booking_moves import reschedule_booking
from hub.services.booking_status import cancel_booking
from scheduler.worker import EmbeddedConsumer
from tests.crm_webhooks.conftest import World, later, start_worker, utcnow, wait_until
from tests.crm_webhooks.receiver import Receiver

CALDAV = ChangedBy(Actor.OPERATOR, Channel.CALDAV)
PAGE = ChangedBy(Actor.CLIENT, Channel.PAGE)


def test_booking_changes_from_everywhere_arrive_signed_in_order_of_version(
    world_factory: Callable[..., World], receiver: Receiver
) -> None:
    world = world_factory()
    sub = world.subscribe(receiver.url)
    receiver.secrets = [sub.secret]
    consumer = EmbeddedConsumer(world.work, workers=2)
    consumer.start()
    try:
        start = later(days=3).replace(minute=0, second=0, microsecond=0)
        booking = world.book(start)
        wait_until(lambda: len(receiver.received) == 1, what="booking.created")
        reschedule_booking(
            world.uow(),
            world.business.id,
            booking.id,
            start + timedelta(hours=2),
            by=CALDAV,
            now=utcnow(),
            force=True,
        )
        wait_until(lambda: len(receiver.received) == 2, what="booking.rescheduled")
        cancel_booking(world.uow(), world.business.id, booking.id, by=PAGE, now=utcnow())
        wait_until(lambda: len(receiver.received) == 3, what="booking.cancelled")
    finally:
        consumer.stop()

    got = receiver.received
    assert receiver.refused == []
    assert [r.body["type"] for r in got] == [
        "booking.created",
        "booking.rescheduled",
        "booking.cancelled",
    ]
    versions = [r.body["data"]["version"] for r in got]
    assert versions == sorted(versions) and len(set(versions)) == 3
    assert [r.body["data"]["channel"] for r in got] == ["console", "caldav", "page"]
    assert [r.body["data"]["actor"] for r in got] == ["operator", "operator", "client"]
    assert [r.body["data"]["status"] for r in got] == ["confirmed", "confirmed", "cancelled"]
    moved = got[1].body["data"]
    assert moved["previous"]["start"] is not None
    assert moved["start"] != moved["previous"]["start"]
    assert got[0].body["data"]["start"] == moved["previous"]["start"]
    # data is the booking as GET /api/v1/bookings/{id} renders it, plus actor and channel
    expected = set(BOOKING_SCHEMA["properties"]) | {"actor", "channel"}
    assert set(got[0].body["data"]) == expected
    assert set(moved) == expected | {"previous"}
    assert all(r.body["data"]["id"] == booking.id for r in got)
    assert len({r.webhook_id for r in got}) == 3


def test_every_event_arrives_after_an_outage_and_a_flaky_receiver(
    world_factory: Callable[..., World], receiver: Receiver
) -> None:
    world = world_factory()
    sub = world.subscribe(receiver.url)
    receiver.secrets = [sub.secret]
    start = later(days=2).replace(minute=0, second=0, microsecond=0)
    bookings = [world.book(start + timedelta(hours=i)) for i in range(6)]
    ids = world.fan_out_pending()
    assert len(ids) == len(bookings)

    receiver.stop()  # down: connection refused
    now = utcnow()
    first = world.webhooks.drain(now=now)
    assert first.retrying == len(ids) and first.delivered == 0
    for hours in (1, 3):  # still down for a few retries
        world.webhooks.drain(now=now + timedelta(hours=hours))

    receiver.start()  # back, but failing every other request
    receiver.mode = "flaky"
    step = now + timedelta(hours=3)
    for _ in range(20):
        step += timedelta(hours=2)
        world.webhooks.drain(now=step)
        with world.hub.database.sessions() as session:
            pending = session.scalar(
                select(func.count())
                .select_from(DeliveryRow)
                .where(DeliveryRow.status != "delivered")
            )
        if pending == 0:
            break
    assert pending == 0
    assert receiver.ids() == set(ids)  # every event, each under its own webhook-id
    copies = Counter(r.webhook_id for r in receiver.received)
    assert any(n > 1 for n in copies.values())  # the flaky answers made duplicates…
    for webhook_id in copies:  # …which carry the same id and the same event
        bodies = {str(r.body) for r in receiver.received if r.webhook_id == webhook_id}
        assert len(bodies) == 1
    assert receiver.refused == []


def test_nothing_is_lost_when_a_worker_is_killed_mid_delivery(
    world_factory: Callable[..., World], receiver: Receiver, tmp_path: Path
) -> None:
    world = world_factory()
    sub = world.subscribe(receiver.url)
    receiver.secrets = [sub.secret]
    receiver.mode = "hang"
    worker = start_worker(world.env, tmp_path / "worker.log")
    try:
        booking = world.book(later(days=2))
        assert receiver.hanging.wait(30), (tmp_path / "worker.log").read_text()
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    receiver.mode = "up"
    receiver.release.set()
    with world.hub.database.sessions() as session:
        row = session.scalars(select(DeliveryRow)).one()
    assert row.status == "pending" and row.claimed_until is not None  # held by the dead worker

    # The lease runs out; the periodic retry of any worker takes the delivery over.
    report = world.webhooks.drain(
        now=later(seconds=world.webhooks.config.lease.total_seconds() + 1)
    )
    assert report.delivered == 1
    got = [r for r in receiver.received if r.webhook_id == row.id]
    assert len(got) >= 2 and {r.body["data"]["id"] for r in got} == {booking.id}
    with world.hub.database.sessions() as session:
        assert session.get(DeliveryRow, row.id).status == "delivered"  # type: ignore[union-attr]
        assert session.scalar(select(func.count()).select_from(AttemptRow)) >= 1
