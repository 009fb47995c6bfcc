"""``booking.attendee_responded``: an invitee's answer on their own link reaches a CRM that
subscribed to it, signed, with who answered what; the booking it carries shows the answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from connectors.crm_webhooks.messages import EVENT_TYPES
from hub.domain.booking import Actor, ChangedBy, Channel, InviteeResponse
from hub.services.booking_moves import edit_booking
from hub.services.invitations import answer_invitation
from tests.crm_webhooks.conftest import World, later, utcnow
from tests.crm_webhooks.receiver import Receiver

INVITEE_LINK = ChangedBy(Actor.INVITEE, Channel.PAGE)
OPERATOR = ChangedBy(Actor.OPERATOR, Channel.CONSOLE)


def test_an_invitee_answer_is_a_webhook_event(
    world_factory: Callable[..., World], receiver: Receiver
) -> None:
    assert "booking.attendee_responded" in EVENT_TYPES  # in the catalogue subscriptions offer
    world = world_factory()
    sub = world.subscribe(receiver.url, event_types=["booking.attendee_responded"])
    receiver.secrets = [sub.secret]
    booking = world.book(later(days=2).replace(minute=0, second=0, microsecond=0))
    booking = edit_booking(
        world.uow(),
        world.business.id,
        booking.id,
        by=OPERATOR,
        now=utcnow(),
        invitees=["juan@socios.test"],
    )
    (juan,) = booking.invitees
    answer_invitation(
        world.uow(), booking.id, juan.token, InviteeResponse.ACCEPTED, by=INVITEE_LINK, now=utcnow()
    )
    assert len(world.fan_out_pending()) == 1  # only the event subscribed to
    world.webhooks.drain(now=utcnow() + timedelta(seconds=1))
    (message,) = receiver.of_type("booking.attendee_responded")
    data = message.body["data"]
    assert data["id"] == booking.id and data["actor"] == "invitee"
    assert data["attendee"] == {
        "email": "juan@socios.test",
        "name": "",
        "response": "accepted",
        "previous": "needs_action",
    }
    assert [i["response"] for i in data["invitations"]] == ["accepted"]
