"""A pending booking whose hold ran out expires by itself: its time is offered again and the
client is told."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.domain.booking import BookingStatus
from hub.domain.policies import BookingPolicy
from hub.services.availability import AvailabilityQuery, find_availability, get_booking
from scheduler.worker import EmbeddedConsumer
from tests.scheduler.conftest import CLIENT, World, settle, utcnow, wait_until
from tests.support.smtp import SmtpSink

HOLD = BookingPolicy(
    min_notice_minutes=0, horizon_days=30, requires_confirmation=True, hold_minutes=10
)


def offered(world: World, start: datetime) -> bool:
    day = start.astimezone(ZoneInfo(world.business.timezone)).date()
    query = AvailabilityQuery(world.business.id, world.detail.id, day, day)
    slots = find_availability(world.uow(), query, by=CLIENT, now=utcnow())
    return any(slot.start == start for slot in slots)


def test_an_unconfirmed_booking_expires_frees_its_slot_and_tells_the_client(
    world_factory: Callable[..., World],
    embedded: Callable[[World], EmbeddedConsumer],
    mail: SmtpSink,
) -> None:
    world = world_factory(policy=HOLD)
    tz = ZoneInfo(world.business.timezone)
    tomorrow = (utcnow().astimezone(tz) + timedelta(days=1)).date()
    start = datetime.combine(tomorrow, time(10, 0), tz)
    assert offered(world, start)

    # Booked 15 minutes ago with a 10-minute hold: the hold ran out 5 minutes ago.
    booking = world.book(
        start, by=CLIENT, now=utcnow() - timedelta(minutes=15), service=world.detail
    )
    assert booking.status is BookingStatus.PENDING
    assert not offered(world, start)

    embedded(world)
    wait_until(
        lambda: (
            get_booking(world.uow(), world.business.id, booking.id).status is BookingStatus.EXPIRED
        ),
        timeout=90,
        what="the booking to expire",
        world=world,
    )
    assert offered(world, start)
    wait_until(
        lambda: any(m.subject.startswith("Tu reserva venció") for m in mail.messages),
        timeout=90,
        what="the expiry email",
        world=world,
    )
    settle(world)
    # "We got your request" goes out only if a worker handled it before the expiry: once the
    # booking has expired it would only contradict the expiry email.
    expired = [m for m in mail.messages if m.subject.startswith("Tu reserva venció")]
    others = [m for m in mail.messages if m not in expired]
    assert len(expired) == 1
    assert all(m.subject.startswith("Recibimos tu pedido") for m in others)
    assert len(others) <= 1
    expired_mail = expired[0]
    assert expired_mail.to == ("juan@example.com",)
    assert expired_mail.itip()[0] == "CANCEL"
