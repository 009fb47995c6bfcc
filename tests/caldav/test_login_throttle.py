"""Password guessing against /dav, on SQLite and PostgreSQL: 32 clients from 32 addresses
keep sending wrong app passwords while a staff member syncs, and the staff member is served
as usual; an address that keeps guessing is throttled (429), the staff member is not."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter

import httpx

from hub.services import accounts
from tests.caldav.conftest import DavWorld
from tests.caldav.helpers import http

GUESSERS = 32
PROPFIND = b"""<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/>
</d:prop></d:propfind>"""
# Generous: the staff member's sync took 11 s with 32 guessers on the code this replaced
# (every failure slept on one of the 8 threads that serve calendars).
SERVED_WITHIN_SECONDS = 3.0


class Guessers:
    """``GUESSERS`` concurrent clients, each from its own loopback address, sending
    PROPFINDs with a wrong password for ``email`` until stopped (or a minute passes). One
    event loop in one thread drives them all, so they do not starve the server in this
    process of the interpreter lock."""

    def __init__(self, url: str, email: str) -> None:
        self.url, self.email = url, email
        self.statuses: Counter[int] = Counter()
        self.per_client = [0] * GUESSERS
        self.stop = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _client(self, n: int) -> None:
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.0.{10 + n}")
        async with httpx.AsyncClient(transport=transport, timeout=30) as client:
            deadline = time.monotonic() + 60
            while not self.stop.is_set() and time.monotonic() < deadline:
                answer = await client.request(
                    "PROPFIND",
                    self.url,
                    content=PROPFIND,
                    headers={"Depth": "0"},
                    auth=(self.email, f"guess-{n}-{self.per_client[n]}"),
                )
                self.statuses[answer.status_code] += 1
                self.per_client[n] += 1

    async def _run(self) -> None:
        tasks = [asyncio.create_task(self._client(n)) for n in range(GUESSERS)]
        while not self.stop.is_set() and not all(t.done() for t in tasks):
            await asyncio.sleep(0.05)
        for task in tasks:  # requests still waiting for an answer are dropped
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __enter__(self) -> Guessers:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=90)


def test_guessers_do_not_delay_a_staff_members_sync(dav: DavWorld) -> None:
    calendar = dav.calendar_url(dav.juan, dav.tenant.resources[0].id)
    with http(dav, dav.juan) as juan:

        def sync() -> float:
            started = time.monotonic()
            answer = juan.request("PROPFIND", calendar, content=PROPFIND, headers={"Depth": "1"})
            assert answer.status_code == 207
            return time.monotonic() - started

        sync()  # the calendar app was already syncing before the guessing started
        with Guessers(dav.dav_url, dav.juan.user.email) as guessers:
            deadline = time.monotonic() + 45
            while sum(guessers.statuses.values()) < GUESSERS // 2:
                assert time.monotonic() < deadline, "the guessers got no answers"
                time.sleep(0.05)
            took = [sync() for _ in range(3)]
        assert max(took) < SERVED_WITHIN_SECONDS, took
    assert guessers.statuses and set(guessers.statuses) <= {401, 429}, guessers.statuses


def test_repeated_guesses_from_one_address_are_throttled_not_the_staff_member(
    dav: DavWorld,
) -> None:
    calendar = dav.calendar_url(dav.juan, dav.tenant.resources[0].id)
    email = dav.juan.user.email
    transport = httpx.HTTPTransport(local_address="127.0.0.9")
    with httpx.Client(transport=transport, timeout=30) as stranger:

        def guess(password: str) -> httpx.Response:
            return stranger.request(
                "PROPFIND", calendar, headers={"Depth": "0"}, auth=(email, password)
            )

        assert [guess(f"guess-{n}").status_code for n in range(5)] == [401] * 5
        throttled = guess("guess-5")
        assert throttled.status_code == 429
        assert 0 < int(throttled.headers["retry-after"]) <= 60
        # Throttled: even a password that would be right is not checked from there.
        other = accounts.create_app_password(
            dav.live.hub.accounts_uow(), dav.juan.user.id, dav.live.now()
        )
        assert guess(other).status_code == 429
    # Juan, from his own address, syncs with either password.
    for password in (dav.juan.password, other):
        with httpx.Client(auth=(email, password), timeout=30) as juan:
            answer = juan.request("PROPFIND", calendar, content=PROPFIND, headers={"Depth": "0"})
            assert answer.status_code == 207
