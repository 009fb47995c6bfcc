"""Fixtures of the payment tests: fake Stripe and fake MercadoPago on loopback, and the whole
hub app under uvicorn with a settable clock, a business taking a 20 % deposit through the
provider under test, and the ``payments`` consumer delivering right after each commit."""

from __future__ import annotations

import html
import random
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from connectors.payments.runtime import install_payments
from hub.app import create_app
from hub.bootstrap import Hub, build_hub
from hub.config import Settings
from hub.domain.booking import Actor, Booking, ChangedBy, Channel
from hub.domain.model import Business, Resource, Service
from hub.domain.payments import Payment
from hub.domain.policies import BookingPolicy, DepositKind, DepositRule, RefundRule
from hub.persistence.migrate import migrate
from hub.persistence.models import OutboxRow
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from scheduler.config import SchedulerConfig
from scheduler.consumers import ConsumerRegistry
from scheduler.dispatcher import Dispatcher
from tests.support.clock import Clock
from tests.support.live import LiveServer
from tests.support.payments import FakeMercadoPago, FakeStripe
from tests.support.world import (
    ALL_DAY,
    Setup,
    argentine_business,
)

OPERATOR = ChangedBy(Actor.OPERATOR, Channel.CONSOLE)
CLIENT = ChangedBy(Actor.CLIENT, Channel.PAGE)
PRICE = 10_000_00  # 10 000 ARS
DEPOSIT = 2_000_00  # 20 %
WEBHOOK_SECRET = "whsec_test_secret"


@dataclass
class World:
    hub: Hub
    clock: Clock
    http: httpx.Client
    provider: str
    stripe: FakeStripe
    mp: FakeMercadoPago
    business: Business
    service: Service

    def book(self, hours_ahead: int, business: Business | None = None) -> Booking:
        business = business or self.business
        start = (datetime.now(UTC) + timedelta(hours=hours_ahead)).replace(
            minute=0, second=0, microsecond=0
        )
        request = NewBooking(
            business_id=business.id,
            service_id=self.service.id if business is self.business else self._service_of(business),
            start=start,
            customer=CustomerDetails(
                name="Ana Pérez", phone="+5491123456789", email="ana@example.com"
            ),
        )
        return create_booking(self.hub.uow(), request, by=CLIENT, now=self.clock())

    def _service_of(self, business: Business) -> str:
        with self.hub.uow() as uow:
            return uow.services.list(business.id)[0].id

    def booking(self, booking: Booking) -> Booking:
        with self.hub.uow() as uow:
            found = uow.bookings.get(booking.business_id, booking.id)
        assert found is not None
        return found

    def payment(self, booking: Booking) -> Payment | None:
        return self.hub.core.get_payment(booking.business_id, booking.id)

    def checkout(self, booking: Booking) -> str:
        """The client follows the pay link; returns where the hub sends them."""
        return forwarded_to(self.http.get(f"/connectors/payments/pay/{booking.token}"))

    def events(self, booking: Booking) -> list[str]:
        with self.hub.database.sessions() as session:
            rows = session.scalars(select(OutboxRow).where(OutboxRow.aggregate_id == booking.id))
            return [r.type for r in rows]

    @property
    def refunds(self) -> list[dict[str, object]]:
        return list(self.stripe.refunds if self.provider == "stripe" else self.mp.refunds)

    # -- the provider tells the hub the client paid ------------------------------------------

    def pay(self, booking: Booking, **kwargs: object) -> httpx.Response:
        self.checkout(booking)
        payment = self.payment(booking)
        assert payment is not None and payment.checkout_id
        return self.notify_paid(payment.checkout_id, **kwargs)

    def notify_paid(
        self,
        checkout_id: str,
        *,
        amount: int | None = None,
        tamper: bool = False,
        age: int = 0,
        business_id: str | None = None,
    ) -> httpx.Response:
        query = {"business": business_id or self.business.id}
        # Stripe's library checks the timestamp against the system clock; MercadoPago's
        # validator is given the hub's.
        now = datetime.now(UTC) if self.provider == "stripe" else self.clock()
        ts = int(now.timestamp()) - age
        if self.provider == "stripe":
            payload = self.stripe.complete(checkout_id, amount=amount)
            signature = self.stripe.sign(payload, WEBHOOK_SECRET, ts)
            if tamper:
                payload = payload.replace(b'"paid"', b'"paid" ')
            return self.http.post(
                "/connectors/payments/stripe/webhook",
                params=query,
                content=payload,
                headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
            )
        major = Decimal(amount) / 100 if amount is not None else None
        payment_id = self.mp.pay(checkout_id, amount=major)
        request_id = str(uuid.uuid4())
        signature = self.mp.sign(payment_id, request_id, WEBHOOK_SECRET, ts)
        if tamper:
            signature = signature[:-4] + "0000"
        return self.http.post(
            "/connectors/payments/mercadopago/webhook",
            params={**query, "data.id": payment_id, "type": "payment"},
            json={"action": "payment.created", "type": "payment", "data": {"id": payment_id}},
            headers={"x-signature": signature, "x-request-id": request_id},
        )

    # -- the business refunds in the provider's dashboard -------------------------------------

    def dashboard_refund(self, provider_payment_id: str, amount: int) -> httpx.Response:
        """Refund ``amount`` (minor units) in the provider's dashboard; the provider tells the
        hub."""
        if self.provider == "stripe":
            self.stripe.dashboard_refund(provider_payment_id, amount)
        else:
            self.mp.dashboard_refund(provider_payment_id, Decimal(amount) / 100)
        return self.notify_refunded(provider_payment_id)

    def notify_refunded(self, provider_payment_id: str) -> httpx.Response:
        """The provider's notification that the payment's refunds changed, signed."""
        query = {"business": self.business.id}
        if self.provider == "stripe":
            payload = self.stripe.charge_refunded(provider_payment_id)
            return self.http.post(
                "/connectors/payments/stripe/webhook",
                params=query,
                content=payload,
                headers={
                    "Stripe-Signature": self.stripe.sign(payload, WEBHOOK_SECRET),
                    "Content-Type": "application/json",
                },
            )
        request_id = str(uuid.uuid4())
        ts = int(self.clock().timestamp())
        signature = self.mp.sign(provider_payment_id, request_id, WEBHOOK_SECRET, ts)
        return self.http.post(
            "/connectors/payments/mercadopago/webhook",
            params={**query, "data.id": provider_payment_id, "type": "payment"},
            json={
                "action": "payment.updated",
                "type": "payment",
                "data": {"id": provider_payment_id},
            },
            headers={"x-signature": signature, "x-request-id": request_id},
        )

    def outside_sale(self) -> str:
        """A payment of the same provider account not made through Turnero."""
        if self.provider == "stripe":
            return self.stripe.outside_sale(DEPOSIT, "ARS")
        return self.mp.outside_sale(Decimal(DEPOSIT) / 100, "ARS")

    def replay(self, response: httpx.Response) -> httpx.Response:
        """Deliver the same request once more (a provider retry)."""
        request = response.request
        return self.http.send(
            self.http.build_request(
                request.method, request.url, content=request.content, headers=request.headers
            )
        )


def forwarded_to(response: httpx.Response) -> str:
    """Where the pay link sends the browser: a redirect to our own pages, or the page that
    forwards it to the provider's checkout (its refresh and its link agree)."""
    if response.status_code == 303:
        return response.headers["location"]
    assert response.status_code == 200, response.text
    refresh = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', response.text)
    link = re.search(r'<a id="checkout" href="([^"]+)"', response.text)
    assert refresh and link and refresh.group(1) == link.group(1)
    return html.unescape(link.group(1))


def payments_settings(provider: str) -> dict[str, str]:
    if provider == "stripe":
        return {"provider": "stripe", "secret_key": "sk_test_1", "webhook_secret": WEBHOOK_SECRET}
    return {
        "provider": "mercadopago",
        "access_token": "APP_USR-test-1",
        "webhook_secret": WEBHOOK_SECRET,
    }


def make_business(hub: Hub, slug: str, provider: str, now: datetime) -> tuple[Business, Service]:
    owner = Setup(hub.uow, OPERATOR, now)
    business = owner.business(
        argentine_business(
            slug,
            "Lavadero",
            country=None,
            policy=BookingPolicy(hold_minutes=15, client_cancel_until_hours=1, horizon_days=30),
            deposit=DepositRule(DepositKind.PERCENT, 20),
            refund=RefundRule(full_refund_hours=24),
            settings={"payments": payments_settings(provider)},
        )
    )
    resource = owner.resource(Resource(business.id, "Juan", weekly=ALL_DAY))
    service = owner.service(
        Service(business.id, "Lavado", 60, price_minor=PRICE, resource_ids=(resource.id,))
    )
    return business, service


@pytest.fixture(scope="module")
def fakes() -> Iterator[tuple[FakeStripe, FakeMercadoPago]]:
    stripe, mp = FakeStripe().start(), FakeMercadoPago().start()
    yield stripe, mp
    stripe.stop()
    mp.stop()


@pytest.fixture(params=["stripe", "mercadopago"])
def world(
    request: pytest.FixtureRequest, sqlite_url: str, fakes: tuple[FakeStripe, FakeMercadoPago]
) -> Iterator[World]:
    yield from build_world(request.param, sqlite_url, fakes)


def build_world(
    provider: str,
    database_url: str,
    fakes: tuple[FakeStripe, FakeMercadoPago],
    *,
    settings: dict[str, Any] | None = None,
    consumers: Callable[[Hub, ConsumerRegistry], None] | None = None,
) -> Iterator[World]:
    """The world of ``provider``; ``settings`` are extra ``Settings`` fields, ``consumers``
    registers more outbox consumers (email, WhatsApp) beside the payments one."""
    stripe, mp = fakes
    stripe.refunds.clear()
    mp.refunds.clear()
    migrate(database_url)
    served = LiveServer()
    clock = Clock()
    hub = build_hub(
        Settings(
            database_url=database_url,
            base_url=served.base_url,
            stripe_api_base=stripe.url,
            mercadopago_api_base=mp.url,
            **(settings or {}),
        ),
        clock=clock,
    )
    registry = ConsumerRegistry()
    install_payments(hub, registry)
    if consumers is not None:
        consumers(hub, registry)
    config = SchedulerConfig(retry_base=timedelta(0), retry_max=timedelta(0))
    dispatcher = Dispatcher(
        hub.database.sessions, registry=registry, config=config, clock=hub.now, rng=random.Random(3)
    )

    def dispatch(ids: Sequence[str]) -> None:
        dispatcher.dispatch(ids)

    hub.on_commit(dispatch)
    business, service = make_business(hub, f"lavadero-{provider}", provider, clock())
    served.start(create_app(hub))
    http = httpx.Client(base_url=served.base_url, follow_redirects=False, timeout=20)
    try:
        yield World(hub, clock, http, provider, stripe, mp, business, service)
    finally:
        http.close()
        served.stop()
        hub.close()
