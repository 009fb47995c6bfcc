"""Bodies too large or too slow are refused before they cost the server memory or a thread:
413 before reading when the Content-Length is over the route's limit, 413 as soon as a
chunked body passes it, 408 when the body trickles — on the public API, the payment and
WhatsApp webhooks, the console's forms and CalDAV. Memory is read from the server process
(VmRSS) around a 300 MB request, and stays flat.
"""

from __future__ import annotations

import base64
import threading
import time

import httpx
import pytest

from tests.edge.conftest import MIB, RawClient, Served, chunked, plain

pytestmark = pytest.mark.slow
HUGE = 300 * MIB
# What the server may grow by while refusing a 300 MB body: socket buffers, one chunk being
# parsed, allocator slack. Reading the body would add twice its size (about 600 MB).
FLAT = 64 * MIB


def _auth(served: Served) -> str:
    raw = f"{served.staff_email}:{served.app_password}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def _targets(served: Served) -> dict[str, tuple[str, str, dict[str, str]]]:
    """Unauthenticated entry points, and CalDAV with a valid login."""
    slug = served.tenant.slug
    business = served.tenant.business.id
    json = {"Content-Type": "application/json"}
    dav = {"Authorization": _auth(served), "Content-Type": "text/calendar"}
    return {
        "public booking API": ("POST", f"/api/v1/public/businesses/{slug}/bookings", json),
        "stripe webhook": (
            "POST",
            f"/connectors/payments/stripe/webhook?business={business}",
            json,
        ),
        "mercadopago webhook": (
            "POST",
            f"/connectors/payments/mercadopago/webhook?business={business}",
            json,
        ),
        "whatsapp webhook": ("POST", "/connectors/whatsapp/webhook", json),
        "console login form": (
            "POST",
            "/console/login",
            {"Content-Type": "application/x-www-form-urlencoded"},
        ),
        "caldav put": ("PUT", f"{served.calendar_path}big.ics", dav),
        "caldav report": ("REPORT", served.calendar_path, {**dav, "Content-Type": "text/xml"}),
    }


TARGETS = [
    "public booking API",
    "stripe webhook",
    "mercadopago webhook",
    "whatsapp webhook",
    "console login form",
    "caldav put",
    "caldav report",
]


@pytest.mark.parametrize("target", TARGETS)
def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(
    served: Served, target: str
) -> None:
    method, path, headers = _targets(served)[target]
    client = RawClient(served.port, timeout=10)
    try:
        client.head(method, path, {**headers, "Content-Length": str(HUGE)})
        answer = client.answer()  # no byte of the body sent: the server must not wait for it
    finally:
        client.close()
    assert answer.status == 413
    assert answer.headers["connection"] == "close"
    assert b"larger than" in answer.body


def _refuse_huge(served: Served, target: str, framing: str) -> tuple[int, int]:
    method, path, headers = _targets(served)[target]
    client = RawClient(served.port, timeout=30)
    try:
        if framing == "chunked":
            client.head(method, path, {**headers, "Transfer-Encoding": "chunked"})
            client.send_body(chunked(HUGE))
        else:
            # The length is checked first, so this body is never read; sending it anyway
            # shows the server stops listening instead of draining it.
            client.head(method, path, {**headers, "Content-Length": str(HUGE)})
            client.send_body(plain(HUGE))
        answer = client.answer()
    finally:
        client.close()
    return answer.status, answer.sent


@pytest.mark.parametrize("target", TARGETS)
def test_a_chunked_body_is_cut_off_at_the_limit_and_memory_stays_flat(
    served: Served, target: str
) -> None:
    _refuse_huge(served, "public booking API", "chunked")  # warm up the code paths
    before = served.rss
    status, sent = _refuse_huge(served, target, "chunked")
    grown = served.rss - before
    assert status == 413
    assert sent < HUGE // 4, f"the server read {sent} bytes before refusing"
    assert grown < FLAT, f"the server grew by {grown / MIB:.0f} MiB"


def test_a_huge_declared_body_sent_anyway_costs_no_memory(served: Served) -> None:
    _refuse_huge(served, "stripe webhook", "content-length")
    before = served.rss
    status, sent = _refuse_huge(served, "public booking API", "content-length")
    grown = served.rss - before
    assert status == 413
    assert sent < HUGE // 4, f"the server read {sent} bytes before closing"
    assert grown < FLAT, f"the server grew by {grown / MIB:.0f} MiB"


def test_bodies_within_the_limits_still_arrive(served: Served) -> None:
    """A calendar PUT over the 1 MiB other CalDAV bodies may have reaches CalDAV (which then
    judges the object by its own max-resource-size); an event within it is stored; a JSON
    booking is a normal POST."""

    def put(uid: str, description: str) -> httpx.Response:
        folded = "\r\n ".join(description[i : i + 74] for i in range(0, len(description), 74))
        body = (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20300102T100000Z\r\n"
            f"DTEND:20300102T110000Z\r\nSUMMARY:Taller\r\nDESCRIPTION:{folded}\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n"
        ).encode()
        return httpx.put(
            f"{served.base_url}{served.calendar_path}{uid}.ics",
            content=body,
            headers={"Authorization": _auth(served), "Content-Type": "text/calendar"},
            timeout=60,
        )

    past_dav_limit = put("past-the-dav-body-limit", "x" * (3 * MIB))
    assert past_dav_limit.status_code == 403, past_dav_limit.text
    assert "max-resource-size" in past_dav_limit.text
    answer = put("big-but-fine", "x" * (900 * 1024))
    assert answer.status_code in (201, 204), answer.text
    booked = httpx.post(
        f"{served.base_url}/api/v1/public/businesses/{served.tenant.slug}/bookings",
        json=served.tenant.booking_body(),
        timeout=30,
    )
    assert booked.status_code == 201, booked.text


def _trickle(client: RawClient, stop: threading.Event) -> None:
    """One byte every half second until the server answers or ``stop`` is set."""
    while not stop.is_set() and not client.answered():
        try:
            client.sock.sendall(b"x")
        except OSError:
            return
        stop.wait(0.5)


def test_a_trickling_body_is_cut_off_with_408(served_impatient: Served) -> None:
    served = served_impatient
    client = RawClient(served.port, timeout=20)
    stop = threading.Event()
    try:
        method, path, headers = _targets(served)["public booking API"]
        client.head(method, path, {**headers, "Content-Length": "1000"})
        thread = threading.Thread(target=_trickle, args=(client, stop), daemon=True)
        thread.start()
        answer = client.answer()
    finally:
        stop.set()
        client.close()
    assert answer.status == 408
    assert answer.headers["connection"] == "close"


def test_trickling_caldav_clients_do_not_lock_out_the_others(served_impatient: Served) -> None:
    """More trickling PUTs than CalDAV has worker threads: each is cut off after the body
    timeout, and a real client's PROPFIND is then answered."""
    served = served_impatient
    stop = threading.Event()
    clients: list[RawClient] = []
    threads: list[threading.Thread] = []
    try:
        for n in range(12):
            client = RawClient(served.port, timeout=30)
            clients.append(client)
            client.head(
                "PUT",
                f"{served.calendar_path}slow-{n}.ics",
                {"Authorization": _auth(served), "Content-Length": "100000"},
            )
            thread = threading.Thread(target=_trickle, args=(client, stop), daemon=True)
            thread.start()
            threads.append(thread)
        time.sleep(0.5)  # every trickler holds a CalDAV thread now
        answer = httpx.request(
            "PROPFIND",
            f"{served.base_url}{served.calendar_path}",
            headers={"Authorization": _auth(served), "Depth": "0"},
            timeout=25,
        )
        statuses = [client.answer().status for client in clients]
    finally:
        stop.set()
        for client in clients:
            client.close()
    assert answer.status_code == 207
    assert statuses == [408] * len(clients)
