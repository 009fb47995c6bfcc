"""``turnero serve`` as a separate process on loopback (so its memory can be read from
/proc), over a SQLite database holding a business and a staff member with a calendar app
password, and a raw HTTP/1.1 client that can send bodies the way an attacker does: a huge
Content-Length, an endless chunked stream, a trickle.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from hub.bootstrap import build_hub
from hub.config import Settings
from hub.domain.accounts import Role
from hub.services import accounts
from tests.api.conftest import LiveHub, serve_hub
from tests.api.tenants import Tenant, create_tenant
from tests.support.clock import Clock
from tests.support.live import free_port

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024


def rss_bytes(pid: int) -> int:
    """The resident memory of process ``pid`` (VmRSS in /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


@dataclass
class Served:
    """The served hub: its process, address, one business and a staff member's CalDAV login."""

    process: subprocess.Popen[bytes]
    port: int
    tenant: Tenant
    staff_id: str
    staff_email: str
    app_password: str
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def rss(self) -> int:
        return rss_bytes(self.process.pid)

    @property
    def calendar_path(self) -> str:
        return f"/dav/{self.staff_id}/{self.tenant.resources[0].id}/"


def _prepare(database_url: str) -> tuple[Tenant, str, str, str]:
    hub = build_hub(Settings(database_url=database_url))
    try:
        live = LiveHub("http://127.0.0.1", hub, database_url, Clock())
        tenant = create_tenant(live, timezone="America/Argentina/Buenos_Aires")
        email = f"admin@{tenant.slug}.test"
        user = accounts.create_user(
            hub.accounts_uow(),
            business_id=tenant.business.id,
            email=email,
            role=Role.BUSINESS_ADMIN,
            now=hub.now(),
        )
        password = accounts.create_app_password(hub.accounts_uow(), user.id, hub.now())
    finally:
        hub.close()
    return tenant, user.id, email, password


def serve(database_url: str, tmp_path: Path, env: dict[str, str] | None = None) -> Iterator[Served]:
    tenant, staff_id, email, password = _prepare(database_url)
    port = free_port()
    log = tmp_path / "serve.log"
    full = {k: v for k, v in os.environ.items() if not k.startswith("TURNERO_")}
    full.update(
        {
            "TURNERO_DATA_DIR": str(tmp_path),
            "TURNERO_DATABASE_URL": database_url,
            "TURNERO_BASE_URL": f"http://127.0.0.1:{port}",
            **(env or {}),
        }
    )
    script = shutil.which("turnero", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "hub.cli"]
    args = ["serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("ab") as out:
        process = subprocess.Popen([*command, *args], env=full, stdout=out, stderr=out, cwd=ROOT)
    served = Served(process, port, tenant, staff_id, email, password, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                if httpx.get(f"{served.base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "turnero serve did not start"
            time.sleep(0.1)
        yield served
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def live_hub(database_url: str) -> Iterator[LiveHub]:
    """The app under uvicorn in this process, on SQLite then PostgreSQL."""
    live, server = serve_hub(database_url)
    try:
        yield live
    finally:
        server.stop()
        live.hub.close()


@pytest.fixture
def served(sqlite_url: str, tmp_path: Path) -> Iterator[Served]:
    """The hub under ``turnero serve`` with the default limits."""
    yield from serve(sqlite_url, tmp_path)


@pytest.fixture
def served_impatient(sqlite_url: str, tmp_path: Path) -> Iterator[Served]:
    """The hub with a 2-second body timeout (so a trickling client is cut off quickly)."""
    yield from serve(sqlite_url, tmp_path, {"TURNERO_BODY_TIMEOUT_SECONDS": "2"})


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    sent: int  # body bytes the client managed to send


class RawClient:
    """One HTTP/1.1 connection, written byte by byte as a test needs."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 256 * 1024)
        self.sent = 0

    def close(self) -> None:
        self.sock.close()

    def head(self, method: str, path: str, headers: dict[str, str]) -> None:
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())

    def answered(self) -> bool:
        """Whether the server has written something (an answer) already."""
        readable, _, _ = select.select([self.sock], [], [], 0)
        return bool(readable)

    def send_body(self, chunks: Iterator[bytes]) -> None:
        """Send ``chunks`` until they end, the server answers, or it closes the connection."""
        for chunk in chunks:
            if self.answered():
                return
            try:
                self.sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                return
            self.sent += len(chunk)

    def answer(self) -> Answer:
        """Read one answer (its body by Content-Length)."""
        data = b""
        while b"\r\n\r\n" not in data:
            piece = self.sock.recv(65536)
            if not piece:
                raise AssertionError(f"connection closed without an answer: {data!r}")
            data += piece
        head, _, rest = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            piece = self.sock.recv(65536)
            if not piece:
                break
            rest += piece
        return Answer(int(status_line.split()[1]), headers, rest[:length], self.sent)


def chunked(total: int, size: int = MIB) -> Iterator[bytes]:
    """``total`` bytes of body in chunked transfer coding, ``size`` per chunk."""
    piece = b"x" * size
    frame = f"{size:x}\r\n".encode() + piece + b"\r\n"
    for _ in range(total // size):
        yield frame
    yield b"0\r\n\r\n"


def plain(total: int, size: int = MIB) -> Iterator[bytes]:
    piece = b"x" * size
    for _ in range(total // size):
        yield piece
