"""The CalDAV entry point: unforked Radicale, configured in code, with the hub's storage,
auth and rights plugins, served as an ASGI app through a2wsgi.

``dav_app(hub_or_db, settings)`` is what ``hub.app`` mounts at ``/dav``; it also answers the
read-only ICS feeds at ``/dav/feeds/<token>.ics``. Moves made over CalDAV go through the
hub's bound use cases (``hub.core``), with the busy sources the root registered (personal
calendars among them: ``hub.bootstrap.build_hub``).

``DavApplication`` overrides verbs only to answer the hub's refusals properly and to keep
hostile bodies away from Radicale's parsers; one module per verb, as Radicale's own
``radicale.app`` is split: ``base`` (refusals, bounded XML bodies, the verbs Radicale answers
as it is), ``put`` (calendar objects parsed once within limits), ``report`` (free-busy-query,
ETags-only sync, limit-recurrence-set).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from a2wsgi import WSGIMiddleware
from radicale import config
from starlette.routing import Mount, Route, Router

from caldav_server.app.put import DavPut
from caldav_server.app.report import DavReport
from caldav_server.base import Backend
from caldav_server.feeds import feed_endpoint
from caldav_server.logins import LoginGate, Logins
from caldav_server.plugins import Auth, Rights
from caldav_server.storage import Storage
from hub.ical_parser import OBJECT_LIMITS
from hub.persistence.uow import SqlDatabase
from hub.services.bound import Services
from hub.services.login_throttle import LoginThrottle


@dataclass(frozen=True, slots=True)
class DavSettings:
    # A remembered login is re-validated against the user's state on every request, so
    # revocation is immediate whatever this is; it only spares argon2 checks.
    login_cache_seconds: float = 300.0
    max_content_length: int = 10_000_000
    max_resource_size: int = OBJECT_LIMITS.octets  # CALDAV:max-resource-size, RFC 4791 §5.2.5
    workers: int = 8
    log_level: str = "warning"


class DavApplication(DavPut, DavReport):
    """Radicale's application with the hub's PUT and REPORT (``caldav_server.app.put``,
    ``caldav_server.app.report``) and every verb's refusals answered (``.base``)."""


def configuration(backend: Backend, settings: DavSettings, logins: Logins) -> Any:
    """Radicale's configuration, in code: our plugins, no web UI, no files."""
    configuration = config.load()
    configuration.update(
        {
            "auth": {
                "type": partial(Auth, logins=logins),
                # No sleeping after a failure (it would hold a worker thread): failures are
                # throttled instead (``caldav_server.logins``).
                "delay": "0",
                "realm": "Turnero",
            },
            "rights": {"type": partial(Rights, backend=backend)},
            "storage": {"type": partial(Storage, backend=backend)},
            "web": {"type": "none"},
            "server": {
                "max_content_length": str(settings.max_content_length),
                "max_resource_size": str(settings.max_resource_size),
            },
            "logging": {"level": settings.log_level, "mask_passwords": "True"},
        },
        "turnero",
        privileged=True,
    )
    return configuration


def _parts(
    hub_or_db: Any,
) -> tuple[SqlDatabase, Callable[[], datetime], Services | None, LoginThrottle]:
    if isinstance(hub_or_db, SqlDatabase):
        return hub_or_db, lambda: datetime.now(UTC), None, LoginThrottle(hub_or_db.login_failures)
    return hub_or_db.database, hub_or_db.now, hub_or_db.core, hub_or_db.login_throttle


def dav_app(hub_or_db: Any, settings: DavSettings | None = None) -> Router:
    """The ASGI app to mount at ``/dav``: Radicale over the hub, and the ICS feeds."""
    settings = settings or DavSettings()
    database, clock, core, throttle = _parts(hub_or_db)
    backend = Backend(database, clock, core)
    logins = Logins(backend, throttle, settings.login_cache_seconds)
    radicale_app = DavApplication(configuration(backend, settings, logins), backend)
    wsgi: Any = WSGIMiddleware(radicale_app, workers=settings.workers)
    return Router(
        routes=[
            Route("/feeds/{token}.ics", feed_endpoint(database, clock), methods=["GET"]),  # type: ignore[arg-type]
            Mount("/", app=LoginGate(wsgi, logins)),
        ]
    )
