"""The scaled deployment without Docker: PostgreSQL + Redis, two ``turnero serve --no-worker``
web processes and two ``turnero worker`` processes, configured only by environment.
Bookings raced across both web processes never double-book; every reminder goes out once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from hub.domain.model import Resource, Service
from hub.persistence.models import BookingRow, OutboxRow
from hub.services.accounts import create_api_key
from tests.scheduler.conftest import ROOT, World, utcnow, wait_until
from tests.support.live import free_port
from tests.support.smtp import SmtpSink
from tests.support.world import ALL_DAY

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]
SOON = {"reminders": [{"channel": "email", "minutes_before": 60}]}
BOOTHS = 8  # 16 requests at once per web process (its pool: 20 + 20 overflow)
TRIES_PER_BOOTH = 4


def turnero(*args: str) -> list[str]:
    script = shutil.which("turnero", path=str(Path(sys.executable).parent))
    return [script, *args] if script else [sys.executable, "-m", "hub.cli", *args]


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def spawn(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("TURNERO_")}
    full.update(env)
    with log.open("ab") as out:
        return subprocess.Popen(turnero(*args), env=full, stdout=out, stderr=out, cwd=ROOT)


def wait_for_http(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    def up() -> bool:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            return httpx.get(url, timeout=1).status_code < 500
        except httpx.TransportError:
            return False

    wait_until(up, timeout=90, what=f"{url} to answer")


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_two_web_and_two_worker_processes(
    world_factory: Callable[..., World],
    mail: SmtpSink,
    tmp_path: Path,
    processes: list[subprocess.Popen[bytes]],
) -> None:
    world = world_factory(SOON)
    booths = [Resource(world.business.id, f"Box {i}", weekly=ALL_DAY) for i in range(BOOTHS)]
    polish = Service(world.business.id, "Pulido", 30, resource_ids=tuple(b.id for b in booths))
    uow = world.hub.uow()
    with uow:
        for booth in booths:
            uow.resources.add(booth)
        uow.services.add(polish)
        uow.commit()
    _, api_key = create_api_key(world.hub.accounts_uow(), world.business.id, "race", utcnow())

    log = tmp_path / "processes.log"
    ports = [free_port(), free_port()]
    webs = [
        spawn(world.env, log, "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(p))
        for p in ports
    ]
    processes += webs
    processes += [spawn(world.env, log, "worker") for _ in range(2)]
    for port, web in zip(ports, webs, strict=True):
        wait_for_http(f"http://127.0.0.1:{port}/api/v1/openapi.json", web, log)

    # Every booth is asked for the same time four times, through both web processes at once.
    start = utcnow() + timedelta(minutes=60, seconds=15)
    attempts = [(booth, n) for booth in booths for n in range(TRIES_PER_BOOTH)]

    def book(attempt: tuple[Resource, int]) -> int:
        booth, n = attempt
        port = ports[n % 2]
        body = {
            "service": polish.id,
            "resource": booth.id,
            "start": start.isoformat(),
            "force": True,
            "customer": {"name": f"Cliente {n}", "email": f"c{n}-{booth.name[-1]}@example.com"},
        }
        response = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/bookings",
            json=body,
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=180,
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        statuses = Counter(pool.map(book, attempts))
    assert statuses == {201: BOOTHS, 409: BOOTHS * (TRIES_PER_BOOTH - 1)}, statuses
    with world.hub.database.sessions() as session:
        per_booth = Counter(
            session.scalars(
                select(BookingRow.resource_id).where(BookingRow.service_id == polish.id)
            )
        )
    assert per_booth == {b.id: 1 for b in booths}  # no double booking

    def kinds() -> Counter[tuple[str, str]]:
        with world.hub.database.sessions() as session:
            types = dict(session.execute(select(OutboxRow.id, OutboxRow.type)).all())
        return Counter((m.booking_id, types.get(m.event_id, "?")) for m in mail.messages)

    wait_until(
        lambda: sum(1 for (_, kind) in kinds() if kind == "booking.reminder") == BOOTHS,
        timeout=120,
        what="a reminder per booking",
        world=world,
    )
    time.sleep(3)  # anything sent twice would have arrived by now
    seen = kinds()
    assert sorted(seen.values()) == [1] * (2 * BOOTHS)  # one confirmation, one reminder each
    assert Counter(kind for _, kind in seen) == {
        "booking.created": BOOTHS,
        "booking.reminder": BOOTHS,
    }
