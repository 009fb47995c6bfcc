"""The outbox is never lost: events committed without their dispatch being enqueued are
found by the sweep; deliveries that fail are retried with backoff, and given up after the
configured time with the failure on the booking's log and in ``queue status``."""

from __future__ import annotations

from collections.abc import Callable

from hub.bootstrap import build_hub
from hub.config import Settings
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from scheduler.models import DeliveryRow
from scheduler.status import notification_log, queue_status
from scheduler.worker import EmbeddedConsumer
from tests.scheduler.conftest import OPERATOR, World, in_minutes, settle, utcnow, wait_until
from tests.support.smtp import SmtpSink


def test_an_event_whose_dispatch_was_never_enqueued_is_swept_up(
    world_factory: Callable[..., World],
    embedded: Callable[[World], EmbeddedConsumer],
    mail: SmtpSink,
) -> None:
    world = world_factory()
    # A process that commits but dies before enqueueing: no after-commit hook at all.
    bare = build_hub(Settings.from_env(world.env))
    request = NewBooking(
        business_id=world.business.id,
        service_id=world.wash.id,
        start=in_minutes(60 * 24),
        customer=CustomerDetails(name="Ana", email="ana@example.com"),
        force=True,
    )
    booking = create_booking(bare.uow(), request, by=OPERATOR, now=utcnow())
    bare.close()
    assert world.work.huey.pending_count() == 0

    embedded(world)
    wait_until(lambda: mail.count() == 1, what="the swept-up confirmation", world=world)
    assert mail.messages[0].booking_id == booking.id
    settle(world)
    assert mail.count() == 1


def test_a_deferred_email_is_retried_until_it_goes(
    world_factory: Callable[..., World],
    embedded: Callable[[World], EmbeddedConsumer],
    mail: SmtpSink,
) -> None:
    world = world_factory()
    mail.defer["ana@example.com"] = 2
    embedded(world)
    booking = world.book(in_minutes(60 * 24), email="ana@example.com", phone=None)
    wait_until(lambda: mail.count() == 1, what="the email after two deferrals", world=world)
    settle(world)
    assert mail.count() == 1
    with world.hub.database.sessions() as session:
        log = notification_log(session, world.business.id, booking.id)
        email = session.query(DeliveryRow).filter_by(consumer="email").one()
    assert [(r.channel, r.status) for r in log] == [("email", "sent")]
    assert (email.status, email.attempts) == ("done", 3)


def test_a_delivery_that_keeps_failing_is_given_up_and_shown(
    world_factory: Callable[..., World],
    embedded: Callable[[World], EmbeddedConsumer],
    mail: SmtpSink,
) -> None:
    world = world_factory(env={"TURNERO_GIVE_UP_HOURS": "0.001"})  # 3.6 seconds
    mail.defer["ana@example.com"] = 10_000
    embedded(world)
    booking = world.book(in_minutes(60 * 24), email="ana@example.com", phone=None)
    wait_until(
        lambda: world.count(DeliveryRow, DeliveryRow.status == "failed") == 1,
        timeout=30,
        what="the delivery to be given up",
        world=world,
    )
    assert mail.count() == 0
    with world.hub.database.sessions() as session:
        log = notification_log(session, world.business.id, booking.id)
    assert [(r.channel, r.kind, r.status) for r in log] == [("email", "confirmed", "failed")]
    assert "451" in log[0].error

    status = queue_status(Settings.from_env(world.env))
    assert status.failed_deliveries == 1
    assert status.recent_failures[0].consumer == "email"
    text = status.render()
    assert "1 failed" in text
    for task in ("sweep_outbox", "send_due_reminders", "expire_holds"):
        assert task in text
    assert all(run.runs >= 1 and run.last_started_at for run in status.periodic)
