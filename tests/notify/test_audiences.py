"""Who reads what: the client's messages speak to the contact the booking was made with (not
the customer record a phone matched), and each invitee's message speaks to them, with their
own link and none of the client's data."""

from __future__ import annotations

import dataclasses

from connectors.notify.context import MessageChannel, MessageKind, build_context
from connectors.notify.mail import audiences, build_email
from connectors.notify.templates import render, render_invitee
from hub.domain.booking import Invitee
from hub.domain.contacts import Contact
from tests.notify.conftest import NOW, make_world

SENDER = "turnos@lavadero.example"


def test_the_client_is_written_to_as_they_booked_and_invitees_as_themselves() -> None:
    world = make_world()
    invitee = Invitee("lucia@example.com", "Lucía Gómez")
    booking = dataclasses.replace(
        world.booking,
        contact=Contact("Marta Otra Persona", "+5491112345678", "marta@example.com"),
        invitees=(invitee,),
    )
    context = build_context(
        booking,
        world.business,
        world.service,
        world.resource,
        world.customer,  # the record: Juan Pérez, juan@example.com
        now=NOW,
        manage_url="https://turnero.example/book/manage/CLIENT-TOKEN",
        organizer_email=SENDER,
        invitation_url=lambda i: f"https://turnero.example/book/invite/{booking.id}/{i.token}",
    )
    (client_to, client), (guest_to, guest) = audiences(MessageKind.CONFIRMED, context)
    assert (client_to, guest_to) == ("marta@example.com", "lucia@example.com")

    mine = render(MessageKind.CONFIRMED, MessageChannel.EMAIL, "es", client)
    raw = build_email(
        MessageKind.CONFIRMED, client, mine, to=client_to, sender=SENDER, now=NOW
    ).as_bytes()
    assert mine.text.startswith("Hola Marta Otra Persona,")
    assert b"Juan" not in raw and b"juan@example.com" not in raw

    theirs = render_invitee(MessageKind.CONFIRMED, "es", guest)
    assert theirs.text.startswith("Hola Lucía Gómez,")
    assert f"/book/invite/{booking.id}/{invitee.token}" in theirs.text
    assert theirs.html is not None and "Lucía Gómez" in theirs.html
    sent = build_email(
        MessageKind.CONFIRMED, guest, theirs, to=guest_to, sender=SENDER, now=NOW
    ).as_bytes()
    for secret in (b"CLIENT-TOKEN", b"Marta", b"marta@example.com", b"Juan", b"5491112345678"):
        assert secret not in sent
        assert secret not in guest.ical_event
    assert b"Auto rojo" not in guest.ical_event  # the client's notes stay theirs
    (attendee,) = [
        line
        for line in guest.ical_event.replace(b"\r\n ", b"").split(b"\r\n")
        if line.startswith(b"ATTENDEE")
    ]
    assert 'CN="Lucía Gómez"'.encode() in attendee and b"RSVP=TRUE" in attendee
    assert attendee.endswith(b":mailto:lucia@example.com")

    english = render_invitee(MessageKind.CANCELLED, "en", dataclasses.replace(guest, language="en"))
    assert english.text.startswith("Hello Lucía Gómez,")
    assert english.subject is not None and english.subject.startswith("Cancelled:")
    assert [to for to, _ in audiences(MessageKind.THANK_YOU, context)] == ["marta@example.com"]
