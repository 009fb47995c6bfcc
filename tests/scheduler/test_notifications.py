"""Booking changes reach the client by email (with calendar invites) and WhatsApp, through
the outbox and a real consumer, on SQLite + SqliteHuey and PostgreSQL + RedisHuey."""

from __future__ import annotations

from collections.abc import Callable

from hub.services.booking_moves import reschedule_booking
from hub.services.booking_status import cancel_booking
from scheduler.status import notification_log
from scheduler.worker import EmbeddedConsumer
from tests.scheduler.conftest import (
    OPERATOR,
    World,
    in_minutes,
    settle,
    utcnow,
    wait_until,
    whatsapp_settings,
)
from tests.support.smtp import SmtpSink
from tests.support.whatsapp import FakeWhatsAppGraph

EMAIL_SOON = {"reminders": [{"channel": "email", "minutes_before": 60}]}


def test_confirmation_update_cancel_and_reminder_arrive_by_email(
    world_factory: Callable[..., World],
    embedded: Callable[[World], EmbeddedConsumer],
    mail: SmtpSink,
) -> None:
    world = world_factory(EMAIL_SOON)
    embedded(world)
    booking = world.book(in_minutes(60 * 48), invitees=("maria@example.com",))
    wait_until(lambda: mail.count() == 2, what="the confirmation to client and invitee")
    confirmation = mail.messages
    assert sorted(m.to[0] for m in confirmation) == ["juan@example.com", "maria@example.com"]
    method, uid, sequence = confirmation[0].itip()
    assert (method, uid) == ("REQUEST", booking.uid)

    # Moved to start in an hour and a bit: the update, then the reminder for the new time.
    moved_to = in_minutes(60, seconds=3)
    reschedule_booking(
        world.uow(), world.business.id, booking.id, moved_to, by=OPERATOR, now=utcnow(), force=True
    )
    wait_until(lambda: mail.count() == 4, what="the update")
    update = mail.messages[2]
    assert update.itip() == ("REQUEST", uid, sequence + 1)

    wait_until(lambda: mail.count() == 6, timeout=20, what="the reminders")
    reminders = mail.messages[4:6]
    assert sorted(m.to[0] for m in reminders) == ["juan@example.com", "maria@example.com"]
    assert {m.booking_id for m in reminders} == {booking.id}
    assert reminders[0].subject.startswith("Recordatorio")

    cancel_booking(
        world.uow(), world.business.id, booking.id, by=OPERATOR, now=utcnow(), reason="Lluvia"
    )
    wait_until(lambda: mail.count() == 8, what="the cancellation")
    cancel = mail.messages[6]
    assert cancel.itip() == ("CANCEL", uid, sequence + 2)
    assert "Lluvia" in cancel.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    settle(world)
    assert mail.count() == 8  # nothing sent twice
    with world.hub.database.sessions() as session:
        log = notification_log(session, world.business.id, booking.id)
    assert [(r.kind, r.status) for r in log if r.recipient == "juan@example.com"] == [
        ("confirmed", "sent"),
        ("rescheduled", "sent"),
        ("reminder", "sent"),
        ("cancelled", "sent"),
    ]


def test_cancelled_bookings_are_never_reminded(
    world_factory: Callable[..., World],
    embedded: Callable[[World], EmbeddedConsumer],
    mail: SmtpSink,
) -> None:
    world = world_factory(EMAIL_SOON)
    kept = world.book(in_minutes(60, seconds=3), email="kept@example.com")
    dropped = world.book(in_minutes(60, seconds=3), email="dropped@example.com")
    cancel_booking(world.uow(), world.business.id, dropped.id, by=OPERATOR, now=utcnow())
    embedded(world)
    wait_until(
        lambda: any(
            m.booking_id == kept.id and m.subject.startswith("Recordatorio") for m in mail.messages
        ),
        timeout=20,
        what="the reminder of the booking kept",
    )
    settle(world)
    dropped_mails = [m for m in mail.messages if m.booking_id == dropped.id]
    kept_mails = [m for m in mail.messages if m.booking_id == kept.id]
    assert len(kept_mails) == 2  # confirmed, reminder
    # Cancelled before any worker ran: the cancellation only — no stale confirmation, no reminder.
    assert len(dropped_mails) == 1
    assert dropped_mails[0].itip()[0] == "CANCEL"


def test_whatsapp_refusal_is_logged_and_email_still_goes(
    world_factory: Callable[..., World],
    embedded: Callable[[World], EmbeddedConsumer],
    mail: SmtpSink,
    graph: FakeWhatsAppGraph,
) -> None:
    world = world_factory(whatsapp_settings(graph))
    graph.refused_at_once.add("5491187654321")
    embedded(world)
    good = world.book(in_minutes(60 * 48), email="ana@example.com", phone="+5491112345678")
    refused = world.book(in_minutes(60 * 48), email="beto@example.com", phone="+5491187654321")
    wait_until(lambda: mail.count() == 2, what="both confirmations by email")
    settle(world)
    assert [m["to"] for m in graph.sent] == ["5491112345678"]
    assert "Lavado completo" in graph.messages[0].text
    with world.hub.database.sessions() as session:
        good_log = notification_log(session, world.business.id, good.id)
        refused_log = notification_log(session, world.business.id, refused.id)
    assert {(r.channel, r.status) for r in good_log} == {("email", "sent"), ("whatsapp", "sent")}
    assert {(r.channel, r.status) for r in refused_log} == {
        ("email", "sent"),
        ("whatsapp", "failed"),
    }
    failure = next(r for r in refused_log if r.channel == "whatsapp")
    assert "not a WhatsApp user" in failure.error
    assert failure.recipient == "+5491187654321"
