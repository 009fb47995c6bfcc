"""One body-size limit and one body-time limit for every request, applied before the body is
read: an ASGI middleware in front of every mount.

- A ``Content-Length`` over the route's limit is answered 413 at once; the app is not called
  and no byte of the body is read (uvicorn reads nothing until the app asks).
- A chunked body is counted as the app reads it: past the limit the read fails, nothing more
  is read, and the answer is 413 — whatever the app was about to answer (it had a partial
  body and must not act on it).
- Reading the body may keep the app waiting at most ``timeout_seconds`` in all (the time spent
  waiting for the client's bytes, not the app's own work): a trickling client gets 408 and
  frees what it held — in particular a CalDAV worker thread, which reads the body blocking.

Both refusals close the connection, so the rest of an oversized body is never read.

Not here: what the answer looks like (``Refuse``, given by the app factory) or which routes
get which limit (``BodyLimits``, built by the app factory from the settings).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request is refused at the edge; the app factory turns it into an answer."""

    status: int
    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)


Refuse = Callable[[Scope, Refusal], Response]


class BodyRefusedError(Exception):
    """Raised into the app by ``receive`` when the body broke a limit."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class BodyRule:
    """Requests whose path starts with ``prefix`` (and whose method is one of ``methods``;
    any method when empty) may send up to ``max_bytes``."""

    prefix: str
    max_bytes: int
    methods: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class BodyLimits:
    """The largest body per route (the first rule that matches, else ``default_bytes``) and
    the longest a request may keep the app waiting for its body."""

    default_bytes: int
    timeout_seconds: float
    rules: tuple[BodyRule, ...] = ()

    def max_bytes(self, method: str, path: str) -> int:
        for rule in self.rules:
            if path.startswith(rule.prefix) and (not rule.methods or method in rule.methods):
                return rule.max_bytes
        return self.default_bytes


def too_large(limit: int) -> Refusal:
    return Refusal(
        413,
        "body_too_large",
        f"the request body is larger than {limit} bytes, the limit for this address",
        {"limit_bytes": limit},
    )


def too_slow(seconds: float) -> Refusal:
    return Refusal(
        408,
        "body_timeout",
        f"the request body did not arrive within {seconds:g} seconds",
        {"timeout_seconds": seconds},
    )


def _framing(scope: Scope) -> tuple[int | None, bool]:
    """The declared Content-Length (None when absent) and whether the body is chunked."""
    length: int | None = None
    chunked = False
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                length = None
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
    return length, chunked


class _Guarded:
    """The ``receive`` and ``send`` one request's app sees."""

    def __init__(self, receive: Receive, send: Send, limit: int, timeout: float) -> None:
        self._receive = receive
        self._send = send
        self._limit = limit
        self._timeout = timeout
        self._waited = 0.0
        self._count = 0
        self._complete = False
        self.refusal: Refusal | None = None
        self.response_started = False

    async def receive(self) -> Message:
        if self.refusal is not None:
            raise BodyRefusedError(self.refusal)
        if self._complete:
            # After the body only http.disconnect can come; waiting for it is not a body read.
            return await self._receive()
        began = time.monotonic()
        message: Message | None = None
        with anyio.move_on_after(self._timeout - self._waited):
            message = await self._receive()
        self._waited += time.monotonic() - began
        if message is None:
            self.refusal = too_slow(self._timeout)
            raise BodyRefusedError(self.refusal)
        if message["type"] == "http.request":
            self._count += len(message.get("body", b""))
            if self._count > self._limit:
                self.refusal = too_large(self._limit)
                raise BodyRefusedError(self.refusal)
            self._complete = not message.get("more_body", False)
        else:
            self._complete = True
        return message

    async def send(self, message: Message) -> None:
        if self.refusal is not None and not self.response_started:
            return  # the app answers a body it never got whole: the refusal answers instead
        if message["type"] == "http.response.start":
            self.response_started = True
        await self._send(message)


class BodyLimitMiddleware:
    """Applies ``limits`` to every HTTP request; ``refuse`` renders a refusal."""

    def __init__(self, app: ASGIApp, limits: BodyLimits, refuse: Refuse) -> None:
        self.app = app
        self.limits = limits
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.max_bytes(scope["method"], scope["path"])
        length, chunked = _framing(scope)
        if length is not None and length > limit:
            await self._answer(scope, receive, send, too_large(limit))
            return
        if not chunked and not length:
            await self.app(scope, receive, send)  # no body to wait for or count
            return
        guarded = _Guarded(receive, send, limit, self.limits.timeout_seconds)
        try:
            await self.app(scope, guarded.receive, guarded.send)
        except Exception:
            if guarded.refusal is None or guarded.response_started:
                raise
        if guarded.refusal is not None and not guarded.response_started:
            await self._answer(scope, receive, send, guarded.refusal)

    async def _answer(self, scope: Scope, receive: Receive, send: Send, refusal: Refusal) -> None:
        response = self.refuse(scope, refusal)
        response.headers["Connection"] = "close"  # the rest of the body is never read
        await response(scope, receive, send)
