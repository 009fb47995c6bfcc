"""PUT: the calendar object is parsed once, within the object limits (over them: 403
``CALDAV:max-resource-size``; malformed: 400 naming the line), before any expensive work; a
PUT whose object the hub re-serialised (a booking) returns no ETag (RFC 4791 §5.3.4)."""

from __future__ import annotations

from typing import Any

from icalendar import Calendar
from radicale import pathutils, types

from caldav_server.app.base import DavBase, WSGIResponse, buffered_body
from caldav_server.refusals import CALDAV, RefusedError
from hub.domain.errors import ValidationError
from hub.ical_parser import CalendarLimitError, parse_calendar


class DavPut(DavBase):
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
        body = buffered_body(environ)
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
