"""The CalDAV entry point: unforked Radicale, configured in code, with the hub's storage,
auth and rights plugins, served as an ASGI app through a2wsgi.

``dav_app(hub_or_db, settings)`` is what ``hub.app`` mounts at ``/dav``; it also answers the
read-only ICS feeds at ``/dav/feeds/<token>.ics``. Moves made over CalDAV go through the
hub's bound use cases (``hub.core``), with the busy sources the root registered (personal
calendars among them: ``hub.bootstrap.build_hub``).

``DavApplication`` overrides the verbs only to answer the hub's refusals properly: a
``RefusedError`` raised by the storage becomes its status with a CalDAV/WebDAV error body naming
the precondition (stock Radicale would turn a ``ValueError`` into a bare 400), and a PUT whose
object the hub re-serialised (a booking) returns no ETag (RFC 4791 §5.3.4). It also keeps
hostile bodies away from Radicale's parsers: every XML body goes through
``caldav_server.xml_parser`` (no DTD, an element budget) and every calendar object through
``hub.ical_parser`` (malformed: 400 naming the line; over the limits: 403
``CALDAV:max-resource-size``), before any expensive work, and the object is parsed once.
"""

from __future__ import annotations

import contextlib
import io
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, cast

from a2wsgi import WSGIMiddleware
from icalendar import Calendar
from radicale import config, httputils, pathutils, types
from radicale.app import Application
from starlette.routing import Mount, Route, Router

from caldav_server.base import Backend
from caldav_server.events import CALDAV, RefusedError
from caldav_server.feeds import feed_endpoint
from caldav_server.freebusy import (
    Period,
    busy_periods,
    limit_recurrence_set,
    parse_range,
    vfreebusy,
)
from caldav_server.logins import LoginGate, Logins
from caldav_server.personal import PersonalCalendar
from caldav_server.plugins import Auth, Rights
from caldav_server.schema import ensure_triggers
from caldav_server.storage import ResourceCalendar, Storage
from caldav_server.sync_report import etag_sync_token, multistatus
from caldav_server.xml_parser import parse_xml
from hub.domain.errors import ValidationError
from hub.ical_parser import OBJECT_LIMITS, CalendarLimitError, parse_calendar
from hub.persistence.uow import SqlDatabase
from hub.services.bound import Services
from hub.services.login_throttle import LoginThrottle

WSGIResponse = types.WSGIResponse


@dataclass(frozen=True, slots=True)
class DavSettings:
    # A remembered login is re-validated against the user's state on every request, so
    # revocation is immediate whatever this is; it only spares argon2 checks.
    login_cache_seconds: float = 300.0
    max_content_length: int = 10_000_000
    max_resource_size: int = OBJECT_LIMITS.octets  # CALDAV:max-resource-size, RFC 4791 §5.2.5
    workers: int = 8
    log_level: str = "warning"


def _error_body(refused: RefusedError) -> bytes:
    root = ET.Element("{DAV:}error")
    ET.SubElement(root, f"{{{refused.namespace}}}{refused.name}").text = refused.message
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


class DavApplication(Application):
    def __init__(self, configuration: Any, backend: Backend) -> None:
        super().__init__(configuration)
        self._backend = backend
        self._checked = False
        self._check_lock = threading.Lock()
        self._object_limits = replace(OBJECT_LIMITS, octets=self._max_resource_size)

    def _check_database(self) -> None:
        # Building the app connects to nothing; the first request restores the change-log
        # triggers if a migration dropped them (see caldav_server.schema).
        with self._check_lock:
            if not self._checked:
                with self._backend.database.engine.begin() as connection:
                    ensure_triggers(connection)
                self._checked = True

    def __call__(
        self, environ: types.WSGIEnviron, start_response: types.WSGIStartResponse
    ) -> Iterable[bytes]:
        # a2wsgi hands PATH_INFO over latin-1-decoded (PEP 3333); Radicale's own server
        # decodes UTF-8, and so must we, or "Sala Ñandú" paths would not match.
        raw = environ.get("PATH_INFO", "")
        with contextlib.suppress(UnicodeError):
            cast(dict[str, Any], environ)["PATH_INFO"] = raw.encode("latin-1").decode("utf-8")
        if not self._checked:
            self._check_database()
        self._backend.begin_request()
        try:
            result: Iterable[bytes] = super().__call__(environ, start_response)
        finally:
            self._backend.end_request()
        return result

    def _refused(self, refused: RefusedError) -> WSGIResponse:
        return (
            refused.status,
            {"Content-Type": "application/xml; charset=utf-8"},
            _error_body(refused),
            None,
        )

    def _guarded(self, verb: Callable[..., WSGIResponse], *args: Any) -> WSGIResponse:
        try:
            return verb(*args)
        except RefusedError as refused:
            return self._refused(refused)

    def _read_xml_request_body(
        self, environ: types.WSGIEnviron, request_info: dict[str, Any]
    ) -> ET.Element | None:
        """Radicale's one reader of XML bodies, bounded (``caldav_server.xml_parser``): what
        it refuses is raised as ``RefusedError``, which every verb answers (``_guarded``)."""
        request = self._backend.request
        parsed: ET.Element | None = getattr(request, "xml", None)
        if parsed is not None:  # already read by do_REPORT
            request.xml = None
            return parsed
        raw = _buffered_body(environ)
        if not raw:
            return None
        return parse_xml(httputils.decode_request(self.configuration, environ, raw))

    def _calendar_object(self, body: bytes) -> Calendar:
        """The PUT body parsed within the object limits, or ``RefusedError``."""
        try:
            return parse_calendar(body, self._object_limits)
        except CalendarLimitError as exc:
            # RFC 4791 §5.3.2.1: the object is more than this server takes.
            raise RefusedError(403, CALDAV, "max-resource-size", exc.message) from exc
        except ValidationError as exc:
            raise RefusedError(400, CALDAV, "valid-calendar-data", exc.message) from exc

    def do_PUT(  # noqa: PLR0917 - Radicale's signature
        self,
        environ: types.WSGIEnviron,
        base_prefix: str,
        path: str,
        user: str,
        user_groups: set[str],
        request_info: dict[str, Any],
    ) -> WSGIResponse:
        body = _buffered_body(environ)
        calendar = None
        if pathutils.strip_path(path).count("/") == 2:
            try:
                calendar = self._calendar_object(body)
            except RefusedError as refused:
                return self._refused(refused)
        request = self._backend.request
        request.body, request.calendar, request.verbatim = body, calendar, False
        try:
            status, headers, answer, xml = self._guarded(
                super().do_PUT, environ, base_prefix, path, user, user_groups, request_info
            )
        finally:
            request.body = request.calendar = None
        if status in (200, 201, 204) and not request.verbatim:
            headers = {k: v for k, v in dict(headers).items() if k.lower() != "etag"}
        return status, headers, answer, xml

    def do_REPORT(  # noqa: PLR0917 - Radicale's signature
        self,
        environ: types.WSGIEnviron,
        base_prefix: str,
        path: str,
        user: str,
        user_groups: set[str],
        request_info: dict[str, Any],
    ) -> WSGIResponse:
        try:
            root = self._read_xml_request_body(environ, request_info)
            if root is not None and root.tag == f"{{{CALDAV}}}free-busy-query":
                return self._free_busy(path, user, user_groups, root)
            token = etag_sync_token(root)
            if token is not None and pathutils.strip_path(path).count("/") == 1:
                answer = self._etag_sync(base_prefix, path, user, user_groups, token)
                if answer is not None:
                    return answer
        except RefusedError as refused:
            return self._refused(refused)
        self._backend.request.xml = root  # Radicale reads it again: hand it the tree
        try:
            self._backend.request.limit = _recurrence_limit(root)
        except RefusedError as refused:
            return self._refused(refused)
        try:
            return self._guarded(
                super().do_REPORT, environ, base_prefix, path, user, user_groups, request_info
            )
        finally:
            self._backend.request.limit = None

    def _xml_response(self, xml_content: ET.Element, request_info: dict[str, Any]) -> bytes:
        limit: tuple[datetime, datetime] | None = getattr(self._backend.request, "limit", None)
        if limit is not None:
            for data in xml_content.iter(f"{{{CALDAV}}}calendar-data"):
                if data.text:
                    data.text = limit_recurrence_set(data.text, *limit)
        body: bytes = super()._xml_response(xml_content, request_info)
        return body

    def _free_busy(
        self, path: str, user: str, user_groups: set[str], root: ET.Element
    ) -> WSGIResponse:
        """A free-busy-query (RFC 4791 §7.10) on a calendar, or on the home: then across
        the member's calendars (their personal calendars and their resources' agendas)."""
        if "r" not in self._rights.authorization(user, user_groups, path).lower():
            return httputils.NOT_ALLOWED
        depth = pathutils.strip_path(path).count("/")
        if depth > 1:
            raise RefusedError(403, "DAV:", "supported-report", "ask a calendar or the home")
        time_range = root.find(f"{{{CALDAV}}}time-range")
        if time_range is None:
            raise RefusedError(400, CALDAV, "valid-filter", "a free-busy-query has a time-range")
        start, end = parse_range(time_range)
        found = list(self._storage.discover(path, depth="1" if depth == 0 else "0"))
        if not found:
            return httputils.NOT_FOUND
        calendars = [c for c in found if isinstance(c, ResourceCalendar | PersonalCalendar)]
        if depth == 0:
            # The member's own time: their personal calendars and the agendas of the
            # resources they are linked to (an admin sees others' agendas, not their time).
            owner = self._backend.user(user)
            linked = owner.resource_ids if owner is not None else ()
            calendars = [
                c
                for c in calendars
                if not isinstance(c, ResourceCalendar) or c.resource.id in linked
            ]
        elif not calendars:
            raise RefusedError(403, "DAV:", "supported-report", "ask a calendar or the home")
        query = _event_range_filter(time_range)
        periods: list[Period] = []
        for calendar in calendars:
            for item, _ in calendar.get_filtered([query]):
                periods.extend(busy_periods(item.serialize(), start, end))
        body = vfreebusy(periods, start, end, self._backend.clock()).encode("utf-8")
        return 200, {"Content-Type": "text/calendar; charset=utf-8"}, body, None

    def _etag_sync(
        self, base_prefix: str, path: str, user: str, user_groups: set[str], token: str
    ) -> WSGIResponse | None:
        """A resource calendar's ETags-only sync-collection, answered in bulk
        (``caldav_server.sync_report``); None to let Radicale answer."""
        if "r" not in self._rights.authorization(user, user_groups, path):
            return None  # Radicale answers the refusal as it always does
        collection = next(iter(self._storage.discover(path)), None)
        if not isinstance(collection, ResourceCalendar):
            return None
        try:
            current, names = collection.sync(token)
        except ValueError as exc:
            raise RefusedError(403, "DAV:", "valid-sync-token", str(exc)) from exc
        etags = collection.etags(list(names) if token else None)
        body = multistatus(base_prefix, collection.path, current, etags)
        return 207, {"Content-Type": "text/xml; charset=utf-8"}, body, None

    def do_PROPFIND(self, *args: Any) -> WSGIResponse:
        return self._guarded(super().do_PROPFIND, *args)

    def do_DELETE(self, *args: Any) -> WSGIResponse:
        return self._guarded(super().do_DELETE, *args)

    def do_MOVE(self, *args: Any) -> WSGIResponse:
        return self._guarded(super().do_MOVE, *args)

    def do_MKCALENDAR(self, *args: Any) -> WSGIResponse:
        return self._guarded(super().do_MKCALENDAR, *args)

    def do_MKCOL(self, *args: Any) -> WSGIResponse:
        return self._guarded(super().do_MKCOL, *args)

    def do_PROPPATCH(self, *args: Any) -> WSGIResponse:
        return self._guarded(super().do_PROPPATCH, *args)


def _recurrence_limit(root: ET.Element | None) -> tuple[datetime, datetime] | None:
    """The range of a ``limit-recurrence-set`` asked for in calendar-data (RFC 4791
    §9.6.6), unless the data is expanded anyway."""
    if root is None:
        return None
    limit = root.find(f".//{{{CALDAV}}}calendar-data/{{{CALDAV}}}limit-recurrence-set")
    if limit is None or root.find(f".//{{{CALDAV}}}expand") is not None:
        return None
    return parse_range(limit)


def _event_range_filter(time_range: ET.Element) -> ET.Element:
    """A calendar-query filter for the VEVENTs within ``time_range``."""
    query = ET.Element(f"{{{CALDAV}}}filter")
    calendar = ET.SubElement(query, f"{{{CALDAV}}}comp-filter", name="VCALENDAR")
    event = ET.SubElement(calendar, f"{{{CALDAV}}}comp-filter", name="VEVENT")
    event.append(time_range)
    return query


def _buffered_body(environ: types.WSGIEnviron) -> bytes:
    """Read the request body, and leave it readable again for Radicale."""
    env = cast(dict[str, Any], environ)
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body: bytes = env["wsgi.input"].read(length) if length else env["wsgi.input"].read()
    env["wsgi.input"] = io.BytesIO(body)
    env["CONTENT_LENGTH"] = str(len(body))
    return body


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
