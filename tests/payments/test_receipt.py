"""The receipt in the client's messages, through a real SMTP server (aiosmtpd) and a fake
WhatsApp Graph API on loopback: once the deposit is paid, the confirmation email (text and
HTML) and WhatsApp say what was paid, with whom, when and under which reference; the
cancellation says what goes back by the refund rule — in Spanish and in English."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage
from email.policy import default

import pytest

from connectors.notify.consumers import register_notification_consumers
from connectors.notify.mailers import SmtpMailer
from hub.bootstrap import Hub
from hub.services import setup
from hub.services.booking_status import cancel_booking
from scheduler.consumers import ConsumerRegistry
from tests.pages.helpers import text_of
from tests.payments.conftest import CLIENT, OPERATOR, World, build_world
from tests.support.payments import FakeMercadoPago, FakeStripe
from tests.support.smtp import SmtpSink, running_smtp_sink
from tests.support.whatsapp import FakeWhatsAppGraph, approve_shipped, running_graph

WORDS = {
    "es": {
        "confirmed": "Turno confirmado",
        "cancelled": "Turno cancelado",
        "paid": r"Seña pagada:? \$2\.000,00 con {provider}, el \d{{1,2}} \w+\.? \d{{4}} "
        r"\(ref\. {ref}\)",
        "whatsapp_paid": r"Seña pagada:? \$2\.000,00 \({provider}\)",
        "back": r"Devolución de la seña:? \$2\.000,00",
        "kept": "La seña no se devuelve",
    },
    "en": {
        "confirmed": "Booking confirmed",
        "cancelled": "Booking cancelled",
        "paid": r"Deposit paid:? ARS\s?2,000\.00 with {provider}, on \w{{3}} \d{{1,2}}, \d{{4}} "
        r"\(ref\. {ref}\)",
        "whatsapp_paid": r"Deposit paid:? ARS\s?2,000\.00 \({provider}\)",
        "back": r"Deposit refund:? ARS\s?2,000\.00",
        "kept": "The deposit is not refunded",
    },
}
PROVIDER_NAMES = {"stripe": "Stripe", "mercadopago": "Mercado Pago"}


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    yield from running_smtp_sink()


@pytest.fixture
def graph() -> Iterator[FakeWhatsAppGraph]:
    for fake in running_graph("wa-token"):
        approve_shipped(fake)
        yield fake


@pytest.fixture(
    params=[("stripe", "es"), ("mercadopago", "es"), ("stripe", "en"), ("mercadopago", "en")],
    ids="-".join,
)
def world(
    request: pytest.FixtureRequest,
    sqlite_url: str,
    fakes: tuple[FakeStripe, FakeMercadoPago],
    smtp: SmtpSink,
    graph: FakeWhatsAppGraph,
) -> Iterator[World]:
    provider, language = request.param
    mailer = SmtpMailer(smtp.host, smtp.port, timeout=5)

    def notifications(hub: Hub, registry: ConsumerRegistry) -> None:
        register_notification_consumers(registry, hub.database.unit_of_work, hub.settings, mailer)

    settings = {"whatsapp_graph_url": graph.url, "smtp_from": "turnos@lavadero.example"}
    for built in build_world(
        provider, sqlite_url, fakes, settings=settings, consumers=notifications
    ):
        business = replace(
            built.business,
            language=language,
            settings={
                **built.business.settings,
                "whatsapp": {"phone_number_id": "1055", "token": "wa-token"},
            },
        )
        built.business = setup.update_business(
            built.hub.uow(), business, by=OPERATOR, now=built.clock()
        )
        yield built


def emails(smtp: SmtpSink, subject: str) -> list[EmailMessage]:
    found = []
    for received in smtp.messages:
        parsed = email.message_from_bytes(received.data, policy=default)
        assert isinstance(parsed, EmailMessage)
        if str(parsed["Subject"]).startswith(subject):
            found.append(parsed)
    return found


def bodies(message: EmailMessage) -> tuple[str, str]:
    """The plain text, and the HTML part as a reader sees it (tags dropped)."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return str(text.get_content()), text_of(str(html.get_content()))


def whatsapp_texts(graph: FakeWhatsAppGraph) -> list[str]:
    """What the client read on WhatsApp (templates filled in), oldest first."""
    return [message.text for message in graph.messages]


def language_of(world: World) -> str:
    return world.business.language


def test_confirmation_carries_the_receipt_and_cancellation_the_refund(
    world: World, smtp: SmtpSink, graph: FakeWhatsAppGraph
) -> None:
    words = WORDS[language_of(world)]
    provider = PROVIDER_NAMES[world.provider]
    booking = world.book(hours_ahead=72)
    assert emails(smtp, words["confirmed"]) == []  # pending until paid
    assert world.pay(booking).json() == {"result": "confirmed"}
    payment = world.payment(booking)
    assert payment is not None and payment.provider_payment_id

    (confirmed,) = emails(smtp, words["confirmed"])
    text, html = bodies(confirmed)
    paid = re.compile(words["paid"].format(provider=provider, ref=payment.provider_payment_id))
    assert paid.search(text), text
    assert paid.search(html), html
    assert re.search(words["whatsapp_paid"].format(provider=provider), whatsapp_texts(graph)[-1])

    cancel_booking(world.hub.uow(), world.business.id, booking.id, by=CLIENT, now=world.clock())
    (cancelled,) = emails(smtp, words["cancelled"])
    text, html = bodies(cancelled)
    assert re.search(words["back"], text) and re.search(words["back"], html)
    assert words["kept"] not in text
    assert paid.search(text)
    assert re.search(words["back"], whatsapp_texts(graph)[-1])


def test_cancellation_inside_the_refund_window_says_the_deposit_is_kept(
    world: World, smtp: SmtpSink, graph: FakeWhatsAppGraph
) -> None:
    words = WORDS[language_of(world)]
    booking = world.book(hours_ahead=3)  # the refund rule gives back 24 h ahead or more
    assert world.pay(booking).json() == {"result": "confirmed"}
    cancel_booking(world.hub.uow(), world.business.id, booking.id, by=CLIENT, now=world.clock())
    assert world.refunds == []
    (cancelled,) = emails(smtp, words["cancelled"])
    text, html = bodies(cancelled)
    assert words["kept"] in text and words["kept"] in html
    assert not re.search(words["back"], text)
    assert words["kept"] in whatsapp_texts(graph)[-1]


def test_an_unpaid_booking_carries_no_receipt(world: World, smtp: SmtpSink) -> None:
    words = WORDS[language_of(world)]
    booking = world.book(hours_ahead=72)
    world.checkout(booking)  # started paying, never finished
    cancel_booking(world.hub.uow(), world.business.id, booking.id, by=OPERATOR, now=world.clock())
    (cancelled,) = emails(smtp, words["cancelled"])
    text, _ = bodies(cancelled)
    assert "Seña pagada" not in text and "Deposit paid" not in text
    assert not re.search(words["back"], text) and words["kept"] not in text
