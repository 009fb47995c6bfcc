"""A message the business switched off is not sent, by any channel; the others still are."""

from __future__ import annotations

from collections.abc import Callable

from scheduler.worker import EmbeddedConsumer
from tests.scheduler.conftest import World, in_minutes, settle, wait_until, whatsapp_settings
from tests.support.smtp import SmtpSink
from tests.support.whatsapp import FakeWhatsAppGraph


def test_a_message_switched_off_is_not_sent(
    world_factory: Callable[..., World],
    embedded: Callable[[World], EmbeddedConsumer],
    mail: SmtpSink,
    graph: FakeWhatsAppGraph,
) -> None:
    settings = whatsapp_settings(graph) | {
        "reminders": [{"channel": "email", "minutes_before": 60}],
        "messages_off": ["confirmed"],
    }
    world = world_factory(settings)
    embedded(world)
    booking = world.book(in_minutes(60, seconds=3), email="ana@example.com", phone="+5491112345678")
    wait_until(
        lambda: any(m.subject.startswith("Recordatorio") for m in mail.messages),
        timeout=20,
        what="the reminder, still on",
    )
    settle(world)
    assert [m.booking_id for m in mail.messages] == [booking.id]
    assert mail.messages[0].subject.startswith("Recordatorio"), "no confirmation email"
    assert graph.sent == [], "no confirmation by WhatsApp either"


def test_a_message_off_for_whatsapp_still_goes_by_email(
    world_factory: Callable[..., World],
    embedded: Callable[[World], EmbeddedConsumer],
    mail: SmtpSink,
    graph: FakeWhatsAppGraph,
) -> None:
    settings = whatsapp_settings(graph)
    settings["whatsapp"]["messages_off"] = ["confirmed"]
    world = world_factory(settings)
    embedded(world)
    booking = world.book(in_minutes(60 * 48), email="ana@example.com", phone="+5491112345678")
    wait_until(lambda: mail.count() == 1, what="the confirmation by email")
    settle(world)
    assert [m.booking_id for m in mail.messages] == [booking.id]
    assert graph.sent == [], "the confirmation does not go by WhatsApp"
