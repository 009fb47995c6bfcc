"""The ASGI apps of this package: ``mounts(hub)`` gives the ``/book`` and ``/console`` mounts
for ``hub.app.create_app``; each is a small Starlette app with its own error pages.

Static assets (our CSS and script) are served from ``/book/static`` for both.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from booking_pages import (
    console_account,
    console_agenda,
    console_analytics,
    console_auth,
    console_background,
    console_blocks,
    console_booking,
    console_branches,
    console_calendar,
    console_checkin,
    console_customers,
    console_domains,
    console_google,
    console_messages,
    console_notifications,
    console_passwords,
    console_payments,
    console_platform,
    console_records,
    console_resources,
    console_route,
    console_series,
    console_services,
    console_setup,
    console_templates,
    console_webhooks,
    console_whatsapp,
    console_zones,
    invitation,
    manage,
    public,
)
from booking_pages.i18n import Translator, accepted
from booking_pages.web import STATIC_DIR, PageError, Pages
from hub.process import Hub


def _handlers(pages: Pages) -> dict[type[Exception] | int, object]:
    def translator(request: Request) -> Translator:
        chosen = request.cookies.get(public.LANG_COOKIE)
        return Translator(
            chosen
            if chosen in ("es", "en")
            else accepted(request.headers.get("accept-language")) or "es"
        )

    async def page_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageError)
        return pages.error(request, exc, translator(request))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        key = {404: "error.not_found", 405: "error.method"}.get(exc.status_code, "error.generic")
        return pages.error(request, PageError(exc.status_code, key), translator(request))

    return {PageError: page_error, HTTPException: http_error}


def book_app(pages: Pages) -> Starlette:
    routes: list[BaseRoute] = [
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        *manage.routes(pages),
        *invitation.routes(pages),
        *public.routes(pages),
    ]
    return Starlette(routes=routes, exception_handlers=_handlers(pages))  # type: ignore[arg-type]


def console_app(pages: Pages) -> Starlette:
    routes: list[BaseRoute] = [
        *console_auth.routes(pages),
        *console_account.routes(pages),
        *console_checkin.routes(pages),
        *console_booking.routes(pages),
        *console_blocks.routes(pages),
        *console_series.routes(pages),
        *console_calendar.routes(pages),
        *console_agenda.routes(pages),
        *console_analytics.routes(pages),
        *console_route.routes(pages),
        *console_setup.routes(pages),
        *console_resources.routes(pages),
        *console_branches.routes(pages),
        *console_zones.routes(pages),
        *console_domains.routes(pages),
        *console_services.routes(pages),
        *console_notifications.routes(pages),
        *console_templates.routes(pages),
        *console_passwords.routes(pages),
        *console_payments.routes(pages),
        *console_background.routes(pages),
        *console_google.routes(pages),
        *console_messages.routes(pages),
        *console_records.routes(pages),
        *console_customers.routes(pages),
        *console_webhooks.routes(pages),
        *console_whatsapp.routes(pages),
        *console_platform.routes(pages),
    ]
    return Starlette(routes=routes, exception_handlers=_handlers(pages))  # type: ignore[arg-type]


def mounts(hub: Hub) -> list[BaseRoute]:
    """``/book`` (public pages) and ``/console`` (operators), to mount in the hub's app."""
    pages = Pages(hub)
    return [
        Mount("/book", app=book_app(pages), name="book"),
        Mount("/console", app=console_app(pages), name="console"),
    ]
