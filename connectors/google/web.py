"""Starlette routes of the Google connector, mounted by ``hub.app`` at ``/connectors/google``:
the connect callback and the push-notification endpoint.

- ``GET /connect/callback``: finishes a connect flow started by ``GoogleOAuth.begin``
  (from the console, in this same browser: ``browser``), keeps the sealed grant, opens a
  watch channel, pulls once, and sends the user to the console to pick their calendars.
  Calendar access left unticked sends them back to the console page that says so; a refused
  round trip (another browser, expired, Google said no) to a page that explains it.
- ``POST /notifications``: Google's change notifications; the channel token is checked in
  constant time, then a pull of that connection runs after the answer.

"Login with Google" lives with the console's session (``booking_pages.console_google``).
"""

from __future__ import annotations

import logging

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.google import browser, channels
from connectors.google.calendar import GoogleError
from connectors.google.oauth import CONNECT, CalendarNotGrantedError, GoogleOAuth, OAuthError
from connectors.google.pull import GooglePull
from connectors.google.runtime import configured
from hub.process import Hub

log = logging.getLogger(__name__)


def routes(hub: Hub) -> list[BaseRoute]:
    if not configured(hub):
        return []
    oauth = GoogleOAuth(hub.database, hub.settings)
    pull = GooglePull(hub.database, hub.settings, clock=hub.now, core=hub.core)

    def finish_connect(state: str, code: str, key: str | None) -> str:
        done = oauth.complete(CONNECT, state, code, hub.now(), browser=key)
        with hub.accounts_uow() as uow:
            user = uow.users.get(done.user_id or "")
        if user is None or not user.active or user.business_id != done.business_id:
            raise OAuthError("that staff user no longer exists", "gone")
        conn = oauth.connect(done, list(user.resource_ids), hub.now())
        try:
            channels.watch(pull, conn.id, channels.notifications_address(hub.settings.base_url))
        except GoogleError as exc:  # e.g. a hub not reachable over HTTPS: the periodic pull
            log.warning("no watch channel for Google connection %s: %s", conn.id, exc)
        pull.sync(conn.id)
        return conn.id

    async def connect_callback(request: Request) -> Response:
        state, code = request.query_params.get("state"), request.query_params.get("code")
        if not state or not code:
            if state:  # the user said no at Google: the state is used up
                await run_in_threadpool(oauth.abandon, state, hub.now())
            return RedirectResponse("/console/google/refused?reason=refused", status_code=303)
        key = browser.sent_key(request, hub.settings)
        try:
            await run_in_threadpool(finish_connect, state, code, key)
        except CalendarNotGrantedError:
            return RedirectResponse("/console/google?problem=no_calendar", status_code=303)
        except OAuthError as exc:
            log.info("Google connect refused: %s", exc)
            return RedirectResponse(f"/console/google/refused?reason={exc.code}", status_code=303)
        return RedirectResponse("/console/google?connected=1", status_code=303)

    async def notifications(request: Request) -> Response:
        channel = request.headers.get("x-goog-channel-id", "")
        token = request.headers.get("x-goog-channel-token", "")
        conn_id = await run_in_threadpool(channels.channel_connection, pull, channel, token)
        if conn_id is None:
            return Response(status_code=404)
        if request.headers.get("x-goog-resource-state") == "sync":
            return Response(status_code=200)  # the channel's first message: nothing changed
        return Response(status_code=200, background=BackgroundTask(pull.sync, conn_id))

    return [
        Route("/connect/callback", connect_callback, methods=["GET"]),
        Route("/notifications", notifications, methods=["POST"]),
    ]
