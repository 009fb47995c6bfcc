"""PUT into a personal collection: the client's bytes are kept as sent, with the start and end
(or a repeating event's timing) that searches and busy time read instead of the text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from radicale import item as radicale_item

from caldav_server import own_rows
from caldav_server.client_objects import read_event
from caldav_server.personal_collection.base import OTHER_COMPONENTS, PersonalCollectionBase
from caldav_server.refusals import CALDAV, RefusedError, refuse
from caldav_server.render import text_etag
from caldav_server.tables import PersonalEventRow
from caldav_server.timing import MAX_RULE_OCCURRENCES, rule_occurrences, timing
from hub.domain.errors import ValidationError
from hub.domain.model import new_id
from hub.ical_parser import parse_calendar


class PersonalCollectionUpload(PersonalCollectionBase):
    def upload(
        self, href: str, item: radicale_item.Item
    ) -> tuple[radicale_item.Item, radicale_item.Item | None]:
        body, parsed = self._backend.request_object() or (item.serialize().encode(), None)
        if parsed is None:
            try:
                parsed = parse_calendar(body)
            except ValidationError as exc:
                raise RefusedError(400, CALDAV, "valid-calendar-data", exc.message) from exc
        if not any(True for _ in parsed.walk("VEVENT")):
            return self._upload_other(href, body, parsed)
        event = read_event(body, self._timezone(), parsed)
        now = self._backend.clock()
        if (
            event.rrule is not None
            and rule_occurrences(event.rrule, event.start, now) > MAX_RULE_OCCURRENCES
        ):
            raise refuse(
                "supported-recurrence",
                "a repeating event may repeat at most daily, and at most "
                f"{MAX_RULE_OCCURRENCES} times from its start to ten years from now",
            )
        start = event.start
        recurring = event.rrule is not None or event.master.get("RDATE") is not None
        if event.rrule is not None:
            end = _recurrence_end(event.rrule, event.end)
        else:
            end = None if recurring else event.end  # RDATEs: expanded when asked
        text = body.decode("utf-8")
        with self._session() as session:
            rows = own_rows.personal_events(session, self.row.id, hrefs=[href])
            row = rows[0] if rows else PersonalEventRow(id=new_id(), calendar_id=self.row.id)
            row.href = href
            row.uid = event.uid
            row.ics = text
            row.etag = text_etag(text)
            row.start_at = start
            row.end_at = end
            row.opaque = event.opaque
            row.recurring = recurring
            row.timing = timing(text) if recurring else None
            row.updated_at = now
            if not rows:
                session.add(row)
            session.commit()
            uploaded = self._item(row)
        self._backend.request.verbatim = True
        return uploaded, None

    def _upload_other(
        self, href: str, body: bytes, parsed: Calendar
    ) -> tuple[radicale_item.Item, radicale_item.Item | None]:
        """A to-do or journal entry (RFC 5545 §3.6.2, §3.6.3): kept as sent, never busy
        time; searches read its text (no start or end column, ``recurring`` without a
        timing), so Radicale's own filters answer for it."""
        components = [c for c in parsed.subcomponents if c.name in OTHER_COMPONENTS]
        if not components:
            raise RefusedError(
                403,
                CALDAV,
                "supported-calendar-component",
                "a calendar object holds a VEVENT, VTODO or VJOURNAL",
            )
        uids = {str(c.get("UID") or "") for c in components}
        if len(uids) != 1 or "" in uids:
            raise RefusedError(
                400, CALDAV, "valid-calendar-object-resource", "one UID, on every component"
            )
        text = body.decode("utf-8")
        now = self._backend.clock()
        with self._session() as session:
            rows = own_rows.personal_events(session, self.row.id, hrefs=[href])
            row = rows[0] if rows else PersonalEventRow(id=new_id(), calendar_id=self.row.id)
            row.href = href
            row.uid = uids.pop()
            row.ics = text
            row.etag = text_etag(text)
            row.start_at = row.end_at = None
            row.opaque = False
            row.recurring = True
            row.timing = None
            row.updated_at = now
            if not rows:
                session.add(row)
            session.commit()
            uploaded = self._item(row)
        self._backend.request.verbatim = True
        return uploaded, None


def _recurrence_end(rule: Mapping[str, Sequence[object]], first_end: datetime) -> datetime | None:
    upper = {k.upper(): v for k, v in rule.items()}
    until = upper.get("UNTIL")
    if until:
        value = until[0]
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        else:
            moment = datetime(value.year, value.month, value.day, tzinfo=UTC)  # type: ignore[attr-defined]
        return max(moment + timedelta(days=1), first_end)
    return None  # COUNT or forever: expanded when asked
