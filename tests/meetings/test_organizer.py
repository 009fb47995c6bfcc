"""The staff member who makes a booking is its organizer: it is recorded on the booking, and
they hear about it as the meeting-room seed's notification table says (confirmation, change,
cancellation and the 15-minute reminder, to "Organizador + Invitados"): by email, as the
invite's ORGANIZER, and by WhatsApp when they gave a number."""

from __future__ import annotations

from datetime import timedelta

import httpx

from booking_pages.catalogue import CLIENT
from hub.domain.booking import BookingStatus
from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails
from tests.meetings.conftest import WA_EXECUTIVE, Office, attendees, body_text, invite, subject
from tests.pages.helpers import csrf_of, text_of
from tests.pages.test_console import sign_in

CLIENT_EMAIL = "prospecto@cliente.test"


def book_for_prospect(office: Office, *, invitees: tuple[str, ...] = ()) -> str:
    booking = office.live.hub.core.create_booking(
        NewBooking(
            office.tenant.business.id,
            office.tenant.service.id,
            office.tenant.at(10, days_ahead=2),
            customer=CustomerDetails("Ana Prospecto", email=CLIENT_EMAIL),
            resource_id=office.tenant.resources[0].id,
            invitees=invitees,
        ),
        by=office.by_executive,
    )
    return booking.id


def test_case_2_the_executive_gets_confirmation_change_cancellation_and_reminder(
    office: Office,
) -> None:
    executive = office.executive.email
    booking_id = book_for_prospect(office)
    booking = office.booking(booking_id)
    assert booking.organizer_id == office.executive.id
    assert booking.status is BookingStatus.CONFIRMED

    # Creation: the client and the executive by email, the executive by WhatsApp.
    (to_client,) = office.mails_to(CLIENT_EMAIL)
    (to_executive,) = office.mails_to(executive)
    method, event = invite(to_executive)
    assert method == "REQUEST"
    assert str(event["ORGANIZER"]) == f"mailto:{executive}"
    assert event["ORGANIZER"].params["CN"] == "Laura Ejecutiva"
    assert attendees(event) == [CLIENT_EMAIL]
    client_method, client_event = invite(to_client)
    assert client_method == "REQUEST" and str(client_event["ORGANIZER"]) == f"mailto:{executive}"
    assert str(client_event["UID"]) == str(event["UID"])
    text = body_text(to_executive)
    assert "Ana Prospecto" in text
    assert f"/console/bookings/{booking_id}" in text
    assert booking.token not in to_executive.as_string()  # never the client's manage link
    assert office.whatsapp_to(WA_EXECUTIVE) == ["turnero_confirmed"]
    (whatsapp,) = office.graph.inbox(WA_EXECUTIVE)
    assert "Con Ana Prospecto" in whatsapp.text and whatsapp.payloads == []

    # A change of time.
    office.live.hub.core.reschedule_booking(
        booking.business_id, booking_id, booking.start + timedelta(hours=1), by=office.by_executive
    )
    method, moved = invite(office.mails_to(executive)[-1])
    assert method == "REQUEST" and int(moved["SEQUENCE"]) > int(event["SEQUENCE"])
    assert office.whatsapp_to(WA_EXECUTIVE)[-1] == "turnero_rescheduled"

    # The 15-minute reminder, by email and by WhatsApp.
    start = office.booking(booking_id).start
    office.until(start - timedelta(minutes=14))
    office.fire_reminders()
    reminder = office.mails_to(executive)[-1]
    assert "Recordatorio" in subject(reminder)
    assert office.whatsapp_to(WA_EXECUTIVE)[-1] == "turnero_reminder"

    # Cancellation: iTIP CANCEL with the same UID.
    office.live.hub.core.cancel_booking(
        booking.business_id, booking_id, by=office.by_executive, reason="El cliente no puede"
    )
    method, cancelled = invite(office.mails_to(executive)[-1])
    assert method == "CANCEL" and str(cancelled["UID"]) == str(event["UID"])
    assert "El cliente no puede" in body_text(office.mails_to(executive)[-1])
    assert office.whatsapp_to(WA_EXECUTIVE) == [
        "turnero_confirmed",
        "turnero_rescheduled",
        "turnero_reminder",
        "turnero_cancelled",
    ]
    # The seed's count for case 2 at creation and reminder: "3 emails + 1 WhatsApp".
    # Here: client + executive at creation, client + executive at the reminder (4 emails),
    # and the executive's WhatsApp at creation and reminder (2): see the report.
    assert len(office.mails_to(CLIENT_EMAIL)) == 4  # created, moved, reminder, cancelled
    assert len(office.mails_to(executive)) == 4


def test_an_organizer_without_a_number_gets_email_only_and_client_bookings_have_none(
    office: Office,
) -> None:
    quiet = office.staff("Pablo Sin Teléfono", f"pablo@{office.tenant.business.slug}.test")
    office.executive = quiet
    booking_id = book_for_prospect(office)
    assert office.booking(booking_id).organizer_id == quiet.id
    assert len(office.mails_to(quiet.email)) == 1
    assert office.graph.messages == []
    public = office.live.hub.core.create_booking(
        NewBooking(
            office.tenant.business.id,
            office.tenant.service.id,
            office.tenant.at(11, days_ahead=3),
            customer=CustomerDetails("Cliente Web", email="web@cliente.test"),
        ),
        by=CLIENT,
    )
    assert office.booking(public.id).organizer_id is None


def test_staff_give_and_clear_their_whatsapp_number_in_the_console(
    office: Office,
) -> None:
    with httpx.Client(base_url=office.live.base_url, follow_redirects=False) as client:
        sign_in(client, office.executive.email)
        page = client.get("/console/account")
        assert "+5491155550001" in page.text
        csrf = csrf_of(page.text)
        bad = client.post("/console/account/phone", data={"csrf_token": csrf, "phone": "12"})
        assert bad.status_code == 422
        assert "+5491155550001" in client.get("/console/account").text  # unchanged
        cleared = client.post("/console/account/phone", data={"csrf_token": csrf, "phone": ""})
        assert cleared.status_code == 303
        assert "5491155550001" not in text_of(client.get("/console/account").text)
