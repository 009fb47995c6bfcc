"""The hub's iCalendar: a booking as an event, whole calendars, iTIP, and parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event

from hub import ical_parser
from hub.domain.booking import Actor, BookingStatus, ChangedBy, Channel, Invitee
from hub.domain.errors import ValidationError
from hub.ical.content_lines import to_ical
from hub.ical.itip import itip_cancel, itip_request
from hub.ical.timezones import vtimezone
from hub.ical.vcalendar import PRODID, calendar_for
from hub.ical.vevent import booking_vevent, booking_vevent_ical
from tests.notify.conftest import NOW, World, make_world

ORGANIZER = "turnos@lavadero.example"


@pytest.fixture
def world() -> World:
    return make_world()


def _vevent(world: World, now: datetime = NOW) -> Event:
    return booking_vevent(
        world.booking,
        world.business,
        world.service,
        world.resource,
        world.customer,
        now=now,
        organizer_email=ORGANIZER,
    )


def _only_event(data: bytes) -> tuple[Calendar, Event]:
    cal = ical_parser.parse_calendar(data)
    [event] = cal.walk("VEVENT")
    return cal, event


def test_booking_event_carries_what_staff_see(world: World) -> None:
    world.booking.meeting_url = "https://meet.example/abc-defg-hij"
    event = _vevent(world)
    assert str(event["UID"]) == world.booking.uid
    assert str(event["SUMMARY"]) == "Lavado Completo — Juan Pérez"
    assert event["DTSTART"].params["TZID"] == "America/Argentina/Buenos_Aires"
    assert event.start == datetime(2026, 2, 10, 10, 0, tzinfo=event.start.tzinfo)
    assert event.start.utcoffset() == timedelta(hours=-3)
    assert event.end - event.start == timedelta(hours=1)
    assert str(event["LOCATION"]) == "Av. Rivadavia 1234, CABA"
    description = str(event["DESCRIPTION"])
    for needle in ("+5491112345678", "Auto rojo", "Estado: confirmado", "meet.example"):
        assert needle in description
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert event["DTSTAMP"].dt == NOW
    assert event["LAST-MODIFIED"].dt == NOW
    assert str(event["X-TURNERO-BOOKING-ID"]) == world.booking.id
    assert str(event["URL"]) == "https://meet.example/abc-defg-hij"
    assert str(event["X-GOOGLE-CONFERENCE"]) == "https://meet.example/abc-defg-hij"
    attendees = {str(a): a.params for a in event["ATTENDEE"]}
    assert attendees["mailto:juan@example.com"]["CN"] == "Juan Pérez"
    assert attendees["mailto:juan@example.com"]["RSVP"] == "TRUE"
    assert attendees["mailto:maria@example.com"]["PARTSTAT"] == "NEEDS-ACTION"
    assert str(event["ORGANIZER"]) == f"mailto:{ORGANIZER}"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (BookingStatus.PENDING, "TENTATIVE"),
        (BookingStatus.CONFIRMED, "CONFIRMED"),
        (BookingStatus.COMPLETED, "CONFIRMED"),
        (BookingStatus.CANCELLED, "CANCELLED"),
        (BookingStatus.EXPIRED, "CANCELLED"),
    ],
)
def test_status_mapping(status: BookingStatus, expected: str) -> None:
    assert str(_vevent(make_world(status=status))["STATUS"]) == expected


def test_calendar_round_trips_with_its_timezone(world: World) -> None:
    data = calendar_for([_vevent(world)], world.business.timezone, name="Camioneta 1")
    cal, event = _only_event(data)
    assert str(cal["PRODID"]) == PRODID
    assert str(cal["VERSION"]) == "2.0"
    assert "METHOD" not in cal
    assert str(cal["X-WR-CALNAME"]) == "Camioneta 1"
    assert [tz.tz_name for tz in cal.timezones] == ["America/Argentina/Buenos_Aires"]
    assert cal.get_missing_tzids() == set()
    assert event.start.astimezone(UTC) == world.booking.start
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")


def test_dst_zone_gets_both_offsets_and_the_right_wall_clock() -> None:
    summer = make_world(timezone="Europe/Madrid", start=datetime(2026, 7, 1, 8, 0, tzinfo=UTC))
    winter = make_world(timezone="Europe/Madrid", start=datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    data = calendar_for([_vevent(summer), _vevent(winter)], "Europe/Madrid")
    cal = ical_parser.parse_calendar(data)
    starts = sorted(e.start for e in cal.walk("VEVENT"))
    assert [(s.hour, s.utcoffset()) for s in starts] == [
        (10, timedelta(hours=2)),
        (10, timedelta(hours=1)),
    ]
    [zone] = cal.timezones
    assert zone.daylight and zone.standard
    # the VTIMEZONE itself (not zoneinfo) says 10:00 local is 08:00 UTC in July
    assert zone.to_tz().utcoffset(datetime(2026, 7, 1, 10)) == timedelta(hours=2)


def test_vtimezone_covers_the_years_asked() -> None:
    zone = vtimezone("America/New_York", date(2026, 3, 1), date(2027, 11, 30)).to_tz()
    assert zone.utcoffset(datetime(2027, 7, 1, 12)) == timedelta(hours=-4)
    assert zone.utcoffset(datetime(2027, 12, 1, 12)) == timedelta(hours=-5)
    with pytest.raises(ValidationError):
        vtimezone("Mars/Olympus_Mons", date(2026, 1, 1), date(2026, 1, 1))


def test_itip_request_and_cancel_share_uid_and_order_by_sequence(world: World) -> None:
    request_cal, request = _only_event(itip_request(_vevent(world), world.business.timezone))
    assert str(request_cal["METHOD"]) == "REQUEST"
    world.booking.cancel(NOW, ChangedBy(Actor.CLIENT, Channel.WHATSAPP), reason="no puedo")
    cancel_cal, cancel = _only_event(itip_cancel(_vevent(world), world.business.timezone))
    assert str(cancel_cal["METHOD"]) == "CANCEL"
    assert str(cancel["UID"]) == str(request["UID"])
    assert cancel["SEQUENCE"] > request["SEQUENCE"]
    assert str(cancel["STATUS"]) == "CANCELLED"
    assert str(cancel["ORGANIZER"]) == f"mailto:{ORGANIZER}"


def test_itip_needs_an_organizer(world: World) -> None:
    event = booking_vevent(
        world.booking, world.business, world.service, world.resource, world.customer, now=NOW
    )
    with pytest.raises(ValidationError):
        itip_request(event, world.business.timezone)


def _broken(body: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        ical_parser.parse_calendar(body.replace("\n", "\r\n").encode())
    return caught.value


def test_parse_errors_name_the_line_and_component() -> None:
    error = _broken(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:a\n"
        "DTSTART:2026-02-10 10:00\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    assert (error.details["line"], error.details["component"]) == (6, "VEVENT")
    assert "DTSTART" in error.message

    error = _broken("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nEND:VCALENDAR\n")
    assert (error.details["line"], error.details["component"]) == (4, "VEVENT")

    error = _broken("BEGIN:VCALENDAR\nVERSION:2.0\nthis is not ical\nEND:VCALENDAR\n")
    assert error.details["line"] == 3

    error = _broken("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\n")
    assert (error.details["line"], error.details["component"]) == (2, "VEVENT")

    assert _broken("").field == "ical"
    with pytest.raises(ValidationError):
        ical_parser.parse_calendar(b"BEGIN:VCALENDAR\r\nSUMMARY:\xff\r\nEND:VCALENDAR\r\n")


def test_parse_accepts_folded_lines_and_lf_only(world: World) -> None:
    data = calendar_for([_vevent(world)], world.business.timezone)
    assert b"\r\n " in data  # long lines are folded
    _, event = _only_event(data.replace(b"\r\n", b"\n"))
    assert "Auto rojo" in str(event["DESCRIPTION"])


# --- the direct writer of a booking's VEVENT ---------------------------------------------

_TEXTS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t"),
    max_size=120,
)


def _properties(data: bytes) -> list[tuple[str, list[tuple[str, str]], bytes]]:
    event = Event.from_ical(data)
    assert isinstance(event, Event)
    assert not event.errors
    return sorted(
        (str(name), sorted((str(k), str(v)) for k, v in value.params.items()), value.to_ical())
        for name, value in event.property_items()
        if name not in ("BEGIN", "END")
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    customer_name=_TEXTS.filter(str.strip),
    notes=_TEXTS,
    address=st.none() | _TEXTS.filter(str.strip),
    business_name=_TEXTS.filter(str.strip),
    meeting=st.none() | st.sampled_from(["https://meet.example/a,b;c", "https://m.example/x"]),
    status=st.sampled_from(list(BookingStatus)),
    invitees=st.lists(st.emails(), max_size=3),
    zone=st.sampled_from(["America/Argentina/Buenos_Aires", "Europe/Madrid", "Asia/Kolkata"]),
)
def test_direct_vevent_reads_back_as_the_library_event(
    customer_name: str,
    notes: str,
    address: str | None,
    business_name: str,
    meeting: str | None,
    status: BookingStatus,
    invitees: list[str],
    zone: str,
) -> None:
    """Invites are written without building an icalendar object; whatever the names and
    notes hold, a calendar client must read exactly what the library would have written."""
    world = make_world()
    world.customer.name = customer_name
    world.business.name = business_name
    world.business.timezone = zone
    world.booking.notes = notes
    world.booking.address = address
    world.booking.meeting_url = meeting
    world.booking.status = status
    world.booking.invitees = tuple(Invitee(e, name=e.split("@")[0]) for e in invitees)
    args = (world.booking, world.business, world.service, world.resource, world.customer)
    kwargs = {"now": NOW, "organizer_email": ORGANIZER, "summary": f"{business_name} ✓"}
    direct = booking_vevent_ical(*args, **kwargs)
    library = booking_vevent(*args, **kwargs).to_ical()
    assert _properties(direct) == _properties(library)
    assert all(len(line) <= 75 for line in direct.split(b"\r\n"))
    assert direct.endswith(b"END:VEVENT\r\n")


def test_to_ical_is_the_library_serialisation(world: World) -> None:
    event = _vevent(world)
    assert to_ical(event) == event.to_ical()
    zone = vtimezone("Europe/Madrid", date(2026, 1, 1), date(2027, 1, 1))
    assert to_ical(zone) == zone.to_ical()
