"""The ASGI app factory: ``create_app(hub)`` mounts the REST API (``/api/v1``), its docs
(``/api/docs``), ``/healthz`` and ``/metrics``. Other entry points (``/dav``, ``/book``,
``/console``, ``/connectors``) are mounted here too, each by one line in ``_mounts``.

No wiring happens here: the hub comes built (``hub.bootstrap.build_hub``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route, Router

from booking_pages.routing import mounts as page_mounts
from connectors.crm_webhooks import api as webhooks_api
from connectors.geocoding.providers import install_geocoding
from connectors.google.web import routes as google_routes
from connectors.notify import api as whatsapp_api
from connectors.notify.web import routes as whatsapp_routes
from connectors.payments import api as payments_api
from connectors.payments.runtime import routes as payment_routes
from hub.api import errors
from hub.api.docs import docs_mount, openapi_route
from hub.api.metrics import MetricsMiddleware, metrics_endpoint
from hub.api.registry import Registry
from hub.api.routes import registry
from hub.bootstrap import Hub
from hub.edge import BodyLimitMiddleware, BodyLimits, BodyRule, Refusal, TextCheckMiddleware

API_PREFIX = "/api/v1"


async def _api_not_found(scope: Any, receive: Any, send: Any) -> None:
    response = errors.error_response(404, "not_found", "no such endpoint")
    await response(scope, receive, send)


async def _http_exception(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return await errors.handle_http_exception(request, exc)
    assert isinstance(exc, HTTPException)
    return PlainTextResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)


def api_registry() -> Registry:
    """API v1: the core's operations and the connectors' (declared in their own packages)."""
    return registry([webhooks_api.ops, whatsapp_api.ops, payments_api.ops])


def _api_mount(hub: Hub) -> Mount:
    api = api_registry()
    document = api.openapi(title="Turnero API", version="1.0.0", server_url=hub.settings.base_url)
    router = Router(routes=[openapi_route(document), *api.routes(hub)], default=_api_not_found)
    return Mount(
        API_PREFIX,
        app=router,
        middleware=[
            # Bearer keys, not cookies: any origin may call (embeddable widgets, CRMs).
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST", "PATCH", "DELETE"],
                allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match"],
                expose_headers=["ETag", "Location", "Retry-After", "Idempotent-Replayed"],
            )
        ],
    )


async def _to_docs(request: Request) -> Response:
    return RedirectResponse("/api/docs/")


def _health(hub: Hub) -> Route:
    async def healthz(request: Request) -> Response:
        if await run_in_threadpool(hub.check_database):
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)

    return Route("/healthz", healthz, methods=["GET"], name="healthz")


def _caldav(hub: Hub) -> list[BaseRoute]:
    """CalDAV (Radicale over the hub) at /dav, and the RFC 6764 well-known redirect."""
    from caldav_server.app import dav_app

    async def well_known(request: Request) -> Response:
        return RedirectResponse("/dav/", status_code=301)

    return [
        Route("/.well-known/caldav", well_known, methods=["GET", "PROPFIND", "OPTIONS"]),
        Mount("/dav", app=dav_app(hub)),
    ]


def _mounts(hub: Hub) -> list[BaseRoute]:
    return [
        *_caldav(hub),
        _api_mount(hub),
        Route("/api/docs", _to_docs, name="docs-root"),
        docs_mount(hub.settings.base_url),
        _health(hub),
        metrics_endpoint(hub.metrics, hub.settings.metrics_token),
        *page_mounts(hub),  # /book (public pages) and /console (operators)
        Mount("/connectors/google", routes=google_routes(hub)),
        Mount("/connectors/payments", routes=payment_routes(hub)),
        Mount("/connectors/whatsapp", routes=whatsapp_routes(hub)),
    ]


def body_limits(hub: Hub) -> BodyLimits:
    """Every route's body limit: CalDAV PUTs carry whole calendar objects (or a calendar being
    imported), other CalDAV requests XML queries; JSON, forms and webhooks get the default."""
    settings = hub.settings
    return BodyLimits(
        default_bytes=settings.max_body_bytes,
        timeout_seconds=settings.body_timeout_seconds,
        rules=(
            BodyRule("/dav/", settings.max_calendar_body_bytes, frozenset({"PUT"})),
            BodyRule("/dav/", settings.max_dav_body_bytes),
        ),
    )


def _refusal(scope: Any, refusal: Refusal) -> Response:
    """An edge refusal in the shape of the part of the site asked: the API's error object,
    plain text elsewhere."""
    if str(scope["path"]).startswith("/api/"):
        return errors.error_response(refusal.status, refusal.code, refusal.message, refusal.details)
    return PlainTextResponse(refusal.message, status_code=refusal.status)


def _lifespan(hub: Hub) -> Any:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Handlers run the use cases in threads. Past a few per core, more threads only
        # queue for the GIL while holding database connections and resource locks, so
        # requests beyond TURNERO_WEB_THREADS wait on the event loop instead.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = hub.settings.web_threads
        yield

    return lifespan


def create_app(hub: Hub) -> Starlette:
    install_geocoding(hub)  # the booking doors locate typed addresses (none configured: zones)
    app = Starlette(
        routes=_mounts(hub),
        lifespan=_lifespan(hub),
        exception_handlers={
            HTTPException: _http_exception,
            Exception: errors.handle_unexpected,
        },
    )
    app.state.hub = hub
    app.add_middleware(TextCheckMiddleware, refuse=_refusal)
    app.add_middleware(BodyLimitMiddleware, limits=body_limits(hub), refuse=_refusal)
    app.add_middleware(MetricsMiddleware, metrics=hub.metrics, routes=app.router.routes)
    return app
