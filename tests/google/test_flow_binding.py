"""A Google round trip can only be finished by the browser that started it, once, within a
quarter of an hour. Otherwise an attacker who starts a round trip and hands its Google answer
to a victim signs the victim into the attacker's console account (login CSRF), or links the
victim's Google Calendar to the attacker's staff account."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from booking_pages.console_auth import SESSION_COOKIE
from connectors.google.models import AuthStateRow, ConnectionRow
from tests.google.conftest import World
from tests.google.site import Browsers, at_google, post_form
from tests.pages.helpers import text_of


def _count(world: World, table: type[AuthStateRow] | type[ConnectionRow]) -> int:
    with world.hub.database.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_calendar_connect_finished_in_another_browser_links_nothing(
    site: tuple[World, str], browsers: Browsers
) -> None:
    world, _ = site
    attacker = browsers.signed_in(world.juan.email)
    start = post_form(attacker, "/console/google/connect", {})
    # The victim, signed in to her own console, follows the attacker's link to Google and
    # consents with her own Google account; Google sends her browser to our callback.
    victim = browsers.signed_in(world.maria.email)
    callback = at_google(start, world.maria.email)

    refused = victim.get(callback)

    assert refused.status_code == 303
    page = victim.get(refused.headers["location"])
    assert page.status_code == 400
    text = text_of(page.text)
    assert "empezó en otro navegador" in text and "no se conectó nada" in text
    assert _count(world, ConnectionRow) == 0
    assert world.connector.pull.sync_all() == []  # nothing to pull from anyone's calendar
    # Used up: not even the attacker's own browser can finish it now.
    late = attacker.get(callback)
    assert late.headers["location"] == "/console/google/refused?reason=expired"
    assert _count(world, ConnectionRow) == 0


def test_sign_in_finished_in_another_browser_signs_nobody_in(
    site: tuple[World, str], browsers: Browsers
) -> None:
    world, _ = site
    attacker = browsers.new()
    start = attacker.get("/console/login/google")
    callback = at_google(start, world.juan.email)  # the attacker's own staff account
    victim = browsers.new()

    refused = victim.get(callback)

    assert refused.status_code == 400
    assert "empezó en otro navegador" in text_of(refused.text)
    assert SESSION_COOKIE not in refused.cookies
    assert victim.get("/console/agenda").status_code == 303  # still signed out
    assert attacker.get(callback).status_code == 400  # used up
    assert SESSION_COOKIE not in attacker.cookies


def test_a_round_trip_expires_and_stale_ones_are_purged(
    site: tuple[World, str], browsers: Browsers
) -> None:
    world, _ = site
    browser = browsers.new()
    callback = at_google(browser.get("/console/login/google"), world.juan.email)
    with world.hub.database.sessions.begin() as session:  # sixteen minutes go by
        session.execute(
            update(AuthStateRow).values(created_at=world.hub.now() - timedelta(minutes=16))
        )

    late = browser.get(callback)

    assert late.status_code == 400
    assert "desconocido o venció" in text_of(late.text)
    assert SESSION_COOKIE not in browser.cookies
    # A round trip left unfinished is forgotten once it is stale and another one starts.
    at_google(browser.get("/console/login/google"), world.juan.email)
    with world.hub.database.sessions.begin() as session:
        session.execute(
            update(AuthStateRow).values(created_at=world.hub.now() - timedelta(minutes=16))
        )
    browser.get("/console/login/google")
    assert _count(world, AuthStateRow) == 1
    # The same browser finishes its own round trip, once.
    fresh = at_google(browser.get("/console/login/google"), world.juan.email)
    assert browser.get(fresh).status_code == 303
    assert browser.get("/console/agenda").status_code == 200


def test_forged_or_malformed_answers_are_refused_plainly(
    site: tuple[World, str], browsers: Browsers
) -> None:
    world, _ = site
    browser = browsers.new()
    browser.get("/console/login/google")  # a round trip of its own is in flight
    for state in ("x", "s" * 5000, "é" * 43, "a" * 42 + "."):
        login = browser.get(
            "/console/login/google/callback", params={"state": state, "code": "4/c"}
        )
        assert login.status_code == 400, state
        assert "desconocido o venció" in text_of(login.text)
        connect = browser.get(
            "/connectors/google/connect/callback", params={"state": state, "code": "c"}
        )
        assert connect.headers["location"] == "/console/google/refused?reason=expired"
        denied = browser.get(
            "/connectors/google/connect/callback", params={"state": state, "error": "x"}
        )
        assert denied.headers["location"] == "/console/google/refused?reason=refused"
    # A NUL byte (which PostgreSQL cannot compare) gets a clear 4xx too, never a 500.
    for path in ("/console/login/google/callback", "/connectors/google/connect/callback"):
        nul = browser.get(path, params={"state": "a\x00b" + "c" * 40, "code": "c"})
        assert 400 <= nul.status_code < 500, path
    assert _count(world, AuthStateRow) == 1
    assert SESSION_COOKIE not in browser.cookies
