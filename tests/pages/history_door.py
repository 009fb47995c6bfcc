"""What the client-history page tests share: a hub whose codes really travel (the fake
WhatsApp Cloud API and an SMTP server on loopback), a shop with WhatsApp set up or not, and
reading the code a client received."""

from __future__ import annotations

import email
import email.policy
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import TypeVar, cast

from cryptography.fernet import Fernet

from booking_pages.catalogue import CLIENT
from connectors.notify import secrets
from hub.bootstrap import Hub, build_hub
from hub.config import Settings
from hub.domain.booking import Booking
from hub.domain.model import Service
from hub.services import setup
from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails
from tests.pages.conftest import pages_app
from tests.pages.shop import SETUP, Shop
from tests.support.clock import Clock
from tests.support.live import LiveServer
from tests.support.smtp import SmtpSink
from tests.support.whatsapp import FakeWhatsAppGraph

PHONE_ID = "106540352242922"
TOKEN = "wa-shop-token"
_CODE = re.compile(r"\b(\d{6})\b")
T = TypeVar("T")


@dataclass
class Door:
    hub: Hub
    graph: FakeWhatsAppGraph
    smtp: SmtpSink
    key: str


def serve(
    database_file: str,
    clock: Clock,
    served: LiveServer,
    tmp_path: Path,
    graph: FakeWhatsAppGraph,
    smtp: SmtpSink,
) -> Iterator[Door]:
    key = Fernet.generate_key().decode()
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_file,
        base_url=served.base_url,
        secret_key="pages-test-secret",
        mail_dir=tmp_path / "outbox-mail",
        encryption_key=key,
        whatsapp_graph_url=graph.url,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
    )
    hub = build_hub(settings, clock=clock)
    served.start(pages_app(hub))
    yield Door(hub, graph, smtp, key)
    hub.close()


def with_whatsapp(door: Door, shop: Shop) -> None:
    """The shop's WhatsApp Cloud API number and token, as the console saves them."""
    config = {"phone_number_id": PHONE_ID, "token": secrets.seal(TOKEN, door.key)}
    shop.business = setup.update_business(
        door.hub.uow(),
        replace(shop.business, settings={**shop.business.settings, "whatsapp": config}),
        by=SETUP,
        now=door.hub.now(),
    )


def booked(
    shop: Shop,
    at: datetime,
    *,
    phone: str,
    email_address: str | None = None,
    service: Service | None = None,
    name: str = "Ana Pérez",
) -> Booking:
    return shop.hub.core.create_booking(
        NewBooking(
            shop.business.id,
            (service or shop.quick_wash).id,
            at,
            customer=CustomerDetails(name, phone, email_address),
        ),
        by=CLIENT,
    )


def eventually(find: Callable[[], T | None], what: str) -> T:
    """What ``find`` returns once it returns something: the code goes out after the page
    has answered, so the test waits for it to arrive (a bound, not a timing assertion)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = find()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{what} never arrived")


def whatsapp_code(graph: FakeWhatsAppGraph, number: str) -> str:
    def find() -> str | None:
        for message in reversed(graph.inbox(number)):
            if message.body.get("template", {}).get("name") == "turnero_code":
                match = _CODE.search(message.text)
                return match.group(1) if match else None
        return None

    return eventually(find, f"a WhatsApp code to {number}")


def mails_to(smtp: SmtpSink, address: str) -> list[EmailMessage]:
    return [
        cast(EmailMessage, email.message_from_bytes(m.data, policy=email.policy.default))
        for m in smtp.messages
        if address in m.rcpt_tos
    ]


def email_code(smtp: SmtpSink, address: str) -> str:
    def find() -> str | None:
        for message in reversed(mails_to(smtp, address)):
            match = _CODE.search(str(message["Subject"]))
            assert match and match.group(1) in str(message.get_content())
            return match.group(1) if match else None
        return None

    return eventually(find, f"an emailed code to {address}")
