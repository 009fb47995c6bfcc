"""``python -m bench bookings [--requests 2000] [--clients 64] [--web 2] [--json]``:
bookings over HTTP on PostgreSQL, many clients at once, racing for the same slots.

Setup (not timed): a fresh PostgreSQL database (``--server`` is where it is created, and
dropped afterwards; or ``--database-url`` for an empty one), migrated, with one business,
``--resources`` booths open all day and one 30-minute service; an API key. ``--web``
``turnero serve --no-worker`` processes (each one uvicorn process) serve it.

Timed: ``--clients`` clients at once send ``--requests`` ``POST /api/v1/bookings`` spread
over both web processes. One request in ``--contention`` asks for a slot another request
asks for too, so the overlap check is raced for real. Every answer must be 201 (booked) or
409 (taken); afterwards no booth holds two bookings at one time (``double_bookings``, must be
0) and every 201 is in the database.
Target (DESIGN §7): at least 400 bookings/s with 64 clients, zero double bookings.

CPU while timed (from ``/proc``, so on Linux; absent elsewhere): of the web processes, of the
benchmark's own clients, and of the whole PostgreSQL server (every backend, those that ended
included; other databases' work too, if anything else uses the server meanwhile). Per request,
these are steadier than bookings/s on a busy machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import func, select

from hub.bootstrap import build_hub
from hub.config import Settings
from hub.domain.model import Business, Resource, Service, WeeklyInterval
from hub.persistence.migrate import migrate
from hub.persistence.models import BookingRow
from hub.services.accounts import create_api_key

ROOT = Path(__file__).resolve().parents[1]
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ALL_DAY = tuple(WeeklyInterval(d, clock_time(0), clock_time(0)) for d in range(7))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _admin(server: str, statement: str) -> None:
    with psycopg.connect(server.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(statement.encode())


def populate(settings: Settings, resources: int) -> tuple[list[str], str, str]:
    """The business; returns the booth ids, the service id and a raw API key."""
    hub = build_hub(settings)
    now = datetime.now(UTC)
    business = Business(
        slug="bench-bookings",
        name="Boxes Bench",
        timezone="America/Argentina/Buenos_Aires",
        currency="ARS",
        language="es",
        country="AR",
    )
    booths = [Resource(business.id, f"Box {i}", weekly=ALL_DAY) for i in range(resources)]
    service = Service(business.id, "Pulido", 30, resource_ids=tuple(b.id for b in booths))
    uow = hub.uow()
    with uow:
        uow.businesses.add(business)
        for booth in booths:
            uow.resources.add(booth)
        uow.services.add(service)
        uow.commit()
    _, key = create_api_key(hub.accounts_uow(), business.id, "bench", now)
    hub.close()
    return [b.id for b in booths], service.id, key


def plan(
    count: int, booths: list[str], contention: int, first: datetime
) -> list[tuple[str, datetime]]:
    """``count`` (booth, start) asks: distinct slots, every ``contention``-th one a repeat."""
    asks: list[tuple[str, datetime]] = []
    for n in range(count):
        if contention and n % contention == contention - 1 and asks:
            asks.append(asks[n // 2])
            continue
        slot = len(asks)
        booth = booths[slot % len(booths)]
        asks.append((booth, first + timedelta(minutes=30 * (slot // len(booths)))))
    return asks


def _booking_body(service: str, asks: list[tuple[str, datetime]], n: int) -> dict[str, Any]:
    """The POST /bookings body of ask ``n`` (a customer of its own, forced onto the slot)."""
    booth, start = asks[n]
    return {
        "service": service,
        "resource": booth,
        "start": start.isoformat(),
        "force": True,
        "customer": {"name": f"Cliente {n}", "email": f"c{n}@example.com"},
    }


def _numbered(count: int) -> asyncio.Queue[int]:
    """0 … count - 1, for the clients to take from."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(count):
        queue.put_nowait(n)
    return queue


async def race(
    ports: list[int], key: str, service: str, asks: list[tuple[str, datetime]], clients: int
) -> tuple[float, list[int], list[float]]:
    statuses: list[int] = [0] * len(asks)
    latencies: list[float] = []
    queue = _numbered(len(asks))
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            n = queue.get_nowait()
            body = _booking_body(service, asks, n)
            port = ports[n % len(ports)]
            sent = time.perf_counter()
            answer = await http.post(
                f"http://127.0.0.1:{port}/api/v1/bookings", json=body, headers=headers
            )
            latencies.append(time.perf_counter() - sent)
            statuses[n] = answer.status_code

    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        seconds = time.perf_counter() - started
    return seconds, statuses, latencies


TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu(pid: int, children: bool = False) -> float:
    """CPU seconds of ``pid`` (with ``children``: plus its ended children's)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    used = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        used += int(fields[13]) + int(fields[14])  # cutime, cstime
    return used / TICKS


def postgres_cpu() -> float | None:
    """CPU seconds of the local PostgreSQL server so far: every postgres process, and for
    the postmaster also its ended backends. None when ``/proc`` cannot tell."""
    total, found = 0.0, False
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if not (entry / "comm").read_text().startswith("postgres"):
                continue
            parent = (entry / "stat").read_text().rpartition(")")[2].split()[1]
            is_postmaster = not Path(f"/proc/{parent}/comm").read_text().startswith("postgres")
            total += _cpu(int(entry.name), children=is_postmaster)
            found = True
        except (OSError, ValueError, IndexError):
            continue  # ended meanwhile
    return total if found else None


def web_cpu(webs: list[subprocess.Popen[bytes]]) -> float | None:
    try:
        return sum(_cpu(web.pid) for web in webs)
    except (OSError, ValueError, IndexError):
        return None


def per_request_ms(before: float | None, after: float | None, requests: int) -> float | None:
    if before is None or after is None:
        return None
    return round((after - before) * 1000 / requests, 2)


class Connection:
    """One keep-alive HTTP/1.1 connection to a web process, spoken directly: the request's
    bytes out, its status in. A load generator sharing two cores with the server should
    cost it as little as it can (httpx spends more CPU per request than the server's own
    HTTP layer); ``--client httpx`` measures with httpx instead."""

    def __init__(self, port: int, key: str) -> None:
        self.port = port
        self.head = (
            f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n"
            "Content-Type: application/json\r\nAccept: application/json\r\n"
        ).encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> int:
        if self.reader is not None and self.reader.at_eof():
            await self.close()  # the server closed it while idle: nothing was sent on it
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        request = b"POST %s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n%s" % (
            path.encode(),
            self.head,
            len(body),
            body,
        )
        self.writer.write(request)
        head = (await self.reader.readuntil(b"\r\n\r\n")).lower()
        status = int(head[9:12])
        marker = head.find(b"\r\ncontent-length:")
        if marker < 0:
            raise RuntimeError(f"an answer without Content-Length: {head!r}")
        end = head.index(b"\r\n", marker + 2)
        await self.reader.readexactly(int(head[marker + 17 : end]))
        if b"\r\nconnection: close" in head:
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()
        self.reader = self.writer = None


async def race_raw(
    ports: list[int], key: str, service: str, asks: list[tuple[str, datetime]], clients: int
) -> tuple[float, list[int], list[float]]:
    statuses: list[int] = [0] * len(asks)
    latencies: list[float] = []
    queue = _numbered(len(asks))

    async def client() -> None:
        connections = {port: Connection(port, key) for port in ports}
        try:
            while not queue.empty():
                n = queue.get_nowait()
                body = _booking_body(service, asks, n)
                sent = time.perf_counter()
                statuses[n] = await connections[ports[n % len(ports)]].post(
                    "/api/v1/bookings", json.dumps(body).encode()
                )
                latencies.append(time.perf_counter() - sent)
        finally:
            for connection in connections.values():
                await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return time.perf_counter() - started, statuses, latencies


def wait_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"web process exited:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("web process did not start")


def run(args: argparse.Namespace) -> dict[str, Any]:
    created = None
    url = args.database_url
    if url is None:
        created = f"turnero_bench_{uuid.uuid4().hex[:10]}"
        _admin(args.server, f'CREATE DATABASE "{created}"')
        url = args.server.rsplit("/", 1)[0] + f"/{created}"
    webs: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="turnero-bench-") as folder:
            env = {"TURNERO_DATA_DIR": folder, "TURNERO_DATABASE_URL": url}
            if args.redis_url:
                env["TURNERO_REDIS_URL"] = args.redis_url
            settings = Settings.from_env(env)
            migrate(settings.database_url)
            booths, service, key = populate(settings, args.resources)
            first = (datetime.now(UTC) + timedelta(days=1)).replace(
                minute=0, second=0, microsecond=0
            )
            asks = plan(args.requests, booths, args.contention, first)
            full = {k: v for k, v in os.environ.items() if not k.startswith("TURNERO_")}
            full.update(env, PYTHONPATH=str(ROOT))
            log = Path(folder) / "web.log"
            ports = [free_port() for _ in range(args.web)]
            command = [sys.executable, "-m", "hub.cli", "serve", "--no-worker"]
            with log.open("ab") as out:
                for port in ports:
                    serve = [*command, "--host", "127.0.0.1", "--port", str(port)]
                    webs.append(subprocess.Popen(serve, env=full, stdout=out, stderr=out))
            for port, web in zip(ports, webs, strict=True):
                wait_up(port, web, log)
            cpu_before = web_cpu(webs), postgres_cpu(), time.process_time()
            clients = race_raw if args.client == "raw" else race
            seconds, statuses, latencies = asyncio.run(
                clients(ports, key, service, asks, args.clients)
            )
            cpu_after = web_cpu(webs), postgres_cpu(), time.process_time()
            hub = build_hub(settings)
            with hub.database.sessions() as session:
                stored = session.scalar(select(func.count()).select_from(BookingRow)) or 0
                overlaps = session.scalar(
                    select(func.count())
                    .select_from(BookingRow)
                    .join(
                        other := BookingRow.__table__.alias("other"),
                        (other.c.resource_id == BookingRow.resource_id)
                        & (other.c.id < BookingRow.id)
                        & (other.c.start_at < BookingRow.end_at)
                        & (other.c.end_at > BookingRow.start_at),
                    )
                )
            hub.close()
    finally:
        for web in webs:
            web.terminate()
        for web in webs:
            web.wait(timeout=30)
        if created is not None:
            _admin(args.server, f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')
    answers = Counter(statuses)
    booked = answers.get(201, 0)
    ordered = sorted(latencies)
    return {
        "requests": args.requests,
        "clients": args.clients,
        "client": args.client,
        "web_processes": args.web,
        "seconds": round(seconds, 3),
        "per_second": round(args.requests / seconds, 1),
        "booked": booked,
        "refused_taken": answers.get(409, 0),
        "other_answers": {str(k): v for k, v in answers.items() if k not in (201, 409)},
        "stored": stored,
        "double_bookings": overlaps or 0,
        "latency_ms_p50": round(statistics.median(ordered) * 1000, 1),
        "latency_ms_p95": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1),
        "web_cpu_ms_per_request": per_request_ms(cpu_before[0], cpu_after[0], args.requests),
        "postgres_cpu_ms_per_request": per_request_ms(cpu_before[1], cpu_after[1], args.requests),
        "client_cpu_ms_per_request": per_request_ms(cpu_before[2], cpu_after[2], args.requests),
        "load_average": round(os.getloadavg()[0], 2),
        "target_per_second": 400,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench bookings")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--web", type=int, default=2, help="turnero serve processes")
    parser.add_argument("--resources", type=int, default=20)
    parser.add_argument("--contention", type=int, default=10, help="1 in N asks repeats one")
    parser.add_argument("--server", default=SERVER, help="PostgreSQL to create the database in")
    parser.add_argument("--database-url", default=None, help="an empty database instead")
    parser.add_argument("--redis-url", default=None)
    parser.add_argument(
        "--client", choices=("raw", "httpx"), default="raw", help="how the clients speak HTTP"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args)
    print("bookings: POST /api/v1/bookings, many clients at once, PostgreSQL")
    width = max(len(k) for k in result)
    for name, value in result.items():
        print(f"  {name:<{width}}  {value}")
    if args.json:
        print(json.dumps(result))
    ok = (
        result["double_bookings"] == 0
        and not result["other_answers"]
        and result["stored"] == result["booked"]
    )
    return 0 if ok else 1
