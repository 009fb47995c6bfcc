"""Google Calendar in the console, served by uvicorn with the fake Google: a staff member
connects, sees the status, picks the destination and busy calendars (which the pull then
reads), disconnects (grant revoked at Google, channel stopped, everything forgotten); a broken
connection shows a banner to its owner and to the admin; "Login with Google" signs in a known
staff email and refuses an unknown one without creating anything."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.routing import Mount

from booking_pages.console_auth import SESSION_COOKIE
from booking_pages.routing import mounts as page_mounts
from connectors.google.models import BusyRow, ConnectionRow
from connectors.google.web import routes
from hub.persistence.accounts import UserRow
from tests.api.conftest import ServedApp
from tests.google.conftest import World, make_world, utc
from tests.google.fake import FakeGoogle
from tests.pages.helpers import csrf_of, text_of

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _CLIENTS:
        _CLIENTS.pop().close()


_CLIENTS: list[httpx.Client] = []


def _client(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30, headers={"Accept-Language": "es-AR"})
    _CLIENTS.append(client)
    return client


@pytest.fixture
def site(
    tmp_path: Path, database_url: str, google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[World, str]]:
    # oauthlib refuses plain-HTTP token endpoints unless told; the fake is on loopback HTTP.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setenv("TURNERO_MAIL_DIR", str(tmp_path / "mail"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    world = make_world(database_url, google, base)
    app = Starlette(
        routes=[Mount("/connectors/google", routes=routes(world.hub)), *page_mounts(world.hub)]
    )
    server = ServedApp(sock, app)
    server.start()
    yield world, base
    server.stop()
    world.connector.busy.close()
    world.hub.close()


def _sign_in(base: str, email: str) -> httpx.Client:
    client = _client(base)
    page = client.get("/console/login")
    answer = client.post(
        "/console/login",
        data={"csrf_token": csrf_of(page.text), "email": email, "password": PASSWORD},
    )
    assert answer.status_code == 303, answer.text
    return client


def _post(client: httpx.Client, path: str, data: dict[str, object]) -> httpx.Response:
    page = client.get("/console/google")
    return client.post(path, data={"csrf_token": csrf_of(page.text), **data})


def _through_google(client: httpx.Client, to_google: httpx.Response) -> httpx.Response:
    """The browser: to Google (which consents at once), and back to our callback."""
    assert to_google.status_code == 303, to_google.text
    consent = httpx.get(to_google.headers["location"], timeout=30)
    assert consent.status_code == 302
    return client.get(consent.headers["location"])


def test_connect_pick_calendars_and_disconnect(site: tuple[World, str]) -> None:
    world, base = site
    juan = _sign_in(base, world.juan.email)
    intro = juan.get("/console/google")
    assert "Conectar Google Calendar" in text_of(intro.text)

    back = _through_google(juan, _post(juan, "/console/google/connect", {}))

    assert back.status_code == 303, back.text
    assert back.headers["location"] == "/console/google?connected=1"
    world.google.add_calendar(world.juan.email, "family@group", "Familia")
    page = juan.get(back.headers["location"])
    text = text_of(page.text)
    assert f"Conectado como {world.juan.email}" in text
    assert "Última sincronización" in text
    assert "Familia" in text
    # An event in the second calendar does not block until that calendar is chosen.
    start = utc(world.at(10))
    world.google.add_event(
        "family@group",
        summary="School play",
        start={"dateTime": start.isoformat()},
        end={"dateTime": (start + timedelta(hours=1)).isoformat()},
    )
    day = world.at(9).date()
    world.connector.pull.sync_all()
    assert start in world.free_starts(world.juan, day)

    saved = _post(
        juan,
        "/console/google/calendars",
        {"destination": world.juan.email, "busy": [world.juan.email, "family@group"]},
    )

    assert saved.status_code == 303, saved.text
    assert start not in world.free_starts(world.juan, day)
    # Someone else's calendar is refused, and nothing changes.
    refused = _post(
        juan,
        "/console/google/calendars",
        {"destination": "maria@example.com", "busy": [world.juan.email]},
    )
    assert refused.status_code == 400
    assert "no es uno de tus calendarios" in text_of(refused.text)
    assert start not in world.free_starts(world.juan, day)

    with world.hub.database.sessions() as session:
        (row,) = session.scalars(select(ConnectionRow))
        channel = row.channel_id
    gone = _post(juan, "/console/google/disconnect", {"connection": row.id})

    assert gone.status_code == 303
    assert world.google.revoked == [world.juan.email]
    assert world.google.refresh_tokens == {}  # nothing left to use at Google
    assert channel in world.google.stopped_channels
    with world.hub.database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ConnectionRow)) == 0
        assert session.scalar(select(func.count()).select_from(BusyRow)) == 0
    assert start in world.free_starts(world.juan, day)
    assert "Conectar Google Calendar" in text_of(juan.get("/console/google").text)


def test_broken_connection_banner_for_its_owner_and_the_admin(site: tuple[World, str]) -> None:
    world, base = site
    world.connect(world.juan)
    world.connect(world.maria)
    world.google.revoke(world.juan.email)
    world.connector.pull.sync_all()

    banner = "La conexión con Google Calendar no funciona"
    juan = _sign_in(base, world.juan.email)
    agenda = text_of(juan.get("/console/agenda").text)
    assert banner in agenda and world.juan.email in agenda
    status = text_of(juan.get("/console/google").text)
    assert "dejó de funcionar" in status and "invalid_grant" in status
    assert "Conectar de nuevo" in status
    admin = text_of(_sign_in(base, world.admin.email).get("/console/agenda").text)
    assert banner in admin
    assert banner not in text_of(_sign_in(base, world.maria.email).get("/console/agenda").text)
    # María cannot disconnect Juan's connection; the admin sees both and can.
    maria = _sign_in(base, world.maria.email)
    denied = _post(maria, "/console/google/disconnect", {"connection": world.juan.connection_id})
    assert denied.status_code == 404
    owner = _sign_in(base, world.admin.email)
    listed = text_of(owner.get("/console/google").text)
    assert world.juan.email in listed and world.maria.email in listed


def test_login_with_google_known_and_unknown_email(site: tuple[World, str]) -> None:
    world, base = site
    browser = _client(base)
    assert "Entrar con Google" in text_of(browser.get("/console/login").text)

    start = browser.get("/console/login/google")
    assert start.status_code == 303
    to_google = start.headers["location"] + "&login_hint=" + world.maria.email
    consent = httpx.get(to_google, timeout=30)
    back = browser.get(consent.headers["location"])
    assert back.status_code == 303, back.text
    assert SESSION_COOKIE in back.cookies
    agenda = browser.get("/console/agenda")
    assert agenda.status_code == 200
    assert world.maria.email in agenda.text or "María" in agenda.text

    with world.hub.database.sessions() as session:
        users_before = session.scalar(select(func.count()).select_from(UserRow))
    stranger = _client(base)
    start = stranger.get("/console/login/google")
    consent = httpx.get(start.headers["location"] + "&login_hint=intruder@example.com", timeout=30)
    refused = stranger.get(consent.headers["location"])
    assert refused.status_code == 403
    assert "no es de nadie del personal" in text_of(refused.text)
    assert SESSION_COOKIE not in refused.cookies
    assert stranger.get("/console/agenda").status_code == 303  # still signed out
    with world.hub.database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(UserRow)) == users_before
    # A forged answer (unknown state) is refused too.
    forged = stranger.get("/console/login/google/callback", params={"state": "x", "code": "y"})
    assert forged.status_code == 400


def test_login_with_google_refuses_an_unverified_email(site: tuple[World, str]) -> None:
    """A Google account can carry any address until Google verifies it: a staff member's
    address on an unverified account signs nobody in."""
    world, base = site
    world.google.unverified.add(world.maria.email)
    browser = _client(base)
    start = browser.get("/console/login/google")
    consent = httpx.get(start.headers["location"] + "&login_hint=" + world.maria.email, timeout=30)
    refused = browser.get(consent.headers["location"])
    assert refused.status_code == 403
    assert "no confirmó el email" in text_of(refused.text)
    assert SESSION_COOKIE not in refused.cookies
    assert browser.get("/console/agenda").status_code == 303


def test_admin_connects_for_the_resources_they_choose(site: tuple[World, str]) -> None:
    world, base = site
    owner = _sign_in(base, world.admin.email)
    back = _through_google(owner, _post(owner, "/console/google/connect", {}))
    assert back.status_code == 303, back.text

    foreign = _post(
        owner,
        "/console/google/calendars",
        {"destination": world.admin.email, "busy": [world.admin.email], "resource": ["nope"]},
    )
    assert foreign.status_code == 400
    chosen = _post(
        owner,
        "/console/google/calendars",
        {
            "destination": world.admin.email,
            "busy": [world.admin.email],
            "resource": [world.maria.resource.id],
        },
    )
    assert chosen.status_code == 303, chosen.text

    booking = world.book(world.maria, world.at(10))

    (event,) = world.google.events(world.admin.email)
    assert world.booking(booking.id).google_event_id == event["id"]
    world.book(world.juan, world.at(10))
    assert len(world.google.events(world.admin.email)) == 1  # Juan's resource was not chosen
