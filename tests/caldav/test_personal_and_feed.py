"""Personal calendars made with MKCALENDAR count as busy time for the member's resources, and
each resource has a read-only ICS feed at an unguessable URL."""

from __future__ import annotations

from datetime import datetime, timedelta

import caldav
import httpx

from caldav_server.feeds import feed_url
from hub.services import feeds
from tests.caldav.conftest import DavWorld


def free_starts(dav: DavWorld, resource_id: str, day_ahead: int) -> set[datetime]:
    t = dav.tenant
    day = t.day(day_ahead).isoformat()
    url = f"{dav.live.base_url}/api/v1/public/businesses/{t.slug}/availability"
    query = {"service": t.service.id, "from": day, "to": day, "resource": resource_id}
    with dav.live.client() as api:
        slots = api.get(url, params=query).json()["slots"]
    return {datetime.fromisoformat(s["start"]) for s in slots}


def test_personal_calendar_events_are_busy_time_for_the_members_resource(
    dav_sqlite: DavWorld,
) -> None:
    dav = dav_sqlite
    rid = dav.tenant.resources[0].id
    moment = dav.tenant.at(16, days_ahead=5)
    assert moment in free_starts(dav, rid, 5)
    with caldav.DAVClient(
        url=dav.dav_url, username=dav.juan.user.email, password=dav.juan.password
    ) as client:
        mine = client.principal().make_calendar(name="Personal de Juan")
        mine.save_event(dtstart=moment, dtend=moment + timedelta(hours=1), summary="Médico")
        # Overlapping events are fine in a personal calendar: no booking rules there.
        mine.save_event(dtstart=moment, dtend=moment + timedelta(minutes=30), summary="Banco")
        names = {c.get_display_name() for c in client.principal().calendars()}
        assert "Personal de Juan" in names
        assert len(mine.search(start=moment, end=moment + timedelta(hours=1), event=True)) == 2
    assert moment not in free_starts(dav, rid, 5)
    assert moment - timedelta(hours=1) in free_starts(dav, rid, 5)
    # A resource Juan is not linked to stays free at that time.
    assert moment in free_starts(dav, dav.tenant.resources[1].id, 5)


def test_ics_feed_serves_the_resource_agenda_read_only(dav_sqlite: DavWorld) -> None:
    dav = dav_sqlite
    booking = dav.book(10)
    t = dav.tenant
    link = feeds.issue_feed_link(
        dav.live.hub.uow(), dav.admin.user, t.resources[0].id, dav.live.now()
    )
    token = link.token
    url = feed_url(dav.live.base_url, token)
    with httpx.Client(timeout=30) as h:
        feed = h.get(url)
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("text/calendar")
        assert booking.uid in feed.text
        assert "X-WR-CALNAME" in feed.text
        assert h.get(url.replace(token, token[:-2] + "xx")).status_code == 404
        assert h.put(url, content=b"x").status_code in (401, 403, 404, 405)
