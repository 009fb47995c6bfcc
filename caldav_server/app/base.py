"""What every verb of the CalDAV app shares: the request's plumbing (UTF-8 paths, the
per-request lookups, the change-log triggers checked once), refusals answered with their
precondition, and the one bounded reader of XML bodies. The verbs Radicale answers as it
is are only guarded here.
"""

from __future__ import annotations

import contextlib
import io
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, cast

from radicale import httputils, types
from radicale.app import Application

from caldav_server.base import Backend
from caldav_server.refusals import RefusedError
from caldav_server.schema import ensure_triggers
from caldav_server.xml_parser import parse_xml
from hub.ical_parser import OBJECT_LIMITS

WSGIResponse = types.WSGIResponse


def _error_body(refused: RefusedError) -> bytes:
    root = ET.Element("{DAV:}error")
    ET.SubElement(root, f"{{{refused.namespace}}}{refused.name}").text = refused.message
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


class DavBase(Application):
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
        raw = buffered_body(environ)
        if not raw:
            return None
        return parse_xml(httputils.decode_request(self.configuration, environ, raw))

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


def buffered_body(environ: types.WSGIEnviron) -> bytes:
    """Read the request body, and leave it readable again for Radicale."""
    env = cast(dict[str, Any], environ)
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body: bytes = env["wsgi.input"].read(length) if length else env["wsgi.input"].read()
    env["wsgi.input"] = io.BytesIO(body)
    env["CONTENT_LENGTH"] = str(len(body))
    return body
