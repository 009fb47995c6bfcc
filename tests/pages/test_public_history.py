"""A client with no link sees their bookings: "Mis turnos" on the business page → phone or
email → a one-time code by WhatsApp (the fake Cloud API) or email (an SMTP server) → their
bookings at that business, and nobody else's."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from booking_pages.public_history import PASS_COOKIE
from hub.bootstrap import Hub
from tests.pages.helpers import csrf_of, slot_codes, text_of
from tests.pages.history_door import (
    Door,
    booked,
    email_code,
    eventually,
    mails_to,
    serve,
    whatsapp_code,
    with_whatsapp,
)
from tests.pages.shop import Shop, create_shop
from tests.support.clock import Clock
from tests.support.live import LiveServer
from tests.support.smtp import SmtpSink, running_smtp_sink
from tests.support.whatsapp import FakeWhatsAppGraph, approve_shipped

ANA = "+54 9 11 2345-6789"
ANA_WA = "5491123456789"
BETO = "+54 9 11 3456-7890"


@pytest.fixture
def graph() -> Iterator[FakeWhatsAppGraph]:
    fake = FakeWhatsAppGraph("wa-shop-token").start()
    approve_shipped(fake)
    yield fake
    fake.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    yield from running_smtp_sink()


@pytest.fixture
def door(
    database_file: str,
    clock: Clock,
    served: LiveServer,
    tmp_path: Path,
    graph: FakeWhatsAppGraph,
    smtp: SmtpSink,
) -> Iterator[Door]:
    yield from serve(database_file, clock, served, tmp_path, graph, smtp)


@pytest.fixture
def hub(door: Door) -> Hub:
    return door.hub


def ask_code(client: httpx.Client, slug: str, contact: str) -> httpx.Response:
    page = client.get(f"/book/{slug}/history")
    assert page.status_code == 200, page.text
    return client.post(
        f"/book/{slug}/history/code",
        data={"csrf_token": csrf_of(page.text), "contact": contact},
    )


def send_code(client: httpx.Client, slug: str, contact: str, code: str) -> httpx.Response:
    page = client.get(f"/book/{slug}/history")
    return client.post(
        f"/book/{slug}/history/verify",
        data={"csrf_token": csrf_of(page.text), "contact": contact, "code": code},
    )


def codes_stored(hub: Hub) -> int:
    with hub.database.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM history_codes")).scalar_one())


def other(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_code_by_whatsapp_opens_the_clients_own_bookings(
    client: httpx.Client, door: Door, shop: Shop, clock: Clock
) -> None:
    with_whatsapp(door, shop)
    earlier = booked(shop, shop.at(10, days_ahead=1), phone=ANA)
    upcoming = booked(shop, shop.at(11, days_ahead=4), phone=ANA, service=shop.quick_wash)
    beto = booked(shop, shop.at(12, days_ahead=4), phone=BETO, name="Beto Gómez")
    clock.offset += timedelta(days=2)  # the first booking is now behind her

    home = client.get(f"/book/{shop.slug}")
    assert f'href="/book/{shop.slug}/history"' in home.text and "Mis turnos" in home.text
    asked = ask_code(client, shop.slug, "11 2345-6789")
    assert asked.status_code == 200
    assert "te mandamos un código" in text_of(asked.text)
    code = whatsapp_code(door.graph, ANA_WA)
    assert mails_to(door.smtp, "ana@example.com") == []

    opened = send_code(client, shop.slug, "11 2345-6789", code)
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/book/{shop.slug}/history"
    page = client.get(f"/book/{shop.slug}/history")
    assert page.status_code == 200
    seen = text_of(page.text)
    assert "Mis reservas en Lavadero Demo" in seen
    assert seen.count("Lavado exterior") == 2 and "Base Palermo" in seen
    assert f"/book/manage/{upcoming.token}" in page.text
    assert earlier.token not in page.text  # past: no link to manage
    assert beto.token not in page.text and "Beto" not in page.text
    # "Reservar de nuevo": one tap to the service's free times.
    rebook = re.findall(r'class="button rebook" href="([^"]+)"', page.text)
    assert len(rebook) == 2 and "Reservar de nuevo" in seen
    times = client.get(html.unescape(rebook[0]))
    assert times.status_code == 200
    assert f'href="/book/{shop.slug}?service={shop.quick_wash.id}" aria-current="true"' in (
        times.text
    )
    assert slot_codes(times.text)


def test_code_by_email_when_the_shop_has_no_whatsapp(
    client: httpx.Client, door: Door, shop: Shop
) -> None:
    mine = booked(shop, shop.at(10), phone=ANA, email_address="ana@example.com")
    asked = ask_code(client, shop.slug, "ANA@Example.com")
    assert asked.status_code == 200
    code = email_code(door.smtp, "ana@example.com")
    (mail,) = mails_to(door.smtp, "ana@example.com")
    assert "Lavadero Demo" in str(mail["Subject"]) and "10 minutos" in str(mail.get_content())
    assert door.graph.messages == []
    assert send_code(client, shop.slug, "ana@example.com", code).status_code == 303
    page = client.get(f"/book/{shop.slug}/history")
    assert f"/book/manage/{mine.token}" in page.text

    # By phone too: with no WhatsApp, the code goes to the email she booked with.
    ask_code(client, shop.slug, ANA)
    mails = eventually(lambda: mails_to(door.smtp, "ana@example.com")[1:], "a second code")
    assert re.search(r"\b\d{6}\b", str(mails[0]["Subject"]))


def test_an_unknown_contact_gets_the_same_answer_and_nothing_is_sent(
    client: httpx.Client, door: Door, shop: Shop
) -> None:
    with_whatsapp(door, shop)
    booked(shop, shop.at(10), phone=ANA, email_address="ana@example.com")
    known = ask_code(client, shop.slug, "11 2345-6789")
    whatsapp_code(door.graph, ANA_WA)
    unknown = ask_code(client, shop.slug, "11 3456-7890")
    assert unknown.status_code == known.status_code == 200
    assert text_of(unknown.text).replace("11 3456-7890", "X") == text_of(known.text).replace(
        "11 2345-6789", "X"
    )
    assert door.graph.inbox("5491134567890") == [] and door.smtp.messages == []
    assert codes_stored(door.hub) == 1
    refused = send_code(client, shop.slug, "11 3456-7890", "123456")
    assert refused.status_code == 403 and PASS_COOKIE not in refused.cookies


def test_five_wrong_codes_burn_it(client: httpx.Client, door: Door, shop: Shop) -> None:
    with_whatsapp(door, shop)
    booked(shop, shop.at(10), phone=ANA)
    ask_code(client, shop.slug, ANA)
    code = whatsapp_code(door.graph, ANA_WA)
    for _ in range(5):
        wrong = send_code(client, shop.slug, ANA, other(code))
        assert wrong.status_code == 403
        assert "no es correcto o ya no sirve" in text_of(wrong.text)
    burnt = send_code(client, shop.slug, ANA, code)
    assert burnt.status_code == 403
    assert "Mis reservas" not in client.get(f"/book/{shop.slug}/history").text


def test_a_code_expires_after_ten_minutes_and_works_once(
    client: httpx.Client, door: Door, shop: Shop, clock: Clock
) -> None:
    with_whatsapp(door, shop)
    booked(shop, shop.at(10), phone=ANA)
    ask_code(client, shop.slug, ANA)
    late = whatsapp_code(door.graph, ANA_WA)
    clock.offset += timedelta(minutes=11)
    assert send_code(client, shop.slug, ANA, late).status_code == 403

    door.graph.messages.clear()
    ask_code(client, shop.slug, ANA)
    code = whatsapp_code(door.graph, ANA_WA)
    assert send_code(client, shop.slug, ANA, code).status_code == 303
    client.cookies.clear()
    assert send_code(client, shop.slug, ANA, code).status_code == 403


def test_another_business_never_shows_and_its_pass_opens_nothing_elsewhere(
    client: httpx.Client, door: Door, shop: Shop
) -> None:
    with_whatsapp(door, shop)
    elsewhere = create_shop(door.hub)
    theirs = booked(elsewhere, elsewhere.at(15), phone=ANA)
    mine = booked(shop, shop.at(10), phone=ANA)
    ask_code(client, shop.slug, ANA)
    code = whatsapp_code(door.graph, ANA_WA)
    # The code of this shop is no code at the other one.
    assert send_code(client, elsewhere.slug, ANA, code).status_code == 403
    opened = send_code(client, shop.slug, ANA, code)
    assert opened.status_code == 303
    page = client.get(f"/book/{shop.slug}/history")
    assert mine.token in page.text and theirs.token not in page.text
    # The pass, carried by hand to the other shop's page, opens nothing there.
    sealed = opened.cookies[PASS_COOKIE]
    there = httpx.get(
        f"{client.base_url}/book/{elsewhere.slug}/history",
        cookies={PASS_COOKIE: sealed},
    )
    assert there.status_code == 200 and theirs.token not in there.text
    assert 'name="contact"' in there.text


@pytest.mark.parametrize(
    ("contact", "code", "status"),
    [
        ("", None, 422),
        ("<script>alert(1)</script>", None, 422),
        ("9" * 5000, None, 422),
        ("ana@", None, 422),
        (ANA, "12ab56", 422),
        (ANA, "1" * 5000, 422),
        ("not a phone", "123456", 422),
    ],
)
def test_hostile_input_gets_a_clear_4xx_and_changes_nothing(
    client: httpx.Client,
    door: Door,
    shop: Shop,
    contact: str,
    code: str | None,
    status: int,
) -> None:
    booked(shop, shop.at(10), phone=ANA)
    if code is None:
        answer = ask_code(client, shop.slug, contact)
    else:
        answer = send_code(client, shop.slug, contact, code)
    assert answer.status_code == status
    assert codes_stored(door.hub) == 0 and PASS_COOKIE not in answer.cookies
    assert "<script>alert" not in answer.text


def test_unknown_business_forged_pass_and_missing_csrf_are_refused(
    client: httpx.Client, door: Door, shop: Shop
) -> None:
    assert client.get("/book/no-such-shop/history").status_code == 404
    token = csrf_of(client.get(f"/book/{shop.slug}/history").text)
    gone = client.post(
        "/book/no-such-shop/history/code", data={"csrf_token": token, "contact": ANA}
    )
    assert gone.status_code == 404
    forged = client.post(f"/book/{shop.slug}/history/code", data={"contact": ANA})
    assert forged.status_code == 403
    page = httpx.get(
        f"{client.base_url}/book/{shop.slug}/history",
        cookies={PASS_COOKIE: "eyJhIjoxfQ.deadbeef"},
    )
    assert page.status_code == 200 and 'name="contact"' in page.text
    assert codes_stored(door.hub) == 0


def test_repeated_requests_are_throttled(client: httpx.Client, door: Door, shop: Shop) -> None:
    booked(shop, shop.at(10), phone=ANA, email_address="ana@example.com")
    for contact in (ANA, BETO):  # a client and a stranger alike
        for _ in range(3):
            assert ask_code(client, shop.slug, contact).status_code == 200
        slowed = ask_code(client, shop.slug, contact)
        assert slowed.status_code == 429
        assert int(slowed.headers["Retry-After"]) > 0
        assert "demasiados intentos" in text_of(slowed.text)


def test_the_pages_speak_english(client: httpx.Client, door: Door, shop: Shop) -> None:
    english = {"Accept-Language": "en"}
    page = client.get(f"/book/{shop.slug}/history?lang=en", headers=english)
    assert "Type the phone number or email you booked with" in text_of(page.text)
    asked = client.post(
        f"/book/{shop.slug}/history/code?lang=en",
        data={"csrf_token": csrf_of(page.text), "contact": "11 3456-7890"},
    )
    assert re.search(r"If 11 3456-7890 has bookings here, we sent a code", text_of(asked.text))


def test_when_whatsapp_refuses_the_code_it_goes_to_the_email_she_booked_with(
    client: httpx.Client, door: Door, shop: Shop
) -> None:
    with_whatsapp(door, shop)
    for key in [k for k in door.graph.templates if k[0] == "turnero_code"]:
        del door.graph.templates[key]  # never created in this account: Graph answers 132001
    booked(shop, shop.at(10), phone=ANA, email_address="ana@example.com")
    ask_code(client, shop.slug, "11 2345-6789")
    code = email_code(door.smtp, "ana@example.com")
    assert door.graph.inbox(ANA_WA) == []
    assert send_code(client, shop.slug, "11 2345-6789", code).status_code == 303
