"""A business switching payment provider from the console's use case: deposits already paid
through the old provider are still refunded by policy, the old provider's webhooks still
reach them, and new deposits go through the new one. Credentials are sealed as the console
and the API store them; the business started from settings written before (plain, flat)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet

from connectors.payments import setup as payments_setup
from hub.domain.payments import PaymentStatus
from hub.services.booking_status import cancel_booking
from hub.services.payment_settings import save_payments
from tests.payments.conftest import (
    OPERATOR,
    WEBHOOK_SECRET,
    World,
    build_world,
    forwarded_to,
)
from tests.support.payments import FakeMercadoPago, FakeStripe

OTHER = {"stripe": "mercadopago", "mercadopago": "stripe"}
NEW_CREDENTIALS = {
    "stripe": {
        "stripe_secret_key": "sk_test_new_account",
        "stripe_webhook_secret": "whsec_new_account_1",
    },
    "mercadopago": {
        "mercadopago_access_token": "APP_USR-new-account",
        "mercadopago_webhook_secret": "new-mp-secret",
    },
}


@pytest.fixture(params=["stripe", "mercadopago"])
def sealed_world(
    request: pytest.FixtureRequest, sqlite_url: str, fakes: tuple[FakeStripe, FakeMercadoPago]
) -> Iterator[World]:
    key = Fernet.generate_key().decode()
    yield from build_world(request.param, sqlite_url, fakes, settings={"encryption_key": key})


def switch(world: World) -> str:
    new = OTHER[world.provider]
    values = {"provider": new, **NEW_CREDENTIALS[new]}
    change = payments_setup.change_of(values, world.hub.settings.encryption_key)
    save_payments(world.hub.uow(), world.business.id, change, by=OPERATOR, now=world.clock())
    return new


def test_deposits_paid_before_switching_are_still_refunded(sealed_world: World) -> None:
    world = sealed_world
    booking = world.book(hours_ahead=72)
    assert world.pay(booking).status_code == 200
    new = switch(world)
    with world.hub.uow() as uow:
        business = uow.businesses.get(world.business.id)
    assert business is not None
    stored = business.settings["payments"]
    assert stored["provider"] == new
    assert all(str(v).startswith("fernet:") for v in stored[new].values())
    assert (
        payments_setup.credentials(world.hub.settings, business, world.provider)["webhook_secret"]
        == WEBHOOK_SECRET
    )

    cancel_booking(world.hub.uow(), world.business.id, booking.id, by=OPERATOR, now=world.clock())
    assert len(world.refunds) == 1  # through the provider it was paid with
    payment = world.payment(booking)
    assert payment is not None and payment.status is PaymentStatus.REFUNDED


def test_the_old_providers_webhooks_keep_working_and_new_deposits_use_the_new_one(
    sealed_world: World,
) -> None:
    world = sealed_world
    booking = world.book(hours_ahead=72)
    world.checkout(booking)
    new = switch(world)
    # The client pays the checkout opened before the switch: the old provider's notice lands.
    payment = world.payment(booking)
    assert payment is not None and payment.checkout_id
    assert world.notify_paid(payment.checkout_id).status_code == 200
    paid = world.payment(booking)
    assert paid is not None and paid.paid and paid.provider == world.provider
    # A refund made in the old provider's dashboard still reaches the booking.
    assert paid.provider_payment_id
    world.clock.offset = timedelta(minutes=1)
    assert world.dashboard_refund(paid.provider_payment_id, paid.amount_minor).status_code == 200
    refunded = world.payment(booking)
    assert refunded is not None and refunded.status is PaymentStatus.REFUNDED

    later = world.book(hours_ahead=96)
    target = forwarded_to(world.http.get(f"/connectors/payments/pay/{later.token}"))
    fake = world.stripe if new == "stripe" else world.mp
    assert target.startswith(fake.url)
    second = world.payment(later)
    assert second is not None and second.provider == new
