"""Cancelling a series' date and the following ones sends one signed `booking.cancelled`
webhook per date, as single cancellations do; the earlier dates send nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails
from hub.services.recurrence import Weekly
from hub.services.series import Scope
from tests.crm_webhooks.conftest import OPERATOR, World, later
from tests.crm_webhooks.receiver import Receiver


def test_cancel_this_and_following_sends_one_webhook_per_cancelled_date(
    world_factory: Callable[..., World], receiver: Receiver
) -> None:
    world = world_factory()
    sub = world.subscribe(receiver.url, event_types=["booking.cancelled"])
    receiver.secrets = [sub.secret]
    start = later(days=2).replace(minute=0, second=0, microsecond=0)
    made = world.hub.core.create_series(
        NewBooking(
            world.business.id,
            world.wash.id,
            start,
            customer=CustomerDetails("Ana Pérez", "+5491112345678", "ana@example.com"),
            force=True,
        ),
        Weekly(count=4),
        by=OPERATOR,
    )
    ids = [b.id for b in made.booked]
    assert len(ids) == 4 and world.fan_out_pending() == []
    world.hub.core.cancel_series(
        world.business.id, made.series_id, booking_id=ids[1], scope=Scope.FOLLOWING, by=OPERATOR
    )
    assert len(world.fan_out_pending()) == 3
    assert world.webhooks.drain(now=start - timedelta(days=1)).delivered == 3
    sent = receiver.of_type("booking.cancelled")
    assert sorted(r.body["data"]["id"] for r in sent) == sorted(ids[1:])
    assert {r.body["data"]["series_id"] for r in sent} == {made.series_id}
