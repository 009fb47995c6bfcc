"""Personal calendars as a plain CalDAV collection: task lists and journals, searches of any
component, calendar properties a client sets and reads back, and sync tokens the server
cannot use answered with RFC 6578's precondition."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import caldav
import httpx
from caldav.elements import dav as dav_el
from caldav.elements import ical

from tests.caldav.conftest import DavWorld
from tests.caldav.test_personal_and_feed import free_starts

TODO = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VTODO
UID:{uid}
DTSTAMP:20260101T000000Z
DTSTART:{start}
DUE:{due}
SUMMARY:{summary}
STATUS:NEEDS-ACTION
END:VTODO
END:VCALENDAR
"""

JOURNAL = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VJOURNAL
UID:{uid}
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20260110
SUMMARY:{summary}
DESCRIPTION:Notas del día
END:VJOURNAL
END:VCALENDAR
"""


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def juan(dav: DavWorld) -> caldav.DAVClient:
    return caldav.DAVClient(
        url=dav.dav_url, username=dav.juan.user.email, password=dav.juan.password
    )


def test_task_lists_and_journals_keep_what_the_client_saves(dav: DavWorld) -> None:
    moment = dav.tenant.at(16, days_ahead=5)
    with juan(dav) as client:
        principal = client.principal()
        tasks = principal.make_calendar(
            name="Tareas", cal_id="tareas", supported_calendar_component_set=["VTODO"]
        )
        todo = TODO.format(
            uid="todo-1",
            start=_stamp(moment),
            due=_stamp(moment + timedelta(hours=1)),
            summary="Llamar al proveedor",
        )
        tasks.save_todo(todo)
        found = tasks.todos()
        assert [str(t.icalendar_component["SUMMARY"]) for t in found] == ["Llamar al proveedor"]
        searched = tasks.search(todo=True)
        assert [str(t.icalendar_component["UID"]) for t in searched] == ["todo-1"]
        assert tasks.todo_by_uid("todo-1").icalendar_component["SUMMARY"] == "Llamar al proveedor"
        # multiget by href
        fetched = tasks.calendar_multiget([found[0].url])
        assert "Llamar al proveedor" in fetched[0].data

        journals = principal.make_calendar(
            name="Diario", cal_id="diario", supported_calendar_component_set=["VJOURNAL"]
        )
        journals.save_journal(JOURNAL.format(uid="journal-1", summary="Cierre de caja"))
        assert [str(j.icalendar_component["SUMMARY"]) for j in journals.journals()] == [
            "Cierre de caja"
        ]

        # A to-do in an event calendar, as clients do, next to an event.
        mine = principal.make_calendar(name="Personal", cal_id="personal")
        mine.save_event(dtstart=moment, dtend=moment + timedelta(hours=1), summary="Médico")
        mine.save_todo(
            TODO.format(
                uid="todo-2",
                start=_stamp(moment),
                due=_stamp(moment + timedelta(hours=1)),
                summary="Comprar guantes",
            )
        )
        assert [str(t.icalendar_component["SUMMARY"]) for t in mine.search(todo=True)] == [
            "Comprar guantes"
        ]
        events = mine.search(event=True, start=moment, end=moment + timedelta(hours=1))
        assert [str(e.icalendar_component["SUMMARY"]) for e in events] == ["Médico"]


def test_a_task_does_not_take_a_slot_but_an_event_does(dav: DavWorld) -> None:
    rid = dav.tenant.resources[0].id
    moment = dav.tenant.at(16, days_ahead=5)
    later = dav.tenant.at(18, days_ahead=5)
    with juan(dav) as client:
        tasks = client.principal().make_calendar(
            name="Tareas", cal_id="tareas", supported_calendar_component_set=["VTODO"]
        )
        tasks.save_todo(
            TODO.format(
                uid="todo-busy",
                start=_stamp(moment),
                due=_stamp(moment + timedelta(hours=1)),
                summary="Ordenar el depósito",
            )
        )
        mine = client.principal().make_calendar(name="Personal", cal_id="personal")
        mine.save_event(dtstart=later, dtend=later + timedelta(hours=1), summary="Médico")
    free = free_starts(dav, rid, 5)
    assert moment in free
    assert later not in free


REPORT_HEAD = '<?xml version="1.0" encoding="utf-8"?>'


def _report(dav: DavWorld, url: str, body: str) -> httpx.Response:
    with httpx.Client(auth=(dav.juan.user.email, dav.juan.password), timeout=30) as h:
        return h.request(
            "REPORT",
            url,
            content=(REPORT_HEAD + body).encode(),
            headers={"Depth": "1", "Content-Type": "application/xml"},
        )


def test_calendar_query_without_or_with_a_todo_filter_answers_207(dav: DavWorld) -> None:
    moment = dav.tenant.at(16, days_ahead=5)
    with juan(dav) as client:
        mine = client.principal().make_calendar(name="Personal", cal_id="personal")
        mine.save_event(dtstart=moment, dtend=moment + timedelta(hours=1), summary="Médico")
        mine.save_todo(
            TODO.format(
                uid="todo-3",
                start=_stamp(moment),
                due=_stamp(moment + timedelta(hours=1)),
                summary="Comprar guantes",
            )
        )
        url = str(mine.url)
    no_filter = _report(
        dav,
        url,
        '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
        "<D:prop><C:calendar-data/></D:prop></C:calendar-query>",
    )
    assert no_filter.status_code == 207
    assert "Médico" in no_filter.text and "Comprar guantes" in no_filter.text
    todo_filter = _report(
        dav,
        url,
        '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
        "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
        '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"/>'
        "</C:comp-filter></C:filter></C:calendar-query>",
    )
    assert todo_filter.status_code == 207
    assert "Comprar guantes" in todo_filter.text and "Médico" not in todo_filter.text


def test_calendar_properties_set_with_proppatch_are_read_back(dav: DavWorld) -> None:
    with juan(dav) as client:
        mine = client.principal().make_calendar(name="Personal", cal_id="personal")
        mine.set_properties(
            [
                dav_el.DisplayName("Mi agenda"),
                ical.CalendarColor("#FF5733FF"),
                ical.CalendarOrder("3"),
            ]
        )
        url = str(mine.url)
    body = (
        '<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
        "<C:calendar-description>Turnos propios</C:calendar-description>"
        "<C:calendar-timezone>BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\n"
        "TZID:America/Argentina/Buenos_Aires\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n"
        "</C:calendar-timezone></D:prop></D:set></D:propertyupdate>"
    )
    with httpx.Client(auth=(dav.juan.user.email, dav.juan.password), timeout=30) as h:
        patched = h.request("PROPPATCH", url, content=body.encode())
        assert patched.status_code == 207
    with juan(dav) as client:
        again = client.calendar(url=url)
        props = again.get_properties(
            [dav_el.DisplayName(), ical.CalendarColor(), ical.CalendarOrder()]
        )
        assert props["{DAV:}displayname"] == "Mi agenda"
        assert props["{http://apple.com/ns/ical/}calendar-color"] == "#FF5733FF"
        assert props["{http://apple.com/ns/ical/}calendar-order"] == "3"
    find = (
        '<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop>'
        "<C:calendar-description/><C:calendar-timezone/></D:prop></D:propfind>"
    )
    with httpx.Client(auth=(dav.juan.user.email, dav.juan.password), timeout=30) as h:
        found = h.request("PROPFIND", url, content=find.encode(), headers={"Depth": "0"})
    assert found.status_code == 207
    assert "Turnos propios" in found.text
    assert "TZID:America/Argentina/Buenos_Aires" in found.text


def _sync(dav: DavWorld, url: str, token: str, props: str) -> httpx.Response:
    body = (
        '<D:sync-collection xmlns:D="DAV:"><D:sync-token>'
        f"{token}</D:sync-token><D:sync-level>1</D:sync-level>"
        f"<D:prop>{props}</D:prop></D:sync-collection>"
    )
    return _report(dav, url, body)


def test_a_sync_token_the_server_cannot_use_gets_the_valid_sync_token_precondition(
    dav: DavWorld,
) -> None:
    moment = dav.tenant.at(16, days_ahead=5)
    dav.book(10)
    with juan(dav) as client:
        mine = client.principal().make_calendar(name="Personal", cal_id="personal")
        mine.save_event(dtstart=moment, dtend=moment + timedelta(hours=1), summary="Médico")
        personal = str(mine.url)
    resource = dav.calendar_url(dav.juan, dav.tenant.resources[0].id)
    unusable = (
        "http://example.com/not-ours",
        "garbage",
        "http://turnero.app/ns/sync/999999999",
        "http://turnero.app/ns/sync/-1",
        "http://turnero.app/ns/sync/x",
    )
    for url in (personal, resource):
        for props in ("<D:getetag/>", "<D:getetag/><D:displayname/>"):
            first = _sync(dav, url, "", props)
            assert first.status_code == 207
            assert "<D:sync-token>" in first.text or "sync-token>" in first.text
            for token in unusable:
                answer = _sync(dav, url, token, props)
                assert answer.status_code == 403, (url, token, answer.text)
                error = ET.fromstring(answer.content)
                assert error.tag == "{DAV:}error"
                assert [child.tag for child in error] == ["{DAV:}valid-sync-token"]


def test_a_resource_calendar_still_refuses_a_to_do_with_a_precondition(dav: DavWorld) -> None:
    moment = dav.tenant.at(16, days_ahead=5)
    url = dav.calendar_url(dav.juan, dav.tenant.resources[0].id) + "todo-r.ics"
    todo = TODO.format(
        uid="todo-r",
        start=_stamp(moment),
        due=_stamp(moment + timedelta(hours=1)),
        summary="No es un turno",
    )
    with httpx.Client(auth=(dav.juan.user.email, dav.juan.password), timeout=30) as h:
        answer = h.put(url, content=todo.encode(), headers={"Content-Type": "text/calendar"})
        assert answer.status_code == 403
        error = ET.fromstring(answer.content)
        assert [child.tag for child in error] == [
            "{urn:ietf:params:xml:ns:caldav}supported-calendar-component"
        ]
        assert h.get(url).status_code == 404
    assert moment in free_starts(dav, dav.tenant.resources[0].id, 5)
