"""Fixtures of the webhook tests: a backend (SQLite + SqliteHuey, or PostgreSQL + RedisHuey
with a queue of its own), a hub with the scheduler and the webhooks connector installed, a
business to book in, a verifying receiver on loopback and an SMTP server for the admin."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.crm_webhooks import subscriptions
from connectors.crm_webhooks.engine import Webhooks
from connectors.crm_webhooks.models import SubscriptionRow
from connectors.crm_webhooks.runtime import install_webhooks
from connectors.notify.mailers import SmtpMailer
from hub.bootstrap import Hub, build_hub
from hub.config import Settings
from hub.domain.accounts import Role, User
from hub.domain.booking import Booking, ChangedBy
from hub.domain.model import Business, Resource, Service
from hub.domain.policies import BookingPolicy
from hub.persistence.migrate import migrate
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from hub.services.ports import UnitOfWork
from hub.wiring import install_scheduler as install
from scheduler.config import SchedulerConfig
from scheduler.queue import build_huey
from scheduler.runtime import Scheduler
from tests.crm_webhooks.receiver import Receiver
from tests.scheduler import conftest as scheduler_fixtures
from tests.scheduler.conftest import (  # the same backends as the scheduler's tests
    OPERATOR,
    ROOT,
    Backend,
    utcnow,
)
from tests.support.smtp import SmtpSink, running_smtp_sink
from tests.support.world import ALL_DAY, argentine_business, persist

backend = scheduler_fixtures.backend  # the fixture, registered here by name


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpSink, int]]:
    for sink in running_smtp_sink():
        yield sink, sink.port


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver().start()
    yield made
    made.release.set()
    made.stop()


def environment(backend: Backend, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        "TURNERO_DATA_DIR": str(data_dir),
        "TURNERO_DATABASE_URL": backend.database_url,
        "TURNERO_QUEUE_NAME": backend.queue_name,
        "TURNERO_TICK_SECONDS": "0.5",
        "TURNERO_SWEEP_GRACE_SECONDS": "1",
        "TURNERO_WORKERS": "2",
        "TURNERO_WEBHOOK_ALLOW_HOSTS": "127.0.0.1",
    }
    if backend.redis_url:
        env["TURNERO_REDIS_URL"] = backend.redis_url
    env.update(extra)
    return env


@dataclass
class World:
    env: dict[str, str]
    hub: Hub
    work: Scheduler
    webhooks: Webhooks
    business: Business
    bay: Resource
    wash: Service
    admin: User
    subs: list[SubscriptionRow] = field(default_factory=list)

    def uow(self) -> UnitOfWork:
        return self.hub.uow()

    def book(
        self, start: datetime, *, by: ChangedBy = OPERATOR, now: datetime | None = None
    ) -> Booking:
        request = NewBooking(
            business_id=self.business.id,
            service_id=self.wash.id,
            start=start,
            customer=CustomerDetails(
                name="Ana Pérez", phone="+5491112345678", email="ana@example.com"
            ),
            force=True,
        )
        return create_booking(self.uow(), request, by=by, now=now or utcnow())

    def subscribe(self, url: str, **change: Any) -> SubscriptionRow:
        sub = subscriptions.create(
            self.hub.database,
            self.hub.settings,
            self.business.id,
            subscriptions.SubscriptionChange(url=url, **change),
            utcnow(),
        )
        self.subs.append(sub)
        return sub

    def fan_out_pending(self) -> list[str]:
        """What the scheduler does for the webhooks consumer, run here: every undispatched
        outbox event fanned out (the queue is not consumed in these tests)."""
        from sqlalchemy import select

        from hub.persistence import convert
        from hub.persistence.models import OutboxRow

        with self.hub.database.sessions() as session:
            rows = session.scalars(
                select(OutboxRow)
                .where(OutboxRow.dispatched_at.is_(None))
                .order_by(OutboxRow.created_at)
            )
            events = [convert.outbox_from_row(r) for r in rows]
        enqueue, self.webhooks.enqueue = self.webhooks.enqueue, lambda ids: None
        try:
            return self.webhooks.fan_out(events)
        finally:
            self.webhooks.enqueue = enqueue


def make_world(env: dict[str, str], mail_port: int | None = None) -> World:
    settings = Settings.from_env(env)
    migrate(settings.database_url)
    hub = build_hub(settings)
    config = SchedulerConfig.from_settings(settings)
    work = install(hub, huey=build_huey(config))
    mailer = SmtpMailer("127.0.0.1", mail_port) if mail_port else None
    webhooks = install_webhooks(hub, work.huey, work.registry, mailer=mailer)
    business = argentine_business(
        f"lavadero-{uuid.uuid4().hex[:6]}",
        "Lavadero XYZ",
        policy=BookingPolicy(min_notice_minutes=0, horizon_days=60),
    )
    bay = Resource(business.id, "Bay", capacity=500, weekly=ALL_DAY)
    wash = Service(business.id, "Lavado completo", 30, price_minor=500_000, resource_ids=(bay.id,))
    admin = User(email="duena@lavadero.example", role=Role.BUSINESS_ADMIN, business_id=business.id)
    persist(hub.database.unit_of_work(), business, bay, wash, admin)
    return World(env, hub, work, webhooks, business, bay, wash, admin)


@pytest.fixture
def world_factory(backend: Backend, tmp_path: Path) -> Iterator[Callable[..., World]]:
    made: list[World] = []

    def factory(mail_port: int | None = None, **extra: str) -> World:
        world = make_world(environment(backend, tmp_path, **extra), mail_port)
        made.append(world)
        return world

    yield factory
    for world in made:
        world.webhooks.close()
        world.hub.close()


def wait_until(check: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A worker process (scheduler + webhooks) on ``env`` only."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("TURNERO_")}
    full.update(env)
    full["PYTHONPATH"] = str(ROOT)
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.crm_webhooks.worker"],
            env=full,
            stdout=out,
            stderr=out,
            cwd=ROOT,
        )


def later(**delta: float) -> datetime:
    return utcnow() + timedelta(**delta)
