"""The hold for paying meets each provider's limits: a business that holds unpaid bookings
for 25 hours still gets a Stripe checkout (Stripe takes 30 minutes to 24 hours), lasting 24
hours; a 15-minute hold gets one lasting Stripe's minimum while the hub keeps its own hold."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from hub.domain.booking import Actor, ChangedBy, Channel
from hub.services import setup
from tests.payments.conftest import World, build_world
from tests.support.payments import FakeMercadoPago, FakeStripe

ADMIN = ChangedBy(Actor.OPERATOR, Channel.CONSOLE)


@pytest.fixture
def stripe_world(sqlite_url: str, fakes: tuple[FakeStripe, FakeMercadoPago]) -> Iterator[World]:
    yield from build_world("stripe", sqlite_url, fakes)


def _hold(world: World, minutes: int) -> None:
    business = setup.find_business(world.hub.uow(), business_id=world.business.id)
    business.policy = replace(business.policy, hold_minutes=minutes)
    setup.update_business(world.hub.uow(), business, by=ADMIN, now=world.hub.now())


def _expiry(world: World, location: str) -> int:
    session = world.stripe.sessions[location.rstrip("/").rsplit("/", 1)[1]]
    return int(session["expires_at"]) - int(time.time())


def test_a_25_hour_hold_still_gets_a_stripe_checkout(stripe_world: World) -> None:
    world = stripe_world
    _hold(world, 25 * 60)
    booking = world.book(hours_ahead=72)
    location = world.checkout(booking)
    assert location.startswith(world.stripe.url + "/checkout"), location
    assert 23 * 3600 < _expiry(world, location) <= 24 * 3600


def test_a_15_minute_hold_gets_stripes_shortest_checkout(stripe_world: World) -> None:
    world = stripe_world
    _hold(world, 15)
    booking = world.book(hours_ahead=72)
    location = world.checkout(booking)
    assert 30 * 60 <= _expiry(world, location) <= 32 * 60
    assert world.booking(booking).hold_until is not None
