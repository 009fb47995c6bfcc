"""The `caldav` library against /dav on the real app: discovery, range search, events that
become blocks, moves that reschedule, refusals that change nothing, deletes that cancel, and
incremental sync after changes made through the REST API."""

from __future__ import annotations

from datetime import datetime, timedelta

import caldav
import pytest
from caldav.lib import error as caldav_error

from hub.domain.booking import BookingStatus
from tests.caldav.conftest import DavWorld
from tests.caldav.helpers import http, outbox, reread


def client(world: DavWorld, who: object = None) -> caldav.DAVClient:
    staff = who or world.admin
    return caldav.DAVClient(
        url=world.dav_url,
        username=staff.user.email,  # type: ignore[attr-defined]
        password=staff.password,  # type: ignore[attr-defined]
    )


def calendar_of(dav: caldav.DAVClient, resource_id: str) -> caldav.Calendar:
    for cal in dav.principal().calendars():
        if str(cal.url).rstrip("/").endswith(resource_id):
            return cal
    raise AssertionError(f"no calendar for {resource_id}")


def test_discovers_principal_and_one_calendar_per_visible_resource(dav: DavWorld) -> None:
    names = {r.id: r.name for r in dav.tenant.resources}
    with client(dav) as admin:
        calendars = admin.principal().calendars()
        seen = {str(c.url).rstrip("/").rsplit("/", 1)[-1]: c.get_display_name() for c in calendars}
    assert seen == names
    with client(dav, dav.juan) as juan:
        mine = [c.get_display_name() for c in juan.principal().calendars()]
    assert mine == [dav.tenant.resources[0].name]


def test_range_search_returns_the_bookings_of_that_week_only(dav: DavWorld) -> None:
    inside = dav.book(10)
    dav.book(11, days_ahead=20)  # next month: outside the week asked for
    start, end = dav.week()
    with client(dav) as admin:
        events = calendar_of(admin, dav.tenant.resources[0].id).search(
            start=start, end=end, event=True
        )
        texts = [e.data for e in events]
    assert len(texts) == 1
    assert inside.uid in texts[0]
    assert "Lavado completo — José Pérez" in texts[0]
    assert f"X-TURNERO-BOOKING-ID:{inside.id}" in texts[0]


def test_new_event_becomes_a_block_and_the_slot_leaves_public_availability(
    dav: DavWorld,
) -> None:
    t = dav.tenant
    day = t.day(4)
    query = {"service": t.service.id, "from": day.isoformat(), "to": day.isoformat()}
    url = f"{dav.live.base_url}/api/v1/public/businesses/{t.slug}/availability"

    def free_at(moment: datetime) -> set[str]:
        with dav.live.client() as api:
            slots = api.get(url, params=query).json()["slots"]
        return {
            rid
            for s in slots
            if datetime.fromisoformat(s["start"]) == moment
            for rid in s["resources"]
        }

    moment = t.at(15, days_ahead=4)
    assert t.resources[0].id in free_at(moment)
    with client(dav) as admin:
        cal = calendar_of(admin, t.resources[0].id)
        cal.save_event(
            dtstart=moment, dtend=moment + timedelta(hours=1), summary="Dentista", uid="dent-1"
        )
        assert any(
            "Dentista" in e.data
            for e in cal.search(start=moment, end=moment + timedelta(hours=1), event=True)
        )
    assert t.resources[0].id not in free_at(moment)
    assert t.resources[1].id in free_at(moment)


def test_moving_an_event_reschedules_the_booking_and_tells_the_client(dav: DavWorld) -> None:
    booking = dav.book(10)
    with client(dav) as admin:
        cal = calendar_of(admin, dav.tenant.resources[0].id)
        event = cal.event_by_uid(booking.uid)
        component = event.icalendar_component
        component["DTSTART"].dt = dav.tenant.at(14)
        component["DTEND"].dt = dav.tenant.at(14, 30)
        event.save()
    moved = reread(dav, booking)
    assert moved.start == dav.tenant.at(14)
    assert moved.notes == booking.notes
    events = [e for e in outbox(dav, booking) if e.type == "booking.rescheduled"]
    assert len(events) == 1
    assert events[0].payload["channel"] == "caldav"
    assert events[0].payload["user_id"] == dav.admin.user.id


def test_moving_onto_another_booking_is_refused_with_the_precondition(dav: DavWorld) -> None:
    first, second = dav.book(10), dav.book(12)
    url = f"{dav.calendar_url(dav.admin, dav.tenant.resources[0].id)}{second.id}.ics"
    with http(dav, dav.admin) as h:
        text = h.get(url).text
        start = dav.tenant.at(12).strftime("%Y%m%dT%H%M%S")
        overlap = dav.tenant.at(10, 15).strftime("%Y%m%dT%H%M%S")
        end = dav.tenant.at(12, 30).strftime("%Y%m%dT%H%M%S")
        overlap_end = dav.tenant.at(10, 45).strftime("%Y%m%dT%H%M%S")
        body = text.replace(start, overlap).replace(end, overlap_end)
        assert body != text
        answer = h.put(url, content=body.encode(), headers={"Content-Type": "text/calendar"})
    assert answer.status_code == 403
    assert "no-overlapping-booking" in answer.text
    assert reread(dav, second).start == second.start
    assert reread(dav, second).version == second.version
    assert reread(dav, first).start == first.start
    with client(dav) as admin:
        cal = calendar_of(admin, dav.tenant.resources[0].id)
        event = cal.event_by_uid(second.uid)
        event.icalendar_component["DTSTART"].dt = dav.tenant.at(10, 15)
        event.icalendar_component["DTEND"].dt = dav.tenant.at(10, 45)
        with pytest.raises(caldav_error.AuthorizationError) as refused:
            event.save()
    assert "no-overlapping-booking" in str(refused.value.preconditions)
    assert reread(dav, second).version == second.version


def test_deleting_an_event_cancels_the_booking(dav: DavWorld) -> None:
    booking = dav.book(10)
    with client(dav) as admin:
        cal = calendar_of(admin, dav.tenant.resources[0].id)
        cal.event_by_uid(booking.uid).delete()
        assert not cal.search(start=dav.week()[0], end=dav.week()[1], event=True)
    cancelled = reread(dav, booking)
    assert cancelled.status is BookingStatus.CANCELLED
    assert cancelled.cancelled_by is not None and cancelled.cancelled_by.value == "operator"


def test_incremental_sync_returns_exactly_what_changed_through_the_rest_api(
    dav: DavWorld,
) -> None:
    moved, cancelled, untouched = dav.book(10), dav.book(12), dav.book(14)
    with client(dav) as admin:
        cal = calendar_of(admin, dav.tenant.resources[0].id)
        first = cal.get_objects_by_sync_token(load_objects=False, disable_fallback=True)
        assert len(list(first)) == 3
        token = first.sync_token
        with dav.tenant.client() as api:
            patched = api.patch(
                f"/api/v1/bookings/{moved.id}", json={"start": dav.tenant.at(16).isoformat()}
            )
            assert patched.status_code == 200, patched.text
            assert api.delete(f"/api/v1/bookings/{cancelled.id}").status_code == 200
        later = cal.get_objects_by_sync_token(
            sync_token=token, load_objects=False, disable_fallback=True
        )
        hrefs = {str(o.url).rsplit("/", 1)[-1] for o in later}
        assert later.sync_token != token
    assert hrefs == {f"{moved.id}.ics", f"{cancelled.id}.ics"}
    assert f"{untouched.id}.ics" not in hrefs
