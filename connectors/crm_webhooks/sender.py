"""HTTP side of a webhook attempt: one POST, 10 s timeout, redirects not followed, 2xx counts
as delivered; the status, the latency and the first KB of the body are kept for the delivery
log.

The URL is checked (``guard``) on every attempt and the connection goes to the address that
was checked, with the original host in ``Host`` and in TLS SNI/certificate checks. Idle
connections are kept per (scheme, checked address, port, host) and reused (keep-alive): a
connection is only reused for the very address the guard just passed, so reuse never skips
the check.

``http.client`` rather than a richer client: a webhook is one POST of a small body, and on a
busy worker the per-request cost of the client is what bounds deliveries per second.

Not here: what to send (``messages``, ``signing``) or when (``engine``).
"""

from __future__ import annotations

import http.client
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from connectors.crm_webhooks.guard import Target, UrlPolicy, UrlRefusedError

TIMEOUT_SECONDS = 10.0
RESPONSE_HEAD_BYTES = 1024
# A longer answer is not read to its end: the connection is closed instead of kept.
DRAIN_LIMIT_BYTES = 64 * 1024
USER_AGENT = "Turnero-Webhooks/1"

Request = tuple[str, dict[str, str], bytes]
_Key = tuple[str, str, int, str]


@dataclass(frozen=True, slots=True)
class AttemptResult:
    status_code: int | None  # None: no HTTP answer (refused URL, timeout, connection)
    latency_ms: int
    response_head: str = ""
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedConnection(http.client.HTTPConnection):
    """Plain HTTP to ``address``; ``host`` (the URL's) goes in the Host header."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedTlsConnection(_PinnedConnection):
    """HTTPS to ``address``, with SNI and the certificate checked against ``host``."""

    default_port = http.client.HTTPS_PORT

    def __init__(self, target: Target, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(target, timeout)
        self.tls = context

    def connect(self) -> None:
        super().connect()
        self.sock = self.tls.wrap_socket(self.sock, server_hostname=self.host)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _stale(connection: http.client.HTTPConnection) -> bool:
    """An idle keep-alive connection with something to read was closed (or spoken to) by
    the server meanwhile: not to be reused."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class _Pool:
    """Idle connections by key; any thread may take one, only one thread uses it at once."""

    def __init__(self, per_key: int) -> None:
        self.per_key = per_key
        self._idle: dict[_Key, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()

    def take(self, key: _Key) -> http.client.HTTPConnection | None:
        while True:
            with self._lock:
                idle = self._idle.get(key)
                connection = idle.pop() if idle else None
            if connection is None or not _stale(connection):
                return connection
            connection.close()

    def give(self, key: _Key, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self.per_key:
                idle.append(connection)
                return
        connection.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()


class Sender:
    """Sends webhooks; one per process, shared by worker threads (keep-alive connections
    are pooled per checked address)."""

    def __init__(
        self,
        policy: UrlPolicy,
        *,
        timeout: float = TIMEOUT_SECONDS,
        pool_size: int = 100,
        parallel: int = 16,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.policy = policy
        self.parallel = parallel
        self.timeout = timeout
        self._tls = tls or ssl.create_default_context()
        self._connections = _Pool(pool_size)
        self._pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="webhook-send")

    def send(self, url: str, headers: dict[str, str], body: bytes) -> AttemptResult:
        started = time.perf_counter()
        try:
            target = self.policy.resolve(url)
        except UrlRefusedError as exc:
            return AttemptResult(None, 0, "", f"refused: {exc.message}")
        return self._post(target, headers, body, started)

    def _post(
        self, target: Target, headers: dict[str, str], body: bytes, started: float
    ) -> AttemptResult:
        key = (target.scheme, target.address, target.port, target.host)
        all_headers = {
            **headers,
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "accept": "*/*",
        }
        path = _path(target.url)
        reused = self._connections.take(key)
        connection = reused or self._connect(target)
        try:
            try:
                status, head, keep = self._exchange(connection, path, all_headers, body)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if reused is None:
                    raise
                # A kept connection the server had just closed: once more on a fresh one
                # (the receiver saw nothing, or drops the copy by its webhook-id).
                connection.close()
                connection = self._connect(target)
                status, head, keep = self._exchange(connection, path, all_headers, body)
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            return AttemptResult(None, _ms(started), "", self._describe(exc))
        if keep:
            self._connections.give(key, connection)
        else:
            connection.close()
        text = head[:RESPONSE_HEAD_BYTES].decode("utf-8", "replace")
        error = "" if 200 <= status < 300 else f"HTTP {status}"
        return AttemptResult(status, _ms(started), text, error)

    def _connect(self, target: Target) -> http.client.HTTPConnection:
        if target.scheme == "https":
            return _PinnedTlsConnection(target, self.timeout, self._tls)
        return _PinnedConnection(target, self.timeout)

    @staticmethod
    def _exchange(
        connection: http.client.HTTPConnection,
        path: str,
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[int, bytes, bool]:
        """POST and read the answer; whether the connection can be kept."""
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        head = response.read(RESPONSE_HEAD_BYTES)
        rest = 0
        while not response.isclosed() and rest <= DRAIN_LIMIT_BYTES:
            chunk = response.read(16 * 1024)
            if not chunk:
                break
            rest += len(chunk)
        keep = response.isclosed() and not response.will_close
        return response.status, head, keep

    def send_many(
        self,
        requests: Sequence[Request],
        *,
        go_on: Callable[[], bool] | None = None,
    ) -> list[AttemptResult | None]:
        """Send several at once (one receiver's latency does not add up over a batch), at
        most ``parallel`` at a time. Each URL is checked once for the call (at send time).
        A request not started while ``go_on()`` is true is not sent: ``None``."""
        checked: dict[str, Target | UrlRefusedError] = {}
        for url, _, _ in requests:
            if url not in checked:
                try:
                    checked[url] = self.policy.resolve(url)
                except UrlRefusedError as exc:
                    checked[url] = exc

        def one(request: Request) -> AttemptResult | None:
            if go_on is not None and not go_on():
                return None
            url, headers, body = request
            target = checked[url]
            if isinstance(target, UrlRefusedError):
                return AttemptResult(None, 0, "", f"refused: {target.message}")
            return self._post(target, headers, body, time.perf_counter())

        if len(requests) <= 1:
            return [one(r) for r in requests]
        return list(self._pool.map(one, requests))

    def _describe(self, exc: BaseException) -> str:
        if isinstance(exc, TimeoutError):
            return f"timeout: no answer within {self.timeout:g} s"
        return f"{type(exc).__name__}: {exc}"

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._connections.close()


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
