"""Calendar-app sign-in for ``/dav``: staff email + app password, checked by
``hub.services.accounts.authenticate_app_password`` through the hub's sign-in throttle.

Two parts share one cache of checked credentials:

- ``LoginGate``, in front of Radicale's worker threads: a request whose credentials are not
  in the cache is checked here, on a small pool of its own (``CHECK_THREADS``, argon2 being
  slow on purpose), and answered 401 or 429 (``Retry-After``) right away when they fail or
  are throttled. Failed and throttled guesses therefore never hold one of the threads that
  serve calendars, and nothing sleeps: 32 clients guessing passwords do not delay a staff
  member's sync.
- ``Logins.user_for``, called by the Radicale auth plugin on its worker thread: a cached
  login is good while the user's state (active, email, app passwords) is what it was when
  checked — one indexed read per request — so revoking a password or removing the user
  takes effect on the next request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, cast

import anyio
import anyio.to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from caldav_server import read_model
from caldav_server.base import Backend
from hub.domain.errors import AuthenticationError, TooManyAttemptsError
from hub.services.accounts import AccountsUnitOfWork, authenticate_app_password
from hub.services.login_throttle import LoginThrottle

CHECK_THREADS = 2  # argon2 checks at once (it uses a core each)
MAX_CACHED = 10_000
REALM = "Turnero"


@dataclass(frozen=True, slots=True)
class Outcome:
    user_id: str = ""  # "" when refused
    retry_after: int = 0  # > 0 when throttled


class Logins:
    """Checked credentials, remembered under a salted digest for ``cache_seconds``."""

    def __init__(self, backend: Backend, throttle: LoginThrottle, cache_seconds: float) -> None:
        self._backend = backend
        self._throttle = throttle
        self._cache_seconds = cache_seconds
        self._salt = secrets.token_bytes(16)
        self._cache: dict[str, tuple[read_model.LoginState, float]] = {}
        self._lock = threading.Lock()

    def _digest(self, login: str, password: str) -> str:
        return hashlib.sha256(self._salt + f"{login}\0{password}".encode()).hexdigest()

    def remembered(self, login: str, password: str) -> bool:
        """Whether these credentials were checked recently (memory only, no I/O)."""
        key = self._digest(login, password)
        with self._lock:
            cached = self._cache.get(key)
        return cached is not None and cached[1] > time.monotonic()

    def check(self, login: str, password: str, address: str) -> Outcome:
        """Throttle, then argon2: the full check of credentials not remembered."""
        uow = cast(AccountsUnitOfWork, self._backend.database.unit_of_work())
        try:
            user = authenticate_app_password(
                uow,
                login,
                password,
                self._backend.clock(),
                throttle=self._throttle,
                address=address,
            )
        except TooManyAttemptsError as exc:
            return Outcome(retry_after=exc.retry_after)
        except AuthenticationError:
            with self._lock:
                self._cache.pop(self._digest(login, password), None)
            return Outcome()
        with self._backend.database.sessions() as session:
            state = read_model.login_state(session, user.id)
        if state is not None:
            with self._lock:
                if len(self._cache) >= MAX_CACHED:
                    self._cache.clear()
                self._cache[self._digest(login, password)] = (
                    state,
                    time.monotonic() + self._cache_seconds,
                )
        self._backend.remember(("user", user.id), user)
        return Outcome(user.id)

    def user_for(self, login: str, password: str, address: str) -> str:
        """The user id these credentials sign in as ("" if none), for one request."""
        key = self._digest(login, password)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and cached[1] > time.monotonic():
            known = cached[0]
            state = self._backend.lookup(
                ("login", known.user.id), lambda s: read_model.login_state(s, known.user.id)
            )
            if state is not None and state == known and state.user.active:
                self._backend.remember(("user", state.user.id), state.user)
                return state.user.id
        return self.check(login, password, address).user_id


def basic_credentials(scope: Scope) -> tuple[str, str] | None:
    """(login, password) from the request's Basic ``Authorization``; None without one;
    ("", "") when it cannot be read."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, encoded = value.partition(b" ")
            if scheme.lower() != b"basic":
                return None
            try:
                text = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return "", ""
            login, colon, password = text.partition(":")
            return (login, password) if colon and login else ("", "")
    return None


class LoginGate:
    """ASGI middleware in front of the WSGI app: see the module's docstring."""

    def __init__(self, app: ASGIApp, logins: Logins) -> None:
        self.app = app
        self.logins = logins
        self._limiter: anyio.CapacityLimiter | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        credentials = basic_credentials(scope) if scope["type"] == "http" else None
        if credentials is None:
            await self.app(scope, receive, send)
            return
        login, password = credentials
        if login and self.logins.remembered(login, password):
            await self.app(scope, receive, send)
            return
        outcome = Outcome()
        if login:
            if self._limiter is None:
                self._limiter = anyio.CapacityLimiter(CHECK_THREADS)
            client = scope.get("client")
            address = str(client[0]) if client else "unknown"
            outcome = await anyio.to_thread.run_sync(
                self.logins.check, login, password, address, limiter=self._limiter
            )
        if outcome.user_id:
            await self.app(scope, receive, send)
            return
        await _refuse(send, outcome.retry_after)


async def _refuse(send: Send, retry_after: int) -> None:
    headers: list[tuple[bytes, bytes]] = [(b"content-type", b"text/plain; charset=utf-8")]
    if retry_after:
        status, body = 429, b"Too many failed sign-ins: try again later.\n"
        headers.append((b"retry-after", str(retry_after).encode()))
    else:
        status, body = 401, b"Access to the requested resource forbidden.\n"
        headers.append((b"www-authenticate", f'Basic realm="{REALM}", charset="UTF-8"'.encode()))
    headers.append((b"content-length", str(len(body)).encode()))
    start: dict[str, Any] = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body})
