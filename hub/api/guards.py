"""What runs around every handler: bearer-key authentication, the public-write rate limit and
Idempotency-Key replay. The registry calls these; handlers never do.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from hub.api.errors import ApiError, from_exception
from hub.domain.accounts import ApiKey
from hub.domain.errors import AuthenticationError, DomainError
from hub.services import accounts

if TYPE_CHECKING:
    from hub.api.registry import Call
    from hub.process import Hub

REPLAYED_HEADERS = ("content-type", "etag", "location")
WAIT_FOR_FIRST_SECONDS = 30.0


async def authenticate(hub: Hub, request: Request) -> ApiKey:
    header = request.headers.get("authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise AuthenticationError("send the API key as 'Authorization: Bearer <key>'")

    # One lookup by prefix (and, every few minutes, one UPDATE of last_used_at): nothing to
    # hold a transaction open for.
    return await run_in_threadpool(
        accounts.authenticate_api_key, hub.accounts_uow(autocommit=True), raw.strip(), hub.now()
    )


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def anonymous_scope(hub: Hub, request: Request) -> str:
    """The Idempotency-Key scope of a caller without an API key: its network address (keyed
    with the hub's secret, so no address is stored). A replay carries what the first answer
    carried — a booking's private manage link — so it goes only to the address that asked;
    another client sending the same key and body gets its own answer."""
    digest = hmac.new(
        hub.settings.secret_key.encode(), client_ip(request).encode(), hashlib.sha256
    ).hexdigest()
    return f"public:{digest[:48]}"


def rate_limit(hub: Hub, request: Request) -> None:
    wait = hub.public_writes.allow(client_ip(request), time.monotonic())
    if wait > 0:
        seconds = max(1, int(wait + 0.999))
        raise ApiError(
            429,
            "rate_limited",
            f"too many requests; try again in {seconds} s",
            {"retry_after": seconds},
            headers={"Retry-After": str(seconds)},
        )


def fingerprint(request: Request, body: object) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    text = f"{request.method} {request.url.path}\n{canonical}"
    return hashlib.sha256(text.encode()).hexdigest()


async def idempotent(
    call: Call,
    handler: Callable[[Call], Awaitable[Response]],
    scope: str,
    key: str,
) -> Response:
    """Do the POST once per (scope, key); later identical POSTs get the first answer."""
    store = call.hub.idempotency
    if len(key) > 200:
        raise ApiError(
            422, "validation_error", "Idempotency-Key is too long", {"field": "Idempotency-Key"}
        )
    mine = fingerprint(call.request, call.body)
    deadline = time.monotonic() + WAIT_FOR_FIRST_SECONDS
    while True:
        stored = await call.run(store.claim, scope, key, mine, call.hub.now())
        if stored is None:
            break
        if stored.fingerprint != mine:
            raise ApiError(
                422,
                "idempotency_key_reused",
                "this Idempotency-Key was used with a different request",
                {"field": "Idempotency-Key"},
            )
        if stored.status is not None:
            headers = {**stored.headers, "Idempotent-Replayed": "true"}
            return Response(stored.body, status_code=stored.status, headers=headers)
        if time.monotonic() > deadline:
            raise ApiError(
                409, "idempotency_in_progress", "the first request with this key is running"
            )
        await asyncio.sleep(0.05)
    try:
        response = await handler(call)
    except (ApiError, DomainError) as exc:
        response = from_exception(exc)
    except BaseException:
        await call.run(store.release, scope, key)
        raise
    if response.status_code >= 500:
        await call.run(store.release, scope, key)
        return response
    kept = {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}
    await call.run(store.finish, scope, key, response.status_code, kept, bytes(response.body))
    return response
