"""The connect flow end to end (state, PKCE, token exchange, sealed tokens, watch channel),
change notifications with their channel token — through the real google-auth-oauthlib
against the fake Google, and our routes served by uvicorn."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.routing import Mount

from connectors.google.browser import COOKIE
from connectors.google.models import ConnectionRow
from connectors.google.oauth import CONNECT, GoogleOAuth
from connectors.google.tokens import TokenCipher
from connectors.google.web import routes
from tests.google.conftest import World, make_world, utc
from tests.support.google import FakeGoogle
from tests.support.live import LiveServer, loopback_socket


@pytest.fixture
def served(
    tmp_path: Path, google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[World, str]]:
    # oauthlib refuses plain-HTTP token endpoints unless told; the fake is on loopback HTTP.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    sock = loopback_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    world = make_world(f"sqlite:///{tmp_path / 'turnero.db'}", google, base)
    app = Starlette(routes=[Mount("/connectors/google", routes=routes(world.hub))])
    server = LiveServer(sock, app)
    server.start()
    yield world, base
    server.stop()
    world.connector.busy.close()
    world.hub.close()


KEY = "browser-key-" + "k" * 32  # what the starting browser keeps in its cookie


def _through_google(url: str) -> httpx.Response:
    """The browser: to Google (which consents at once), and back to our callback with the
    cookie set when the round trip started."""
    to_google = httpx.get(url, timeout=30)
    assert to_google.status_code == 302
    return httpx.get(to_google.headers["location"], cookies={COOKIE: KEY}, timeout=30)


def test_connect_flow_keeps_a_sealed_grant_and_watches(served: tuple[World, str]) -> None:
    world, _ = served
    oauth = GoogleOAuth(world.hub.database, world.hub.settings)
    url = oauth.begin(
        CONNECT,
        world.hub.now(),
        browser=KEY,
        business_id=world.business.id,
        user_id=world.juan.user.id,
        login_hint=world.juan.email,
    )
    assert "code_challenge=" in url and "access_type=offline" in url

    back = _through_google(url)

    assert back.status_code == 303, back.text
    assert back.headers["location"] == "/console/google?connected=1"
    with world.hub.database.sessions() as session:
        (row,) = session.scalars(select(ConnectionRow))
    granted = set(world.google.refresh_tokens)
    assert row.refresh_token not in granted  # sealed, not the token itself
    assert TokenCipher.from_settings(world.hub.settings).open(row.refresh_token) in granted
    assert row.google_email == world.juan.email
    assert row.resource_ids == [world.juan.resource.id]
    assert row.channel_id in world.google.channels
    # The grant's own access token served the watch and the first pull.
    assert world.google.token_grants == ["authorization_code"]
    # The same answer replayed: the state was used up.
    again = httpx.get(str(back.request.url), cookies={COOKIE: KEY}, timeout=30)
    assert again.status_code == 303
    assert again.headers["location"] == "/console/google/refused?reason=expired"


def test_forged_state_is_refused(served: tuple[World, str]) -> None:
    _, base = served
    answer = httpx.get(
        f"{base}/connectors/google/connect/callback", params={"state": "x", "code": "y"}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/google/refused?reason=expired"


def test_notification_pulls_and_the_slot_disappears(served: tuple[World, str]) -> None:
    world, base = served
    oauth = GoogleOAuth(world.hub.database, world.hub.settings)
    url = oauth.begin(
        CONNECT,
        world.hub.now(),
        browser=KEY,
        business_id=world.business.id,
        user_id=world.juan.user.id,
        login_hint=world.juan.email,
    )
    assert _through_google(url).status_code == 303
    day = world.at(9).date()
    assert utc(world.at(10)) in world.free_starts(world.juan, day)
    start = utc(world.at(10))
    world.google.add_event(
        world.juan.email,
        summary="Dentist",
        start={"dateTime": start.isoformat()},
        end={"dateTime": (start + timedelta(hours=1)).isoformat()},
    )

    assert world.google.notify(world.juan.email) == [200]

    deadline = time.monotonic() + 10
    while utc(world.at(10)) in world.free_starts(world.juan, day):
        assert time.monotonic() < deadline, "the notification did not pull"
        time.sleep(0.05)
    forged = httpx.post(
        f"{base}/connectors/google/notifications",
        headers={
            "X-Goog-Channel-ID": next(iter(world.google.channels)),
            "X-Goog-Channel-Token": "guess",
        },
    )
    assert forged.status_code == 404
