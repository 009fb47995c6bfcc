"""Google Calendar in the console, served by uvicorn with the fake Google: a staff member
connects, sees the status, picks the destination and busy calendars (which the pull then
reads), disconnects (grant revoked at Google, channel stopped, everything forgotten); a broken
connection shows a banner to its owner and to the admin; "Login with Google" signs in a known
staff email and refuses an unknown one without creating anything."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select

from booking_pages.console_auth import SESSION_COOKIE
from connectors.google.models import BusyRow, ConnectionRow
from hub.persistence.accounts import UserRow
from tests.google.conftest import World, utc
from tests.google.site import Browsers, post_form, through_google
from tests.pages.helpers import text_of


def test_connect_pick_calendars_and_disconnect(site: tuple[World, str], browsers: Browsers) -> None:
    world, _ = site
    juan = browsers.signed_in(world.juan.email)
    intro = juan.get("/console/google")
    assert "Conectar Google Calendar" in text_of(intro.text)

    back = through_google(juan, post_form(juan, "/console/google/connect", {}))

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

    saved = post_form(
        juan,
        "/console/google/calendars",
        {"destination": world.juan.email, "busy": [world.juan.email, "family@group"]},
    )

    assert saved.status_code == 303, saved.text
    assert start not in world.free_starts(world.juan, day)
    # Someone else's calendar is refused, and nothing changes.
    refused = post_form(
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
    gone = post_form(juan, "/console/google/disconnect", {"connection": row.id})

    assert gone.status_code == 303
    assert world.google.revoked == [world.juan.email]
    assert world.google.refresh_tokens == {}  # nothing left to use at Google
    assert channel in world.google.stopped_channels
    with world.hub.database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ConnectionRow)) == 0
        assert session.scalar(select(func.count()).select_from(BusyRow)) == 0
    assert start in world.free_starts(world.juan, day)
    assert "Conectar Google Calendar" in text_of(juan.get("/console/google").text)


def test_broken_connection_banner_for_its_owner_and_the_admin(
    site: tuple[World, str], browsers: Browsers
) -> None:
    world, _ = site
    world.connect(world.juan)
    world.connect(world.maria)
    world.google.revoke(world.juan.email)
    world.connector.pull.sync_all()

    banner = "La conexión con Google Calendar no funciona"
    juan = browsers.signed_in(world.juan.email)
    agenda = text_of(juan.get("/console/agenda").text)
    assert banner in agenda and world.juan.email in agenda
    status = text_of(juan.get("/console/google").text)
    assert "dejó de funcionar" in status and "invalid_grant" in status
    assert "Conectar de nuevo" in status
    admin = text_of(browsers.signed_in(world.admin.email).get("/console/agenda").text)
    assert banner in admin
    assert banner not in text_of(browsers.signed_in(world.maria.email).get("/console/agenda").text)
    # María cannot disconnect Juan's connection; the admin sees both and can.
    maria = browsers.signed_in(world.maria.email)
    denied = post_form(
        maria, "/console/google/disconnect", {"connection": world.juan.connection_id}
    )
    assert denied.status_code == 404
    owner = browsers.signed_in(world.admin.email)
    listed = text_of(owner.get("/console/google").text)
    assert world.juan.email in listed and world.maria.email in listed


def test_login_with_google_known_and_unknown_email(
    site: tuple[World, str], browsers: Browsers
) -> None:
    world, _ = site
    browser = browsers.new()
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
    stranger = browsers.new()
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


def test_login_with_google_refuses_an_unverified_email(
    site: tuple[World, str], browsers: Browsers
) -> None:
    """A Google account can carry any address until Google verifies it: a staff member's
    address on an unverified account signs nobody in."""
    world, _ = site
    world.google.unverified.add(world.maria.email)
    browser = browsers.new()
    start = browser.get("/console/login/google")
    consent = httpx.get(start.headers["location"] + "&login_hint=" + world.maria.email, timeout=30)
    refused = browser.get(consent.headers["location"])
    assert refused.status_code == 403
    assert "no confirmó el email" in text_of(refused.text)
    assert SESSION_COOKIE not in refused.cookies
    assert browser.get("/console/agenda").status_code == 303


def test_admin_connects_for_the_resources_they_choose(
    site: tuple[World, str], browsers: Browsers
) -> None:
    world, _ = site
    owner = browsers.signed_in(world.admin.email)
    back = through_google(owner, post_form(owner, "/console/google/connect", {}))
    assert back.status_code == 303, back.text

    foreign = post_form(
        owner,
        "/console/google/calendars",
        {"destination": world.admin.email, "busy": [world.admin.email], "resource": ["nope"]},
    )
    assert foreign.status_code == 400
    chosen = post_form(
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
