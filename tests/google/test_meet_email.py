"""A video booking made through the REST API: its Google event gets a Meet link (pending
first), and the client's confirmation email carries that link even when the email consumer
runs before the Google push — it waits (retried) until the link is stored. Without a Google
connection, or once the wait is over, the email goes without one."""

from __future__ import annotations

import email
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.routing import Mount

from connectors.google.meet import MeetLinkGate, gated
from connectors.notify.builder import MessageBuilder
from connectors.notify.email_consumer import EmailConsumer
from hub.app import api_registry
from hub.bootstrap import Hub
from hub.services import accounts
from scheduler.consumers import ConsumerRegistry
from scheduler.models import DeliveryRow
from tests.google.conftest import ListMailer, World, make_world
from tests.support.google import FakeGoogle
from tests.support.live import LiveServer, loopback_socket

MEET = "https://meet.google.com/abc-defg-hij"


def _email_first(hub: Hub, registry: ConsumerRegistry, mailer: ListMailer) -> None:
    """The client email registered ahead of Google's push, held by the Meet-link gate."""
    consumer = EmailConsumer(
        MessageBuilder(hub.database.unit_of_work, hub.settings), mailer, hub.settings
    )
    registry.register_consumer(
        consumer.name, consumer.handles, gated(consumer.deliver, MeetLinkGate(hub.database))
    )


@pytest.fixture
def api(
    tmp_path: Path, database_url: str, google: FakeGoogle
) -> Iterator[tuple[World, httpx.Client]]:
    sock = loopback_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    world = make_world(database_url, google, base, first=_email_first)
    # The REST API as ``hub.app`` mounts it.
    app = Starlette(routes=[Mount("/api/v1", routes=api_registry().routes(world.hub))])
    server = LiveServer(sock, app)
    server.start()
    _, key = accounts.create_api_key(
        world.hub.accounts_uow(), world.business.id, "crm", world.hub.now()
    )
    client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30)
    yield world, client
    client.close()
    server.stop()
    world.connector.busy.close()
    world.hub.close()


def _text(message: object) -> str:
    raw = message.as_bytes()  # type: ignore[attr-defined]
    parsed: Message = email.message_from_bytes(raw)
    parts = [p for p in parsed.walk() if p.get_content_type() == "text/plain"]
    return "".join(str(p.get_payload(decode=True), "utf-8") for p in parts)  # type: ignore[arg-type]


def _book(world: World, client: httpx.Client, staff_resource: str, hour: int) -> str:
    answer = client.post(
        "/api/v1/bookings",
        json={
            "service": world.video.id,
            "resource": staff_resource,
            "start": world.at(hour).isoformat(),
            "customer": {
                "name": "Ana Pérez",
                "phone": "+5491123456789",
                "email": "ana@example.com",
            },
            "invitees": ["socio@example.com"],
        },
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _retry(world: World, consumer: str) -> None:
    """What the queue does when a postponed delivery comes due."""
    with world.hub.database.sessions() as session:
        ids = list(
            session.scalars(
                select(DeliveryRow.id).where(
                    DeliveryRow.consumer == consumer, DeliveryRow.status == "pending"
                )
            )
        )
    assert ids, f"no {consumer} delivery is waiting"
    world.dispatcher.deliver(ids)


def test_confirmation_email_carries_the_meet_link(api: tuple[World, httpx.Client]) -> None:
    world, client = api
    world.connect(world.juan)
    # Google answers "pending" and fills the room in only on the fourth look: the first push
    # leaves without a link, and the email (whichever ran first) has to wait.
    world.google.meet_pending = True
    world.google.meet_ready_after_gets = 4

    booking_id = _book(world, client, world.juan.resource.id, 10)

    (event,) = world.google.events(world.juan.email)
    assert {a["email"] for a in event["attendees"]} == {"ana@example.com", "socio@example.com"}
    assert world.booking(booking_id).meeting_url is None
    assert world.mailer.to("ana@example.com") == []  # it waits for the link
    _retry(world, "email")
    assert world.mailer.to("ana@example.com") == []  # still waiting

    _retry(world, "google")
    assert world.booking(booking_id).meeting_url == MEET
    (event,) = world.google.events(world.juan.email)  # the same event, not a second one
    assert event["hangoutLink"] == MEET
    _retry(world, "email")

    (confirmation,) = world.mailer.to("ana@example.com")
    assert MEET in _text(confirmation)
    shown = client.get(f"/api/v1/bookings/{booking_id}").json()
    assert MEET in str(shown)


def test_without_a_connection_the_email_does_not_wait(api: tuple[World, httpx.Client]) -> None:
    world, client = api
    world.connect(world.juan)  # María's calendar is not connected

    booking_id = _book(world, client, world.maria.resource.id, 10)

    (confirmation,) = world.mailer.to("ana@example.com")
    assert "meet.google.com" not in _text(confirmation)
    assert world.booking(booking_id).meeting_url is None


def test_after_the_wait_the_email_goes_without_the_link(api: tuple[World, httpx.Client]) -> None:
    world, client = api
    world.connect(world.juan)
    world.google.fail_api = [(503, "backendError")] * 10  # Google is down for a while
    booking_id = _book(world, client, world.juan.resource.id, 10)
    assert world.mailer.to("ana@example.com") == []
    with world.hub.uow() as uow:
        (created,) = [
            e for e in uow.outbox.for_aggregate(booking_id) if e.type == "booking.created"
        ]
    gate = MeetLinkGate(world.hub.database)

    assert gate.pending(created, created.created_at + timedelta(minutes=1))
    assert not gate.pending(created, created.created_at + timedelta(minutes=3))
