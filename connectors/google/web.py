"""Starlette routes of the Google connector, mounted by ``hub.app`` at ``/connectors/google``:
the connect callback, the push-notification endpoint, and "Login with Google".

- ``GET /connect/callback``: finishes a connect flow started by ``GoogleOAuth.begin``
  (from the console), keeps the sealed grant, opens a watch channel, pulls once.
- ``POST /notifications``: Google's change notifications; the channel token is checked in
  constant time, then a pull of that connection runs after the answer.
- ``GET /login/start`` and ``GET /login/callback``: OpenID Connect; the email must be an
  active staff user already (never created here). What a successful sign-in does (the
  console's session cookie) is the ``sign_in`` callable's business; without one, the login
  routes are not mounted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.google import channels
from connectors.google.oauth import CONNECT, LOGIN, GoogleOAuth, OAuthError
from connectors.google.pull import GooglePull
from connectors.google.runtime import configured
from hub.bootstrap import Hub
from hub.domain.accounts import User

SignIn = Callable[[Request, User], Awaitable[Response]]


def notifications_address(hub: Hub) -> str:
    return hub.settings.base_url.rstrip("/") + "/connectors/google/notifications"


def routes(hub: Hub, *, sign_in: SignIn | None = None) -> list[BaseRoute]:
    if not configured(hub):
        return []
    oauth = GoogleOAuth(hub.database, hub.settings)
    pull = GooglePull(hub.database, hub.settings, clock=hub.now, busy_sources=hub.busy_sources)

    def finish_connect(state: str, code: str) -> str:
        done = oauth.complete(CONNECT, state, code, hub.now())
        with hub.accounts_uow() as uow:
            user = uow.users.get(done.user_id or "")
        if user is None or not user.active or user.business_id != done.business_id:
            raise OAuthError("that staff user no longer exists")
        conn = oauth.connect(done, list(user.resource_ids), hub.now())
        channels.watch(pull, conn.id, notifications_address(hub))
        pull.sync(conn.id)
        return conn.id

    async def connect_callback(request: Request) -> Response:
        state, code = request.query_params.get("state"), request.query_params.get("code")
        if not state or not code:
            return PlainTextResponse("Google did not grant access.", status_code=400)
        try:
            await run_in_threadpool(finish_connect, state, code)
        except OAuthError as exc:
            return PlainTextResponse(str(exc), status_code=400)
        return RedirectResponse("/console/agenda?google=connected", status_code=303)

    async def notifications(request: Request) -> Response:
        channel = request.headers.get("x-goog-channel-id", "")
        token = request.headers.get("x-goog-channel-token", "")
        conn_id = await run_in_threadpool(channels.channel_connection, pull, channel, token)
        if conn_id is None:
            return Response(status_code=404)
        if request.headers.get("x-goog-resource-state") == "sync":
            return Response(status_code=200)  # the channel's first message: nothing changed
        return Response(status_code=200, background=BackgroundTask(pull.sync, conn_id))

    found: list[BaseRoute] = [
        Route("/connect/callback", connect_callback, methods=["GET"]),
        Route("/notifications", notifications, methods=["POST"]),
    ]
    if sign_in is None:
        return found

    async def login_start(request: Request) -> Response:
        url = await run_in_threadpool(oauth.begin, LOGIN, hub.now())
        return RedirectResponse(url, status_code=303)

    def find_user(state: str, code: str) -> User | None:
        done = oauth.complete(LOGIN, state, code, hub.now())
        with hub.accounts_uow() as uow:
            user = uow.users.get_by_email(done.email)
        if user is None or not user.active or user.business_id is None:
            return None
        return user

    async def login_callback(request: Request) -> Response:
        state, code = request.query_params.get("state"), request.query_params.get("code")
        if not state or not code:
            return PlainTextResponse("Google did not sign you in.", status_code=400)
        try:
            user = await run_in_threadpool(find_user, state, code)
        except OAuthError as exc:
            return PlainTextResponse(str(exc), status_code=400)
        if user is None:
            return PlainTextResponse(
                "This Google account is not a staff member of any business here.",
                status_code=403,
            )
        return await sign_in(request, user)

    return [
        *found,
        Route("/login/start", login_start, methods=["GET"]),
        Route("/login/callback", login_callback, methods=["GET"]),
    ]
