"""Reading the calendar object a client sent: the VEVENT, its times in the business's
timezone, and a weekly reading of its RRULE. Malformed or unsupported input becomes
``RefusedError`` (400 for malformed iCalendar, 403 with a precondition for what the hub
cannot represent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component

from caldav_server.refusals import CALDAV, RefusedError, refuse
from hub.domain.booking import InviteeResponse
from hub.domain.errors import ValidationError
from hub.ical_parser import parse_calendar
from hub.services.recurrence import Weekly

_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@dataclass(frozen=True, slots=True)
class ClientEvent:
    calendar: Calendar
    master: Component
    uid: str
    start: datetime
    end: datetime
    summary: str
    description: str
    status: str
    opaque: bool
    rrule: dict[str, list[object]] | None


def _instant(value: object, tz: ZoneInfo, field: str) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value
    if isinstance(value, date):
        return datetime.combine(value, time(0), tz)
    raise refuse("valid-event", f"{field} is not a date or date-time")


def read_event(data: bytes, timezone: str, parsed: Calendar | None = None) -> ClientEvent:
    """The one event (with its overrides) of a calendar object resource (RFC 4791 §4.1);
    ``parsed`` is ``data`` already parsed, if it was."""
    try:
        cal = parsed if parsed is not None else parse_calendar(data)
    except ValidationError as exc:
        raise RefusedError(400, CALDAV, "valid-calendar-data", exc.message) from exc
    events = list(cal.walk("VEVENT"))
    if not events:
        raise RefusedError(
            403, CALDAV, "supported-calendar-component", "only VEVENT objects are accepted here"
        )
    masters = [e for e in events if e.get("RECURRENCE-ID") is None] or events[:1]
    master = masters[0]
    uid = str(master.get("UID") or "")
    if not uid:
        raise RefusedError(400, CALDAV, "valid-calendar-object-resource", "the event has no UID")
    if any(str(e.get("UID") or "") != uid for e in events):
        raise RefusedError(
            400, CALDAV, "valid-calendar-object-resource", "every event must share one UID"
        )
    tz = ZoneInfo(timezone)
    if master.get("DTSTART") is None:
        raise RefusedError(
            400, CALDAV, "valid-calendar-object-resource", "the event has no DTSTART"
        )
    raw_start = master.decoded("DTSTART")
    start = _instant(raw_start, tz, "DTSTART")
    if master.get("DTEND") is not None:
        end = _instant(master.decoded("DTEND"), tz, "DTEND")
    elif master.get("DURATION") is not None:
        end = start + master.decoded("DURATION")
    elif isinstance(raw_start, date) and not isinstance(raw_start, datetime):
        end = start + timedelta(days=1)  # RFC 5545 §3.6.1: an all-day event lasts the day
    else:
        end = start
    rrule = master.get("RRULE")
    return ClientEvent(
        calendar=cal,
        master=master,
        uid=uid,
        start=start.astimezone(UTC),
        end=end.astimezone(UTC),
        summary=str(master.get("SUMMARY") or ""),
        description=str(master.get("DESCRIPTION") or ""),
        status=str(master.get("STATUS") or "").upper(),
        opaque=str(master.get("TRANSP") or "OPAQUE").upper() != "TRANSPARENT",
        rrule=dict(rrule) if rrule is not None else None,
    )


@dataclass(frozen=True, slots=True)
class Override:
    """One occurrence of a repeating event the client changed (RFC 5545 §3.8.4.4):
    ``original`` is its RECURRENCE-ID; ``busy`` is False when it was cancelled or made
    transparent, and then it takes no time at all."""

    original: datetime
    start: datetime
    end: datetime
    busy: bool


@dataclass(frozen=True, slots=True)
class Exceptions:
    """What a repeating event leaves out of its rule: EXDATE instants (UTC) and all-day
    EXDATE dates (local), and the occurrences it overrides."""

    instants: frozenset[datetime]
    days: frozenset[date]
    overrides: tuple[Override, ...]

    def drops(self, start: datetime, timezone: str) -> bool:
        """Whether the rule's occurrence at ``start`` is excluded or overridden."""
        return (
            start in self.instants
            or start.astimezone(ZoneInfo(timezone)).date() in self.days
            or any(o.original == start for o in self.overrides)
        )


def _values(prop: object) -> list[object]:
    """The date(-time)s of an EXDATE property (possibly repeated, each possibly a list)."""
    props = prop if isinstance(prop, list) else [prop]
    return [d.dt for p in props for d in getattr(p, "dts", [])]


def exceptions(event: ClientEvent, timezone: str) -> Exceptions:
    tz = ZoneInfo(timezone)
    instants: set[datetime] = set()
    days: set[date] = set()
    for value in _values(event.master.get("EXDATE", [])):
        if isinstance(value, datetime):
            instants.add(_instant(value, tz, "EXDATE").astimezone(UTC))
        elif isinstance(value, date):
            days.add(value)
    overrides: list[Override] = []
    for component in event.calendar.walk("VEVENT"):
        if component.get("RECURRENCE-ID") is None:
            continue
        original = _instant(component.decoded("RECURRENCE-ID"), tz, "RECURRENCE-ID")
        start = (
            _instant(component.decoded("DTSTART"), tz, "DTSTART")
            if component.get("DTSTART") is not None
            else original
        )
        if component.get("DTEND") is not None:
            end = _instant(component.decoded("DTEND"), tz, "DTEND")
        elif component.get("DURATION") is not None:
            end = start + component.decoded("DURATION")
        else:
            end = start + (event.end - event.start)
        busy = (
            str(component.get("STATUS") or "").upper() != "CANCELLED"
            and str(component.get("TRANSP") or "OPAQUE").upper() != "TRANSPARENT"
            and end > start
        )
        overrides.append(
            Override(original.astimezone(UTC), start.astimezone(UTC), end.astimezone(UTC), busy)
        )
    return Exceptions(frozenset(instants), frozenset(days), tuple(overrides))


def weekly_repeats(event: ClientEvent, timezone: str) -> list[tuple[datetime, Weekly | None]]:
    """The event's recurrence as weekly series (first start, repetition): RFC 5545 WEEKLY
    rules (any INTERVAL and BYDAY) and DAILY rules with INTERVAL 1; others are refused."""
    if event.rrule is None:
        return [(event.start, None)]
    rule = {k.upper(): v for k, v in event.rrule.items()}
    freq = str(rule.get("FREQ", [""])[0]).upper()
    interval = int(str(rule.get("INTERVAL", [1])[0]))
    count = int(str(rule["COUNT"][0])) if "COUNT" in rule else None
    until_raw = rule["UNTIL"][0] if "UNTIL" in rule else None
    tz = ZoneInfo(timezone)
    local = event.start.astimezone(tz)
    until: date | None = None
    if isinstance(until_raw, datetime):
        until = until_raw.astimezone(tz).date() if until_raw.tzinfo else until_raw.date()
    elif isinstance(until_raw, date):
        until = until_raw
    if freq == "WEEKLY":
        every = interval
    elif freq == "DAILY" and interval == 1:
        every = 1
    else:
        raise refuse(
            "supported-recurrence",
            "repeating events must be weekly (any interval and days) or daily",
        )
    if "BYDAY" in rule:
        days = sorted({_DAYS.index(str(d)[-2:].upper()) for d in rule["BYDAY"]})
    elif freq == "DAILY":
        days = list(range(7))
    else:
        days = [local.weekday()]
    if count is not None and len(days) > 1:
        raise refuse("supported-recurrence", "COUNT is supported with a single weekday only")
    out: list[tuple[datetime, Weekly | None]] = []
    for day in days:
        first = local + timedelta(days=(day - local.weekday()) % 7)
        first = datetime.combine(first.date(), local.timetz().replace(tzinfo=None), tz)
        if until is not None and first.date() > until:
            continue
        out.append((first.astimezone(UTC), Weekly(every_weeks=every, count=count, until=until)))
    if not out:
        raise refuse("supported-recurrence", "the rule has no occurrence")
    return out


_PARTSTATS = {
    "ACCEPTED": InviteeResponse.ACCEPTED,
    "DECLINED": InviteeResponse.DECLINED,
    "TENTATIVE": InviteeResponse.TENTATIVE,
}


def partstats(master: Component) -> dict[str, InviteeResponse]:
    """email → answer for each ATTENDEE of ``master`` whose PARTSTAT is an answer
    (RFC 5545 §3.2.12); ``mailto:`` addresses only."""
    found: dict[str, InviteeResponse] = {}
    raw = master.get("ATTENDEE") or []
    for attendee in raw if isinstance(raw, list) else [raw]:
        address = str(attendee)
        if not address.lower().startswith("mailto:"):
            continue
        params = getattr(attendee, "params", {})
        answer = _PARTSTATS.get(str(params.get("PARTSTAT", "")).upper())
        if answer is not None:
            found[address[len("mailto:") :].strip()] = answer
    return found
