"""A time-range REPORT — what a calendar app sends for every week it shows — answers from what
the store keeps beside each event (start and end; a repeating event's timing; the blocks of a
client's event) and never reads a stored event's text again: one event stored large (before
the hub had limits) costs nothing on every query after. The answer is still exact (RFC 4791
§9.9): a repeating event is listed when an occurrence falls in the range, not when its EXDATE
or COUNT leaves the range empty. Events stored before caldav_0003 get their timing from it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import vobject
from alembic import command
from icalendar import Calendar
from sqlalchemy import create_engine, text

from caldav_server.render import text_etag
from caldav_server.tables import PersonalCalendarRow, PersonalEventRow
from hub.domain.model import new_id
from hub.persistence.migrate import alembic_config, migrate
from tests.api.conftest import serve_hub
from tests.caldav.conftest import DavWorld, make_world
from tests.caldav.helpers import http, vevent

FMT = "%Y%m%dT%H%M%SZ"
WEEK_QUERY = (
    '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter>"
    '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
    '<C:time-range start="{start}" end="{end}"/></C:comp-filter></C:comp-filter>'
    "</C:filter></C:calendar-query>"
)


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(FMT)


@pytest.fixture
def parsed_texts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every text any iCalendar parser (Radicale's vobject, icalendar) is given meanwhile,
    from any thread of the server, which runs in this process."""
    seen: list[str] = []
    lock = threading.Lock()

    def spy(parse: Callable[..., Any]) -> Callable[..., Any]:
        def parsing(data: Any, *args: Any, **kwargs: Any) -> Any:
            with lock:
                seen.append(data if isinstance(data, str) else bytes(data).decode())
            return parse(data, *args, **kwargs)

        return parsing

    monkeypatch.setattr(vobject, "readOne", spy(vobject.readOne))
    monkeypatch.setattr(vobject, "readComponents", spy(vobject.readComponents))
    monkeypatch.setattr(Calendar, "from_ical", spy(Calendar.from_ical))
    yield seen


def week_report(h: Any, url: str, start: datetime) -> set[str]:
    body = WEEK_QUERY.format(start=utc(start), end=utc(start + timedelta(days=7)))
    answer = h.request("REPORT", url, content=body.encode(), headers={"Depth": "1"})
    assert answer.status_code == 207, answer.text[:300]
    return set(re.findall(r"UID:([\w@.-]+)", answer.text))


def legacy_event(start: datetime) -> str:
    """An event as a client could store it before the hub had limits: 100,000 properties."""
    junk = "\r\n".join(f"X-LEGACY-{i}:value {i}" for i in range(100_000))
    return vevent("legacy", start, start + timedelta(hours=1), "Legado", junk).decode()


def test_a_week_report_reads_no_stored_event(dav: DavWorld, parsed_texts: list[str]) -> None:
    week, _ = dav.week()
    day = timedelta(days=1)
    hour = timedelta(hours=1)
    personal = f"{dav.dav_url}{dav.juan.user.id}/mia/"
    resource = dav.calendar_url(dav.juan, dav.tenant.resources[0].id)
    weekly_in = week + 2 * day + 9 * hour
    skipped = week + 3 * day + 9 * hour
    events = {
        "single": vevent("single", week + day, week + day + hour, "Dentista"),
        "weekly-in": vevent(
            "weekly-in", weekly_in - 14 * day, weekly_in - 14 * day + hour, "Gym",
            "RRULE:FREQ=WEEKLY;COUNT=5",
        ),
        "weekly-out": vevent(
            "weekly-out", week - 21 * day, week - 21 * day + hour, "Curso",
            "RRULE:FREQ=WEEKLY;COUNT=2",
        ),
        "skipped": vevent(
            "skipped", skipped - 7 * day, skipped - 7 * day + hour, "Taller",
            f"RRULE:FREQ=WEEKLY;COUNT=3\r\nEXDATE:{utc(skipped)}",
        ),
        "after": vevent("after", week + 8 * day, week + 8 * day + hour, "Después"),
    }  # fmt: skip
    with http(dav, dav.juan) as h:
        assert h.request("MKCALENDAR", personal).status_code == 201
        for name, body in events.items():
            assert h.put(f"{personal}{name}.ics", content=body).status_code == 201
        block_event = vevent(
            "course", week + 4 * day + 15 * hour, week + 4 * day + 16 * hour, "Curso",
            "RRULE:FREQ=WEEKLY;COUNT=3",
        )  # fmt: skip
        assert h.put(f"{resource}course.ics", content=block_event).status_code == 201

    with dav.live.hub.database.sessions() as session:
        [calendar_id] = session.scalars(
            PersonalCalendarRow.__table__.select().with_only_columns(PersonalCalendarRow.id)
        ).all()
        ics = legacy_event(week + 5 * day + 8 * hour)
        session.add(
            PersonalEventRow(
                id=new_id(),
                calendar_id=calendar_id,
                href="legacy.ics",
                uid="legacy",
                ics=ics,
                etag=text_etag(ics),
                start_at=week + 5 * day + 8 * hour,
                end_at=week + 5 * day + 9 * hour,
                opaque=True,
                recurring=False,
                updated_at=dav.live.now(),
            )
        )
        session.commit()

    parsed_texts.clear()
    with http(dav, dav.juan) as h:
        assert week_report(h, personal, week) == {"single", "weekly-in", "legacy"}
        assert week_report(h, resource, week) == {"course"}
        assert week_report(h, personal, week + 7 * day) == {"weekly-in", "skipped", "after"}
    whole = [t for t in parsed_texts if "SUMMARY" in t]
    assert whole == [], f"{len(whole)} stored events parsed again"


def test_caldav_0003_gives_repeating_events_already_stored_their_timing(
    database_url: str,
) -> None:
    migrate(database_url)
    command.downgrade(alembic_config(database_url), "caldav_0002")
    live, served = serve_hub(database_url, migrate_first=False)
    try:
        world = make_world(live)
    finally:
        served.stop()
        live.hub.close()
    monday = world.tenant.at(0, days_ahead=7)
    weekly = vevent(
        "old-weekly", monday + timedelta(hours=9), monday + timedelta(hours=10), "Gym",
        "RRULE:FREQ=WEEKLY;COUNT=4\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\n"
        "DESCRIPTION:Gym\r\nEND:VALARM",
    ).decode()  # fmt: skip
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            calendar_id = new_id()
            connection.execute(
                text(
                    "INSERT INTO caldav_personal_calendars (id, owner_id, business_id, name,"
                    " displayname, color, description, created_at) VALUES (:id, :owner,"
                    " :business, 'mia', 'Mía', '#000000', '', :now)"
                ),
                {
                    "id": calendar_id,
                    "owner": world.juan.user.id,
                    "business": world.tenant.business.id,
                    "now": live.now(),
                },
            )
            connection.execute(
                text(
                    "INSERT INTO caldav_personal_events (id, calendar_id, href, uid, ics, etag,"
                    " start_at, end_at, opaque, recurring, updated_at) VALUES (:id, :calendar,"
                    " 'old.ics', 'old-weekly', :ics, 'x', :start, NULL, :yes, :yes, :now)"
                ),
                {
                    "id": new_id(),
                    "calendar": calendar_id,
                    "ics": weekly,
                    "start": monday + timedelta(hours=9),
                    "yes": True,
                    "now": live.now(),
                },
            )
        command.upgrade(alembic_config(database_url), "heads")
        with engine.connect() as connection:
            timing = connection.execute(
                text("SELECT timing FROM caldav_personal_events WHERE uid = 'old-weekly'")
            ).scalar_one()
    finally:
        engine.dispose()
    assert "RRULE:FREQ=WEEKLY;COUNT=4" in timing and "DTSTART:" in timing
    assert "SUMMARY" not in timing and "VALARM" not in timing

    command.downgrade(alembic_config(database_url), "caldav_0002")
    command.upgrade(alembic_config(database_url), "heads")
