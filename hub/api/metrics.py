"""Prometheus metrics: HTTP requests by route template, and bookings created.

``/metrics`` is not public: with ``TURNERO_METRICS_TOKEN`` set it wants that token as a
bearer (``Authorization: Bearer <token>``); without it, it answers only requests made on the
machine itself — from a loopback address and not relayed by a proxy (a request carrying
``X-Forwarded-For``, ``Forwarded`` or ``X-Real-IP`` came from elsewhere).

Each ``Metrics`` has its own registry (not prometheus_client's global one), so several hubs in
one process — tests, the embedded server — never collide. ``MetricsMiddleware`` labels by
the route's path template (``/api/v1/bookings/{id}``), never by the raw path, so ids do not
explode the label space.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections.abc import Sequence

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "turnero_http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "turnero_http_request_duration_seconds",
            "HTTP request latency by method and route template",
            ["method", "route"],
            registry=self.registry,
        )
        self.bookings_created = Counter(
            "turnero_bookings_created",
            "Bookings created (committed), by channel",
            ["channel"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)


def route_template(routes: Sequence[BaseRoute], scope: Scope, prefix: str = "") -> str:
    """The path template the request matches (``/api/v1/bookings/{id}``), or ``unmatched``."""
    for route in routes:
        match, child = route.matches(scope)
        if match is Match.NONE:
            continue
        if isinstance(route, Mount):
            inner = {**scope, **child}
            found = route_template(route.routes, inner, prefix + route.path)
            return found if found != "unmatched" else prefix + route.path + "/*"
        if isinstance(route, Route):
            return prefix + route.path
    return "unmatched"


class MetricsMiddleware:
    """Counts and times every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        route = route_template(self.routes, dict(scope))  # before the router rewrites scope
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            method = scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)


RELAYED = ("x-forwarded-for", "forwarded", "x-real-ip")


def from_this_machine(request: Request) -> bool:
    if any(name in request.headers for name in RELAYED):
        return False
    try:
        return request.client is not None and ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


def metrics_endpoint(metrics: Metrics, token: str | None = None) -> Route:
    async def render(request: Request) -> Response:
        if token is not None:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                given.strip().encode(), token.encode()
            ):
                return PlainTextResponse(
                    "send the metrics token as 'Authorization: Bearer <token>'\n",
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
                )
        elif not from_this_machine(request):
            return PlainTextResponse(
                "metrics answer this machine only; set TURNERO_METRICS_TOKEN to read them"
                " from elsewhere\n",
                status_code=403,
            )
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return Route("/metrics", render, methods=["GET"], name="metrics")
