"""The whole product app (console, pages, the Google connector's routes) served by uvicorn
against the fake Google, and httpx clients that play browsers: each keeps its own cookies,
so "another browser" is another client. Google itself is visited without our cookies, as a
browser visits another site."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from hub.app import create_app
from tests.google.conftest import World, make_world
from tests.pages.helpers import csrf_of
from tests.support.google import FakeGoogle
from tests.support.live import LiveServer, loopback_socket

PASSWORD = "correct horse battery"


@contextmanager
def serve_site(
    tmp_path: Path, database_url: str, google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[World, str]]:
    # oauthlib refuses plain-HTTP token endpoints unless told; the fake is on loopback HTTP.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setenv("TURNERO_MAIL_DIR", str(tmp_path / "mail"))
    sock = loopback_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    world = make_world(database_url, google, base)
    server = LiveServer(sock, create_app(world.hub))
    server.start()
    try:
        yield world, base
    finally:
        server.stop()
        world.connector.busy.close()
        world.hub.close()


class Browsers:
    """Opens browsers (httpx clients with their own cookie jars) and closes them all."""

    def __init__(self, base: str) -> None:
        self.base = base
        self._open: list[httpx.Client] = []

    def new(self) -> httpx.Client:
        client = httpx.Client(base_url=self.base, timeout=30, headers={"Accept-Language": "es-AR"})
        self._open.append(client)
        return client

    def signed_in(self, email: str) -> httpx.Client:
        client = self.new()
        page = client.get("/console/login")
        answer = client.post(
            "/console/login",
            data={"csrf_token": csrf_of(page.text), "email": email, "password": PASSWORD},
        )
        assert answer.status_code == 303, answer.text
        return client

    def close(self) -> None:
        while self._open:
            self._open.pop().close()


def post_form(client: httpx.Client, path: str, data: dict[str, object]) -> httpx.Response:
    """Send a form of the Google page, with the page's CSRF token."""
    page = client.get("/console/google")
    return client.post(path, data={"csrf_token": csrf_of(page.text), **data})


def at_google(to_google: httpx.Response, login_hint: str | None = None) -> str:
    """Follow our redirect to Google, which consents at once; returns where Google sends
    the browser back (our callback, with ``state`` and ``code``)."""
    assert to_google.status_code == 303, to_google.text
    url = to_google.headers["location"]
    if login_hint is not None:
        url += "&login_hint=" + login_hint
    consent = httpx.get(url, timeout=30)
    assert consent.status_code == 302, consent.text
    return str(consent.headers["location"])


def through_google(client: httpx.Client, to_google: httpx.Response) -> httpx.Response:
    """The browser: to Google and back to our callback."""
    return client.get(at_google(to_google))
