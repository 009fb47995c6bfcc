"""REPORT: what stock Radicale does not answer, or answers slowly — a ``free-busy-query``
across a member's calendars (RFC 4791 §7.10), an ETags-only sync-collection of a resource's
collection answered in bulk (``caldav_server.sync_report``), and ``limit-recurrence-set``
(RFC 4791 §9.6.6) applied to the calendar data returned."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from radicale import httputils, pathutils, types

from caldav_server.app.base import DavBase, WSGIResponse
from caldav_server.freebusy import (
    Period,
    busy_periods,
    limit_recurrence_set,
    parse_range,
    vfreebusy,
)
from caldav_server.personal_collection import PersonalCollection
from caldav_server.refusals import CALDAV, RefusedError
from caldav_server.resource_collection import ResourceCollection
from caldav_server.sync_report import etag_sync_token, multistatus


class DavReport(DavBase):
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
        calendars = [c for c in found if isinstance(c, ResourceCollection | PersonalCollection)]
        if depth == 0:
            # The member's own time: their personal calendars and the agendas of the
            # resources they are linked to (an admin sees others' agendas, not their time).
            owner = self._backend.user(user)
            linked = owner.resource_ids if owner is not None else ()
            calendars = [
                c
                for c in calendars
                if not isinstance(c, ResourceCollection) or c.resource.id in linked
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
        if not isinstance(collection, ResourceCollection):
            return None
        try:
            current, names = collection.sync(token)
        except ValueError as exc:
            raise RefusedError(403, "DAV:", "valid-sync-token", str(exc)) from exc
        etags = collection.etags(list(names) if token else None)
        body = multistatus(base_prefix, collection.path, current, etags)
        return 207, {"Content-Type": "text/xml; charset=utf-8"}, body, None


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
