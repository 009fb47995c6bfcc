"""One HTTP POST of a signed webhook: httpx, 10 s timeout, redirects never followed, 2xx is
delivered; whatever the answer, the status, the latency and the first KB of the body are
kept for the delivery log.

The URL is checked (``guard``) on every attempt and the connection goes to the address that
was checked, with the original host in ``Host`` and in TLS SNI/certificate checks.

Not here: what to send (``events``, ``signing``) or when (``delivery``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from connectors.crm_webhooks.guard import Target, UrlPolicy, UrlRefusedError

TIMEOUT_SECONDS = 10.0
RESPONSE_HEAD_BYTES = 1024
USER_AGENT = "Turnero-Webhooks/1"


@dataclass(frozen=True, slots=True)
class AttemptResult:
    status_code: int | None  # None: no HTTP answer (refused URL, timeout, connection)
    latency_ms: int
    response_head: str = ""
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _pinned(target: Target) -> tuple[str, str]:
    """The URL to request (host replaced by the checked address) and the Host header."""
    address = f"[{target.address}]" if ":" in target.address else target.address
    default = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default else f"{target.host}:{target.port}"
    rest = target.url.split("://", 1)[1]
    path_start = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    return f"{target.scheme}://{address}:{target.port}{rest[path_start:]}", host_header


class Sender:
    """Sends webhooks; one per process, shared by worker threads (httpx pools connections)."""

    def __init__(
        self,
        policy: UrlPolicy,
        *,
        timeout: float = TIMEOUT_SECONDS,
        pool_size: int = 100,
        parallel: int = 16,
    ) -> None:
        self.policy = policy
        self.parallel = parallel
        self._pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="webhook-send")
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size),
            headers={"user-agent": USER_AGENT},
        )

    def send(self, url: str, headers: dict[str, str], body: bytes) -> AttemptResult:
        started = time.perf_counter()
        try:
            target = self.policy.resolve(url)
        except UrlRefusedError as exc:
            return AttemptResult(None, 0, "", f"refused: {exc.message}")
        request_url, host = _pinned(target)
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        all_headers = {**headers, "host": host, "content-type": "application/json"}
        try:
            with self._client.stream(
                "POST", request_url, content=body, headers=all_headers, extensions=extensions
            ) as response:
                head = b""
                for chunk in response.iter_bytes():
                    head += chunk
                    if len(head) >= RESPONSE_HEAD_BYTES:
                        break
                status = response.status_code
        except httpx.HTTPError as exc:
            return AttemptResult(None, _ms(started), "", f"{type(exc).__name__}: {exc}")
        text = head[:RESPONSE_HEAD_BYTES].decode("utf-8", "replace")
        error = "" if 200 <= status < 300 else f"HTTP {status}"
        return AttemptResult(status, _ms(started), text, error)

    def send_many(
        self, requests: Sequence[tuple[str, dict[str, str], bytes]]
    ) -> list[AttemptResult]:
        """Send several at once (one receiver's latency does not add up over a batch)."""
        if len(requests) <= 1:
            return [self.send(*r) for r in requests]
        return list(self._pool.map(lambda r: self.send(*r), requests))

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._client.close()


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
