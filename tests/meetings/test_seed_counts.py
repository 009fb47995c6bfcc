"""The meeting-room seed's case 1 ("Reunión simple entre internos"), counted: the organizer
books a room for a team meeting with María and Juan. The seed counts "2 emails + 1 WhatsApp"
(the invitations, and the 15-minute reminder on WhatsApp); the notification table also
names the organizer for the confirmation and the reminder, so here the organizer gets their
own confirmation by email and WhatsApp and the reminder by both, and the invitees the
reminder by email."""

from __future__ import annotations

from datetime import timedelta

from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails, InviteeDetails
from tests.meetings.conftest import WA_EXECUTIVE, Office, invite

MARIA, JUAN = "maria@equipo.test", "juan@equipo.test"


def test_case_1_internal_meeting_messages(office: Office) -> None:
    executive = office.executive.email
    booking = office.live.hub.core.create_booking(
        NewBooking(
            office.tenant.business.id,
            office.tenant.service.id,
            office.tenant.at(10, days_ahead=2),
            customer=CustomerDetails("Reunión de equipo", email=executive),
            resource_id=office.tenant.resources[0].id,
            invitees=(InviteeDetails(MARIA, "María"), InviteeDetails(JUAN, "Juan")),
        ),
        by=office.by_executive,
    )
    at_creation = {a: len(office.mails_to(a)) for a in (MARIA, JUAN, executive)}
    assert at_creation == {MARIA: 1, JUAN: 1, executive: 1}
    assert office.whatsapp_to(WA_EXECUTIVE) == ["turnero_confirmed"]
    for address in (MARIA, JUAN):
        method, event = invite(office.mails_to(address)[0])
        assert method == "REQUEST" and str(event["ORGANIZER"]) == f"mailto:{executive}"

    office.until(booking.start - timedelta(minutes=14))
    office.fire_reminders()
    totals = {a: len(office.mails_to(a)) for a in (MARIA, JUAN, executive)}
    assert totals == {MARIA: 2, JUAN: 2, executive: 2}
    assert office.whatsapp_to(WA_EXECUTIVE) == ["turnero_confirmed", "turnero_reminder"]
