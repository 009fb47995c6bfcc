"""``python -m bench reminders [--reminders 10000] [--workers N] [--processes N] [--json]``:
due reminders delivered by ``turnero worker`` processes to a local SMTP server (aiosmtpd).

Setup (not timed): a migrated SQLite database (or, with ``--postgres SERVER_URL``, a fresh
PostgreSQL database created there and dropped afterwards; or ``--database-url`` for an empty
one; add ``--redis-url`` for RedisHuey) with one business, ``--reminders`` bookings with a
customer each, and one email reminder per booking; a worker process is started and left to
settle. Timed: from the moment every reminder is made due and the periodic "send due
reminders" task is enqueued (what the worker's scheduler does every tick) until the SMTP
server has accepted one message per reminder. Then a short wait to catch duplicates.
Target (DESIGN §7): 10,000 reminders in at most 10 s with the default worker settings.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import insert, update

from hub.bootstrap import build_hub
from hub.config import Settings
from hub.domain.booking import Booking, BookingStatus
from hub.domain.model import Business, Customer, Resource, Service
from hub.persistence.migrate import migrate
from hub.wiring import install_scheduler as install
from scheduler.models import ReminderRow

ROOT = Path(__file__).resolve().parents[1]
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class Sink:
    """Counts what the SMTP server accepted, by Message-ID."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids: Counter[str] = Counter()
        self.last_at = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # Only the Message-ID is read (the server shares the machine with the worker).
        found = MESSAGE_ID.search(envelope.content.split(b"\r\n\r\n", 1)[0])
        key = found.group(1).decode() if found else ""
        with self.lock:
            self.ids[key] += 1
            self.last_at = time.perf_counter()
        return "250 OK"

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return len(self.ids), sum(self.ids.values())


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time so far of a process and its live children (Linux ``/proc``;
    None elsewhere): on a busy machine, the CPU a run needed says more than its wall time."""
    fields = _stat(pid)
    if fields is None:
        return None
    ticks = int(fields[11]) + int(fields[12])
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != pid:
            child = _stat(int(entry.name))
            if child is not None and child[1] == str(pid):
                ticks += int(child[11]) + int(child[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _total(values: list[float | None]) -> float | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def populate(settings: Settings, count: int) -> None:
    """One business, ``count`` bookings tomorrow, an email reminder each, due now."""
    hub = build_hub(settings)
    now = datetime.now(UTC)
    business = Business(
        slug="bench",
        name="Lavadero Bench",
        timezone="America/Argentina/Buenos_Aires",
        currency="ARS",
        language="es",
        country="AR",
        settings={"reminders": [{"channel": "email", "minutes_before": 60}]},
    )
    resource = Resource(business.id, "Bay", capacity=count + 1)
    service = Service(business.id, "Lavado", 30, price_minor=500_000, resource_ids=(resource.id,))
    start = now + timedelta(hours=1)
    uow = hub.database.unit_of_work()
    with uow:
        uow.businesses.add(business)
        uow.resources.add(resource)
        uow.services.add(service)
        rows: list[dict[str, Any]] = []
        for i in range(count):
            customer = Customer(business.id, f"Cliente {i}", email=f"cliente{i}@example.com")
            booking = Booking(
                business_id=business.id,
                service_id=service.id,
                resource_id=resource.id,
                customer_id=customer.id,
                start=start,
                end=start + timedelta(minutes=30),
                status=BookingStatus.CONFIRMED,
                created_at=now,
                exclusive=False,
                price_minor=500_000,
                currency="ARS",
            )
            uow.customers.add(customer)
            uow.bookings.add(booking)
            rows.append(
                {
                    "id": str(uuid.uuid4()),
                    "business_id": business.id,
                    "booking_id": booking.id,
                    "channel": "email",
                    "minutes_before": 60,
                    "start_at": start,
                    "due_at": now + timedelta(minutes=30),  # made due when timing starts
                    "status": "pending",
                    "fired_at": None,
                    "event_id": None,
                }
            )
        uow.session.flush()
        uow.session.execute(insert(ReminderRow), rows)
        uow.commit()
    hub.close()


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.postgres is None:
        return _run(args, args.database_url)
    from bench.bookings import _admin

    name = f"turnero_bench_{uuid.uuid4().hex[:10]}"
    _admin(args.postgres, f'CREATE DATABASE "{name}"')
    try:
        return _run(args, args.postgres.rsplit("/", 1)[0] + f"/{name}")
    finally:
        _admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(args: argparse.Namespace, database_url: str | None) -> dict[str, Any]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    with tempfile.TemporaryDirectory(prefix="turnero-bench-") as folder:
        env = {
            "TURNERO_DATA_DIR": folder,
            "TURNERO_DATABASE_URL": database_url or f"sqlite:///{Path(folder) / 'turnero.db'}",
            "TURNERO_SMTP_HOST": "127.0.0.1",
            "TURNERO_SMTP_PORT": str(port),
            "TURNERO_QUEUE_NAME": f"bench-{uuid.uuid4().hex[:8]}",
        }
        if args.redis_url:
            env["TURNERO_REDIS_URL"] = args.redis_url

        settings = Settings.from_env(env)
        migrate(settings.database_url)
        populate(settings, args.reminders)
        hub = build_hub(settings)
        work = install(hub)
        command = [sys.executable, "-m", "scheduler", "worker"]
        if args.workers:
            command += ["--workers", str(args.workers)]
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("TURNERO_")}
        full_env.update(env, PYTHONPATH=str(ROOT))
        log = Path(folder) / "worker.log"
        with log.open("wb") as out:
            workers = [
                subprocess.Popen(command, env=full_env, stdout=out, stderr=out)
                for _ in range(args.processes)
            ]
        try:
            time.sleep(args.warmup)  # the workers have started and run their periodic tasks
            started = time.perf_counter()
            worker_cpu = _total([cpu_seconds(w.pid) for w in workers])
            own_cpu = time.process_time()
            with hub.database.engine.begin() as conn:
                due = datetime.now(UTC) - timedelta(seconds=1)
                conn.execute(update(ReminderRow).values(due_at=due))
            work.tasks.reminders()  # what the worker's scheduler enqueues every tick
            deadline = started + args.timeout
            while sink.counts()[0] < args.reminders and time.perf_counter() < deadline:
                time.sleep(0.01)
            delivered, _ = sink.counts()
            seconds = (sink.last_at or time.perf_counter()) - started
            after = _total([cpu_seconds(w.pid) for w in workers])
            if worker_cpu is not None and after is not None:
                worker_cpu = round(after - worker_cpu, 2)
            own_cpu = round(time.process_time() - own_cpu, 2)
            time.sleep(args.settle)
            delivered, total = sink.counts()
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)
            controller.stop()
            work.huey.storage.close() if hasattr(work.huey.storage, "close") else None
            hub.close()
    return {
        "reminders": args.reminders,
        "seconds": round(seconds, 3),
        "delivered": delivered,
        "duplicates": total - delivered,
        "per_second": round(delivered / seconds, 1) if seconds > 0 else None,
        "worker_cpu_seconds": worker_cpu,
        "smtp_server_cpu_seconds": own_cpu,
        "load_average": round(os.getloadavg()[0], 2),
        "backend": ("postgres" if database_url else "sqlite")
        + ("+redis" if args.redis_url else ""),
        "workers": args.workers or "default",
        "processes": args.processes,
        "target_seconds": 10,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench reminders")
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=None, help="worker threads (default: 4)")
    parser.add_argument(
        "--processes", type=int, default=1, help="turnero worker processes (default: 1)"
    )
    parser.add_argument(
        "--postgres", default=None, help="PostgreSQL server URL to create a fresh database in"
    )
    parser.add_argument("--database-url", default=None, help="an empty database instead")
    parser.add_argument("--redis-url", default=None, help="use RedisHuey (with PostgreSQL)")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args)
    rows = [
        ("backend", result["backend"]),
        ("worker processes", result["processes"]),
        ("threads each", result["workers"]),
        ("reminders due", result["reminders"]),
        ("delivered", result["delivered"]),
        ("duplicates", result["duplicates"]),
        ("seconds", result["seconds"]),
        ("per second", result["per_second"]),
        ("worker CPU s", result["worker_cpu_seconds"]),
        ("SMTP server CPU s", result["smtp_server_cpu_seconds"]),
        ("load average", result["load_average"]),
        ("target", "<= 10 s"),
    ]
    width = max(len(name) for name, _ in rows)
    print("reminders: due reminders -> worker -> SMTP (aiosmtpd)")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    if args.json:
        print(json.dumps(result))
    ok = result["delivered"] == result["reminders"] and result["duplicates"] == 0
    return 0 if ok else 1
