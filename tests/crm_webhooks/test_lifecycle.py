"""An endpoint that fails everything for a day is disabled and its business admin emailed;
switched back on, every failed delivery since then can be replayed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from connectors.crm_webhooks import subscriptions
from connectors.crm_webhooks.models import DeliveryRow
from hub.persistence.models import OutboxRow
from tests.crm_webhooks.conftest import World, later, utcnow
from tests.crm_webhooks.receiver import Receiver
from tests.support.smtp import SmtpSink


def test_an_endpoint_failing_for_a_day_is_disabled_the_admin_told_and_replay_recovers(
    world_factory: Callable[..., World], receiver: Receiver, smtp: tuple[SmtpSink, int]
) -> None:
    inbox, port = smtp
    world = world_factory(mail_port=port)
    sub = world.subscribe(receiver.url, event_types=["booking.created"])
    receiver.secrets = [sub.secret]
    start = later(days=2).replace(minute=0, second=0, microsecond=0)
    for hour in range(3):
        world.book(start + timedelta(hours=hour))
    ids = world.fan_out_pending()
    assert len(ids) == 3
    receiver.mode = "down"

    began = utcnow()
    step = began
    while step - began < timedelta(hours=30):
        report = world.webhooks.drain(now=step)
        if report.disabled:
            break
        step += timedelta(hours=1)
    assert report.disabled == [sub.id]
    assert timedelta(hours=24) <= step - began <= timedelta(hours=25)
    row = subscriptions.get(world.hub.database, world.business.id, sub.id)
    assert row.active is False and row.disabled_at == step
    with world.hub.database.sessions() as session:
        statuses = set(session.scalars(select(DeliveryRow.status)))
        [notice] = session.scalars(
            select(OutboxRow).where(OutboxRow.type == "webhook.endpoint_disabled")
        ).all()
    assert statuses == {"failed"}

    # The scheduler hands the notice to the webhooks' admin consumer, which emails the admin.
    world.work.dispatcher.enqueue = None
    world.work.dispatcher.dispatch([notice.id])
    [received] = inbox.messages
    to, text = received.rcpt_tos, received.text
    assert to == [world.admin.email]
    assert receiver.url in text and "24 horas" in text

    # Nothing more is sent to a disabled endpoint, even when new bookings come.
    world.book(start + timedelta(hours=5))
    assert world.fan_out_pending() == []

    # Back up and switched on: replay every failed delivery since the outage began.
    receiver.mode = "up"
    subscriptions.update(
        world.hub.database,
        world.hub.settings,
        world.business.id,
        sub.id,
        subscriptions.SubscriptionChange(active=True),
        now=step,
    )
    replayed = subscriptions.replay(
        world.hub.database, world.business.id, sub.id, step, failed_since=began - timedelta(hours=1)
    )
    assert sorted(replayed) == sorted(ids)
    assert world.webhooks.drain(now=step).delivered == 3
    delivered = [r for r in receiver.received if r.webhook_id in set(ids)]
    assert {r.webhook_id for r in delivered} == set(ids)
    assert receiver.refused == []
