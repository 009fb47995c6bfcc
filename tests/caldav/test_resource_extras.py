"""What a calendar app legitimately adds to an event of a resource's agenda — its own
reminders (VALARM), X- properties, an attendee's PARTSTAT — is taken without a refusal and
leaves the booking where it was; a new event carrying them blocks its time as any other."""

from __future__ import annotations

from datetime import timedelta

import caldav
from icalendar import Alarm, vCalAddress

from tests.caldav.conftest import DavWorld
from tests.caldav.helpers import reread
from tests.caldav.test_personal_and_feed import free_starts


def test_alarms_x_properties_and_partstat_on_a_booking_are_taken(dav: DavWorld) -> None:
    booking = dav.book(10)
    rid = dav.tenant.resources[0].id
    with caldav.DAVClient(
        url=dav.dav_url, username=dav.juan.user.email, password=dav.juan.password
    ) as client:
        agenda = client.calendar(url=dav.calendar_url(dav.juan, rid))
        event = agenda.event_by_uid(booking.uid)
        component = event.icalendar_component
        alarm = Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", "Recordatorio")
        alarm.add("TRIGGER", timedelta(minutes=-15))
        component.add_component(alarm)
        component.add("X-MOZ-LASTACK", "20260101T000000Z")
        component.add("X-APPLE-TRAVEL-ADVISORY-BEHAVIOR", "AUTOMATIC")
        attendee = vCalAddress(f"mailto:{dav.juan.user.email}")
        attendee.params["PARTSTAT"] = "ACCEPTED"
        attendee.params["CN"] = "Juan"
        component.add("ATTENDEE", attendee)
        event.save()

        again = agenda.event_by_uid(booking.uid)
        assert again.icalendar_component["DTSTART"].dt == booking.start
    kept = reread(dav, booking)
    assert kept.start == booking.start and kept.end == booking.end
    assert kept.status == booking.status


def test_a_new_event_with_an_alarm_and_x_properties_blocks_its_time(dav: DavWorld) -> None:
    rid = dav.tenant.resources[0].id
    moment = dav.tenant.at(16, days_ahead=5)
    assert moment in free_starts(dav, rid, 5)
    with caldav.DAVClient(
        url=dav.dav_url, username=dav.juan.user.email, password=dav.juan.password
    ) as client:
        agenda = client.calendar(url=dav.calendar_url(dav.juan, rid))
        saved = agenda.save_event(
            dtstart=moment,
            dtend=moment + timedelta(hours=1),
            summary="Mantenimiento",
            alarm_trigger=timedelta(minutes=-30),
            alarm_action="DISPLAY",
            alarm_description="Preparar la sala",
        )
        component = saved.icalendar_component
        component.add("X-TURNERO-CLIENT-NOTE", "traído por la app")
        attendee = vCalAddress(f"mailto:{dav.juan.user.email}")
        attendee.params["PARTSTAT"] = "TENTATIVE"
        component.add("ATTENDEE", attendee)
        saved.save()
        found = agenda.search(event=True, start=moment, end=moment + timedelta(hours=1))
        assert [str(e.icalendar_component["SUMMARY"]) for e in found] == ["Mantenimiento"]
    assert moment not in free_starts(dav, rid, 5)
