"""Benchmark of webhook delivery to a local receiver, with the default worker settings.

``python -m bench webhooks [--events 10000] [--e2e-events 2000] [--bookings 50]
[--database-url URL --redis-url URL] [--json]``

A business with one subscription. Two runs, one receiver:

1. Delivery (the headline ``per_second``): ``--events`` booking events are fanned out into
   their deliveries, then a Huey consumer with the default worker threads
   (``TURNERO_WORKERS``, 4) sends them through the ``webhooks_pump`` tasks: claim a batch,
   sign, POST concurrently, record the attempts. Seconds run from the first pump to the last
   receipt. The fan-out rate is reported on its own.
2. End to end: ``--e2e-events`` more events written to the outbox, the scheduler asked to
   dispatch them as its after-commit hook does; scheduler → webhooks consumer (fan-out) →
   pump → receiver, all on the same consumer. Only the webhooks consumer is registered.

The receiver (``bench/_webhook_receiver.py``) runs in a process of its own and verifies
every request with the ``standardwebhooks`` library. Reported: deliveries per second, events
never received over both runs (``lost``, must be 0), repeated receipts (``duplicates``,
allowed: same ``webhook-id``), requests whose signature did not verify (must be 0).

SQLite + SqliteHuey in a temporary folder by default; PostgreSQL + RedisHuey with the URL
flags (use an empty database).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as wall
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import update

from connectors.crm_webhooks import subscriptions
from connectors.crm_webhooks.models import SubscriptionRow
from connectors.crm_webhooks.runtime import install_webhooks
from hub.bootstrap import build_hub
from hub.config import Settings
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.model import Business, OutboxEvent, Resource, Service, WeeklyInterval
from hub.domain.policies import BookingPolicy
from hub.persistence import convert
from hub.persistence.migrate import migrate
from hub.persistence.models import OutboxRow
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from hub.services.events import booking_payload
from scheduler.config import SchedulerConfig
from scheduler.consumers import ConsumerRegistry
from scheduler.queue import build_huey
from scheduler.runtime import Scheduler
from scheduler.worker import EmbeddedConsumer

API = ChangedBy(Actor.INTEGRATION, Channel.API)
ALL_DAY = tuple(WeeklyInterval(d, wall(0), wall(0)) for d in range(7))


# -- the receiver (own process: bench/_webhook_receiver.py) ----------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_receiver(secret: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bench._webhook_receiver", str(port), secret],
        env=env,
        cwd=root,
    )
    url = f"http://127.0.0.1:{port}/hooks"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return process, url
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the receiver did not start")


# -- the hub side ---------------------------------------------------------------------------


def build(args: argparse.Namespace, folder: Path) -> tuple[Any, ...]:
    env = {
        "TURNERO_DATA_DIR": str(folder),
        "TURNERO_DATABASE_URL": args.database_url or f"sqlite:///{folder / 'turnero.db'}",
        "TURNERO_QUEUE_NAME": f"bench-webhooks-{uuid.uuid4().hex[:8]}",
        "TURNERO_WEBHOOK_ALLOW_HOSTS": "127.0.0.1",
    }
    if args.redis_url:
        env["TURNERO_REDIS_URL"] = args.redis_url
    settings = Settings.from_env(env)
    migrate(settings.database_url)
    hub = build_hub(settings)
    config = SchedulerConfig.from_settings(settings)
    # Only the webhooks consumer: the benchmark measures webhooks, not emails or reminders.
    work = Scheduler(hub, build_huey(config), config, ConsumerRegistry())
    webhooks = install_webhooks(hub, work.huey, work.registry)
    return hub, config, work, webhooks


def seed(hub: Any, bookings: int, url: str) -> tuple[str, list[Any]]:
    """A business with ``bookings`` bookings and one subscription to ``url``."""
    business = Business(
        slug=f"bench-{uuid.uuid4().hex[:6]}",
        name="Bench car wash",
        timezone="America/Argentina/Buenos_Aires",
        currency="ARS",
        language="es",
        policy=BookingPolicy(min_notice_minutes=0, horizon_days=60),
    )
    bay = Resource(business.id, "Bay", capacity=1000, weekly=ALL_DAY)
    wash = Service(business.id, "Wash", 30, price_minor=100_000, resource_ids=(bay.id,))
    with hub.uow() as uow:
        uow.businesses.add(business)
        uow.resources.add(bay)
        uow.services.add(wash)
        uow.commit()
    now = datetime.now(UTC)
    start = (now + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    made = [
        create_booking(
            hub.uow(),
            NewBooking(
                business_id=business.id,
                service_id=wash.id,
                start=start + timedelta(minutes=30 * (i % 40)),
                customer=CustomerDetails(name=f"Client {i}", phone=f"+54911{i:08d}"),
                force=True,
            ),
            by=API,
            now=now,
        )
        for i in range(bookings)
    ]
    with hub.database.sessions.begin() as session:  # these are not part of the run
        session.execute(update(OutboxRow).values(dispatched_at=now))
    sub = subscriptions.create(
        hub.database, hub.settings, business.id, subscriptions.SubscriptionChange(url=url), now
    )
    return sub.secret, made


def write_events(hub: Any, made: list[Any], count: int) -> list[OutboxEvent]:
    """``count`` booking.updated events in the outbox, as if just committed."""
    now = datetime.now(UTC)
    events = []
    for i in range(count):
        booking = made[i % len(made)]
        payload = booking_payload(booking)
        payload.update(actor="integration", channel="api", user_id=None, changed=["notes"])
        events.append(OutboxEvent(booking.business_id, "booking.updated", booking.id, payload, now))
    with hub.database.sessions.begin() as session:
        session.add_all([convert.outbox_to_row(e) for e in events])
    return events


def wait_for(url: str, unique: int, timeout: float) -> dict[str, Any]:
    stats: dict[str, Any] = {}
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline:
            stats = client.get(url).json()
            if stats["unique"] >= unique:
                break
            time.sleep(0.02)
    return stats


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as tmp:
        hub, config, work, webhooks = build(args, Path(tmp))
        receiver: subprocess.Popen[bytes] | None = None
        consumer = EmbeddedConsumer(work, workers=config.workers)
        try:
            secret, made = seed(hub, args.bookings, "http://127.0.0.1:9/placeholder")
            receiver, url = start_receiver(secret)
            with hub.database.sessions.begin() as session:
                session.execute(update(SubscriptionRow).values(url=url))

            # 1. Delivery: the deliveries exist (fanned out); pumps on the Huey consumer send.
            events = write_events(hub, made, args.events)
            pump, webhooks.enqueue_pump = webhooks.enqueue_pump, lambda: None
            assert pump is not None
            fan_started = time.perf_counter()
            for i in range(0, len(events), 500):
                webhooks.fan_out(events[i : i + 500])
            fan_seconds = time.perf_counter() - fan_started
            with hub.database.sessions.begin() as session:
                session.execute(update(OutboxRow).values(dispatched_at=datetime.now(UTC)))
            webhooks.enqueue_pump = pump
            consumer.start()
            started = time.perf_counter()
            for _ in range(config.workers):  # one pump per worker thread; they spread
                pump()
            stats = wait_for(url, args.events, args.timeout)
            seconds = time.perf_counter() - started

            # 2. End to end: outbox → scheduler dispatch → fan-out → pump → receiver.
            e2e = write_events(hub, made, args.e2e_events)
            e2e_started = time.perf_counter()
            ids = [e.id for e in e2e]
            for i in range(0, len(ids), config.batch_size):
                work.enqueue_dispatch(ids[i : i + config.batch_size])
            final = wait_for(url, args.events + args.e2e_events, args.timeout)
            e2e_seconds = time.perf_counter() - e2e_started
        finally:
            consumer.stop()
            if receiver is not None:
                receiver.terminate()
                receiver.wait(10)
            webhooks.close()
            hub.close()
    unique = int(stats.get("unique", 0))
    total = args.events + args.e2e_events
    final_unique = int(final.get("unique", 0))
    return {
        "events": args.events,
        "seconds": round(seconds, 3),
        "per_second": round(unique / seconds, 1) if seconds else 0.0,
        "lost": total - final_unique,
        "lost_share": round((total - final_unique) / total, 6) if total else 0.0,
        "duplicates": int(final.get("requests", 0)) - final_unique - int(final.get("invalid", 0)),
        "invalid_signatures": int(final.get("invalid", 0)),
        "fan_out_per_second": round(args.events / fan_seconds, 1) if fan_seconds else 0.0,
        "e2e_events": args.e2e_events,
        "e2e_seconds": round(e2e_seconds, 3),
        "e2e_per_second": round(args.e2e_events / e2e_seconds, 1) if e2e_seconds else 0.0,
        "workers": config.workers,
        "backend": "postgresql+redis" if args.database_url else "sqlite+sqlitehuey",
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench webhooks")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--e2e-events", type=int, default=2000)
    parser.add_argument("--bookings", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args)
    target = "≥ 1000/s" if result["per_second"] >= 1000 else "BELOW 1000/s"
    print(f"webhooks: {result['events']} events, {result['workers']} workers, {result['backend']}")
    print(f"{'what':<24}{'value':>14}")
    print(f"{'seconds':<24}{result['seconds']:>14}")
    print(f"{'deliveries/s':<24}{result['per_second']:>14}  ({target})")
    print(f"{'fan-out events/s':<24}{result['fan_out_per_second']:>14}")
    e2e = f"({result['e2e_events']} events: outbox → scheduler → receiver)"
    print(f"{'end-to-end events/s':<24}{result['e2e_per_second']:>14}  {e2e}")
    print(f"{'lost':<24}{result['lost']:>14}")
    print(f"{'duplicates':<24}{result['duplicates']:>14}")
    print(f"{'invalid signatures':<24}{result['invalid_signatures']:>14}")
    if args.json:
        print(json.dumps(result))
    return 0 if result["lost"] == 0 and result["invalid_signatures"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
