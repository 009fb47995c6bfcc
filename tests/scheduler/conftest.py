"""Fixtures of the scheduler tests: a backend (SQLite + SqliteHuey, or PostgreSQL + RedisHuey
with a queue of its own), a business set up on it, the SMTP server and the fake Graph API,
and helpers to run workers in this process or as ``python -m scheduler worker``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from huey import Huey
from sqlalchemy import func, select

from hub.bootstrap import Hub, build_hub
from hub.config import Settings
from hub.domain.booking import Actor, Booking, ChangedBy, Channel
from hub.domain.model import Business, Resource, Service
from hub.domain.policies import BookingPolicy
from hub.persistence.migrate import migrate
from hub.persistence.models import OutboxRow
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from hub.services.ports import UnitOfWork
from hub.wiring import install_scheduler as install
from scheduler.models import DeliveryRow
from scheduler.runtime import Scheduler
from scheduler.worker import EmbeddedConsumer
from tests.support.smtp import SmtpSink, running_smtp_sink
from tests.support.whatsapp import FakeWhatsAppGraph, approve_shipped
from tests.support.world import ALL_DAY, argentine_business, persist

OPERATOR = ChangedBy(Actor.OPERATOR, Channel.CONSOLE)
CLIENT = ChangedBy(Actor.CLIENT, Channel.PAGE)
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str
    redis_url: str | None
    queue_name: str


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.redis])]
)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """SQLite with SqliteHuey, or PostgreSQL with RedisHuey (a queue name of its own)."""
    queue = f"turnero-test-{uuid.uuid4().hex[:10]}"
    if request.param == "sqlite":
        yield Backend("sqlite", f"sqlite:///{tmp_path / 'turnero.db'}", None, queue)
        return
    url = cast(str, request.getfixturevalue("fresh_postgres_url"))
    redis_url = cast(str, request.getfixturevalue("redis_url"))
    yield Backend("postgres", url, redis_url, queue)
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"huey.*{queue}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def mail() -> Iterator[SmtpSink]:
    yield from running_smtp_sink()


@pytest.fixture
def graph() -> Iterator[FakeWhatsAppGraph]:
    fake = FakeWhatsAppGraph("wa-token").start()
    approve_shipped(fake)
    yield fake
    fake.stop()


def environment(
    backend: Backend, data_dir: Path, mail: SmtpSink, graph: FakeWhatsAppGraph | None, **extra: str
) -> dict[str, str]:
    env = {
        "TURNERO_DATA_DIR": str(data_dir),
        "TURNERO_DATABASE_URL": backend.database_url,
        "TURNERO_QUEUE_NAME": backend.queue_name,
        "TURNERO_SMTP_HOST": mail.host,
        "TURNERO_SMTP_PORT": str(mail.port),
        "TURNERO_SMTP_FROM": "turnos@lavadero.example",
        "TURNERO_TICK_SECONDS": "0.5",
        "TURNERO_DELIVERY_LEASE_SECONDS": "3",
        "TURNERO_SWEEP_GRACE_SECONDS": "1",
        "TURNERO_RETRY_BASE_SECONDS": "0.2",
        "TURNERO_RETRY_MAX_SECONDS": "1",
        "TURNERO_WORKERS": "2",
    }
    if backend.redis_url:
        env["TURNERO_REDIS_URL"] = backend.redis_url
    if graph is not None:
        env["TURNERO_WHATSAPP_GRAPH_URL"] = graph.url
    env.update(extra)
    return env


@dataclass
class World:
    """A car wash with an always-open bay for 500 cars at a time, a one-car detailing
    booth, and its hub."""

    env: dict[str, str]
    hub: Hub
    work: Scheduler
    business: Business
    bay: Resource
    wash: Service
    booth: Resource
    detail: Service

    def uow(self) -> UnitOfWork:
        return self.hub.uow()

    def book(
        self,
        start: datetime,
        *,
        name: str = "Juan Pérez",
        email: str | None = "juan@example.com",
        phone: str | None = "+5491112345678",
        invitees: tuple[str, ...] = (),
        by: ChangedBy = OPERATOR,
        now: datetime | None = None,
        service: Service | None = None,
    ) -> Booking:
        request = NewBooking(
            business_id=self.business.id,
            service_id=(service or self.wash).id,
            start=start,
            customer=CustomerDetails(name=name, phone=phone, email=email),
            invitees=invitees,
            force=by.actor is not Actor.CLIENT,
        )
        return create_booking(self.uow(), request, by=by, now=now or utcnow())

    def count(self, model: Any, *where: Any) -> int:
        with self.hub.database.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    def idle(self) -> bool:
        """Nothing left to dispatch or deliver right now."""
        return (
            self.count(OutboxRow, OutboxRow.dispatched_at.is_(None)) == 0
            and self.count(DeliveryRow, DeliveryRow.status == "pending") == 0
            and self.work.huey.pending_count() == 0
        )


def describe(world: World) -> str:
    """What the background tables hold, for failure messages."""
    from sqlalchemy import text

    queries = {
        "outbox": "SELECT type, count(*), count(dispatched_at) FROM outbox_events GROUP BY type",
        "deliveries": "SELECT consumer, event_type, status, count(*), max(attempts), "
        "max(last_error) FROM deliveries GROUP BY consumer, event_type, status",
        "reminders": "SELECT status, count(*) FROM reminders GROUP BY status",
        "runs": "SELECT name, last_status, runs, last_summary FROM periodic_runs",
    }
    lines = [
        f"huey pending={world.work.huey.pending_count()} "
        f"scheduled={world.work.huey.scheduled_count()}"
    ]
    with world.hub.database.engine.connect() as conn:
        for name, sql in queries.items():
            lines.append(f"{name}: {[tuple(r) for r in conn.execute(text(sql))]}")
    return "\n".join(lines)


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_world(
    env: dict[str, str],
    *,
    settings: dict[str, Any] | None = None,
    policy: BookingPolicy | None = None,
    huey: Huey | None = None,
) -> World:
    hub_settings = Settings.from_env(env)
    migrate(hub_settings.database_url)
    hub = build_hub(hub_settings)
    work = install(hub, huey=huey)
    business = argentine_business(
        "lavadero",
        "Lavadero XYZ",
        policy=policy or BookingPolicy(min_notice_minutes=0, horizon_days=30),
        settings=settings or {},
    )
    bay = Resource(business.id, "Bay", capacity=500, weekly=ALL_DAY)
    wash = Service(business.id, "Lavado completo", 30, price_minor=500_000, resource_ids=(bay.id,))
    booth = Resource(business.id, "Cabina", weekly=ALL_DAY)
    detail = Service(business.id, "Detallado", 30, price_minor=900_000, resource_ids=(booth.id,))
    persist(hub.uow(), business, bay, wash, booth, detail)
    return World(env, hub, work, business, bay, wash, booth, detail)


@pytest.fixture
def world_factory(
    backend: Backend, tmp_path: Path, mail: SmtpSink, graph: FakeWhatsAppGraph
) -> Iterator[Callable[..., World]]:
    made: list[World] = []

    def factory(settings: dict[str, Any] | None = None, **kwargs: Any) -> World:
        env = environment(backend, tmp_path, mail, graph, **kwargs.pop("env", {}))
        world = make_world(env, settings=settings, **kwargs)
        made.append(world)
        return world

    yield factory
    for world in made:
        world.work.huey.storage.close() if hasattr(world.work.huey.storage, "close") else None
        world.hub.close()


@pytest.fixture
def embedded() -> Iterator[Callable[[World], EmbeddedConsumer]]:
    """Start a consumer in this process for a world (stopped at the end)."""
    started: list[EmbeddedConsumer] = []

    def start(world: World) -> EmbeddedConsumer:
        consumer = EmbeddedConsumer(world.work, workers=2)
        consumer.start()
        started.append(consumer)
        return consumer

    yield start
    for consumer in started:
        consumer.stop()


def whatsapp_settings(graph: FakeWhatsAppGraph) -> dict[str, Any]:
    return {"whatsapp": {"phone_number_id": "1234567890", "token": graph.token}}


def wait_until(
    check: Callable[[], bool],
    timeout: float = 30.0,
    what: str = "condition",
    world: World | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    state = f"\n{describe(world)}" if world is not None else ""
    raise AssertionError(f"timed out waiting for {what}{state}")


def settle(world: World, timeout: float = 30.0) -> None:
    """Wait until the world is idle twice in a row."""
    wait_until(lambda: world.idle() and (time.sleep(0.2) is None) and world.idle(), timeout, "idle")


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``python -m scheduler worker`` in a process of its own, on ``env`` only."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("TURNERO_")}
    full.update(env)
    full["PYTHONPATH"] = str(ROOT)
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "scheduler", "worker"],
            env=full,
            stdout=out,
            stderr=out,
            cwd=ROOT,
        )


def in_minutes(minutes: float, seconds: float = 0) -> datetime:
    return utcnow() + timedelta(minutes=minutes, seconds=seconds)
