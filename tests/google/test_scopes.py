"""What Google grants, as Google says it: the token endpoint names the scopes it granted in
their long form, and with granular consent a user may leave calendar access unticked. Connect
and "Login with Google" work with the long names; a connect without calendar access keeps
nothing and the console says how to grant it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from booking_pages.console_auth import SESSION_COOKIE
from connectors.google.models import ConnectionRow
from tests.google.conftest import World
from tests.google.site import Browsers, at_google, post_form, through_google
from tests.pages.helpers import text_of
from tests.support.google_accounts import CALENDAR, USERINFO_EMAIL


def _connections(world: World) -> list[ConnectionRow]:
    with world.hub.database.sessions() as session:
        return list(session.scalars(select(ConnectionRow)))


def test_long_form_scopes_in_googles_answer_connect_and_sign_in(
    site: tuple[World, str], browsers: Browsers
) -> None:
    world, _ = site
    juan = browsers.signed_in(world.juan.email)
    to_google = post_form(juan, "/console/google/connect", {})
    asked = set(parse_qs(urlsplit(to_google.headers["location"]).query)["scope"][0].split())

    back = through_google(juan, to_google)

    granted = world.google.token_answers[-1]["scope"].split()
    assert USERINFO_EMAIL in granted and "email" not in granted  # Google's own spelling
    assert asked == set(granted)  # we ask for what Google then says it granted
    assert back.status_code == 303, back.text
    assert back.headers["location"] == "/console/google?connected=1"
    assert f"Conectado como {world.juan.email}" in text_of(juan.get(back.headers["location"]).text)
    (row,) = _connections(world)
    assert row.google_email == world.juan.email and row.status == "active"

    maria = browsers.new()
    start = maria.get("/console/login/google")
    signed = maria.get(at_google(start, world.maria.email))

    assert set(world.google.token_answers[-1]["scope"].split()) == {"openid", USERINFO_EMAIL}
    assert signed.status_code == 303, signed.text
    assert SESSION_COOKIE in signed.cookies
    assert maria.get("/console/agenda").status_code == 200


def test_calendar_left_unticked_connects_nothing_and_says_how_to_grant_it(
    site: tuple[World, str], browsers: Browsers
) -> None:
    world, _ = site
    world.google.untick = {CALENDAR}
    juan = browsers.signed_in(world.juan.email)

    back = through_google(juan, post_form(juan, "/console/google/connect", {}))

    assert CALENDAR not in world.google.token_answers[-1]["scope"].split()
    assert back.status_code == 303, back.text
    assert back.headers["location"] == "/console/google?problem=no_calendar"
    page = juan.get(back.headers["location"])
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Google no nos dio acceso a tu calendario" in text
    assert "marcá la casilla del calendario" in text
    assert "Conectar Google Calendar" in text  # the button to try again is right there
    assert _connections(world) == []

    world.google.untick = set()  # this time the box is ticked
    again = through_google(juan, post_form(juan, "/console/google/connect", {}))
    assert again.headers["location"] == "/console/google?connected=1"
    assert [r.status for r in _connections(world)] == ["active"]


def test_unticking_on_a_reconnect_keeps_the_working_connection(
    site: tuple[World, str], browsers: Browsers
) -> None:
    world, _ = site
    world.connect(world.juan)
    (before,) = _connections(world)
    world.google.untick = {CALENDAR}
    juan = browsers.signed_in(world.juan.email)

    back = through_google(juan, post_form(juan, "/console/google/connect", {}))

    assert back.headers["location"] == "/console/google?problem=no_calendar"
    text = text_of(juan.get(back.headers["location"]).text)
    assert "Google no nos dio acceso a tu calendario" in text
    assert f"Conectado como {world.juan.email}" in text
    (after,) = _connections(world)
    assert (after.refresh_token, after.status) == (before.refresh_token, "active")
