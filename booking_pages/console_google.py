"""Console: Google Calendar — connect (a staff member, for the resources they are linked to;
a business admin too), the connection's status (connected, broken and why, last sync), the
choice of destination and busy calendars, disconnect; business admins see and may disconnect
every connection of their business. And "Login with Google" on the sign-in page: the
Google account's verified email must be an active staff user already, or be on an email
domain the business claimed and verified (``hub.services.email_domains`` creates the
employee then; Setup ▸ Dominios, ``console_domains``).

Starting a round trip sets the browser's key cookie (``connectors.google.browser``); only
that browser can finish it. Connecting is a form (CSRF-checked) answered with a redirect to
Google, so the Google page names Google's authorization origin in its CSP ``form-action``.
"Login with Google" is a plain link: starting a sign-in grants nothing, and the browser
binding keeps anyone else from finishing it.

The OAuth round trips, Google calls and storage are ``connectors.google``'s; this module
only reads forms, calls them, and renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.console_auth import (
    Staff,
    login_translator,
    safe_next,
    signed_in,
    staff_only,
)
from booking_pages.web import PageError, Pages, read_form
from connectors.google import account, browser, channels, store
from connectors.google.calendar import GoogleError
from connectors.google.oauth import (
    CONNECT,
    LOGIN,
    GoogleOAuth,
    OAuthError,
    UnverifiedEmailError,
    authorization_origin,
)
from connectors.google.pull import GooglePull
from connectors.google.runtime import configured
from connectors.google.tokens import TokenCipherError
from hub.domain.accounts import User
from hub.domain.errors import BusinessSuspendedError

# Why a connect round trip was refused (``OAuthError.code``) → what the page says.
REFUSALS = {
    "other_browser": "google.refused.other_browser",
    "expired": "google.refused.expired",
    "refused": "google.refused.refused",
    "no_offline": "google.refused.no_offline",
    "gone": "google.refused.gone",
    "unverified": "google.refused.unverified",
}


@dataclass(frozen=True, slots=True)
class ConnectionView:
    connection: store.Connection
    owner: str  # the staff member's name or email
    mine: bool


def _views(pages: Pages, staff: Staff) -> list[ConnectionView]:
    with pages.hub.database.sessions() as session:
        found = store.business_connections(
            session, staff.business.id, None if staff.is_admin else staff.user.id
        )
    with pages.hub.accounts_uow() as uow:
        people = {u.id: (u.name or u.email) for u in uow.users.list(staff.business.id)}
    return [ConnectionView(c, people.get(c.user_id, ""), c.user_id == staff.user.id) for c in found]


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub
    if not configured(hub):

        async def off(request: Request, staff: Staff) -> Response:
            context = {"enabled": False, "staff": staff}
            return pages.render(request, "console/google.html", context, t=staff.t)

        return [Route("/google", staff_only(pages, off), methods=["GET"], name="console-google")]
    oauth = GoogleOAuth(hub.database, hub.settings)
    pull = GooglePull(hub.database, hub.settings, clock=hub.now, core=hub.core)
    address = channels.notifications_address(hub.settings.base_url)
    origin = authorization_origin(hub.settings)
    to_google = () if origin is None else (origin,)

    def render_page(
        request: Request, staff: Staff, context: dict[str, Any], status: int = 200
    ) -> Response:
        return pages.render(
            request,
            "console/google.html",
            context,
            t=staff.t,
            status=status,
            form_targets=to_google,
        )

    def own(staff: Staff) -> store.Connection | None:
        with hub.database.sessions() as session:
            found = store.business_connections(session, staff.business.id, staff.user.id)
        return found[0] if found else None

    def page_context(staff: Staff, problem: str | None) -> dict[str, Any]:
        mine = own(staff)
        calendars: list[account.CalendarEntry] = []
        if mine is not None and mine.active:
            try:
                calendars = account.list_calendars(pull, mine)
            except (GoogleError, TokenCipherError):
                problem = problem or staff.t("google.calendars_unavailable")
        others = [v for v in _views(pages, staff) if not v.mine]
        primary = next((c.id for c in calendars if c.primary), None)
        destination = None if mine is None else mine.calendar_id
        busy: set[str] = set() if mine is None else set(mine.busy_calendar_ids)
        if primary is not None:
            destination = primary if destination == "primary" else destination
            busy = {primary if c == "primary" else c for c in busy}
        return {
            "enabled": True,
            "staff": staff,
            "mine": mine,
            "calendars": calendars,
            "destination": destination,
            "busy": busy,
            "others": others,
            "resources": staff.resources,
            "problem": problem,
        }

    async def show(request: Request, staff: Staff) -> Response:
        problem = request.query_params.get("problem")
        said = staff.t("google.no_calendar") if problem == "no_calendar" else None
        context = await run_in_threadpool(page_context, staff, said)
        context["connected"] = request.query_params.get("connected") == "1"
        context["saved"] = request.query_params.get("saved") == "1"
        context["no_calendar"] = said is not None
        return render_page(request, staff, context)

    def started(url: str, key: str) -> Response:
        response = RedirectResponse(url, status_code=303)
        browser.keep(response, key, hub.settings)
        return response

    async def connect(request: Request, staff: Staff) -> Response:
        await read_form(request)
        key = browser.key_for(request, hub.settings)
        url = await run_in_threadpool(
            lambda: oauth.begin(
                CONNECT,
                hub.now(),
                browser=key,
                business_id=staff.business.id,
                user_id=staff.user.id,
                login_hint=staff.user.email,
            )
        )
        return started(url, key)

    async def choose(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        raw = await request.form()
        mine = await run_in_threadpool(own, staff)
        if mine is None or not mine.active:
            raise PageError(409, "google.not_connected")
        busy = [str(v) for v in raw.getlist("busy") if isinstance(v, str)]
        resource_ids: list[str] | None = None
        if staff.is_admin:
            known = {r.id for r in staff.resources}
            resource_ids = [str(v) for v in raw.getlist("resource") if isinstance(v, str)]
            if any(r not in known for r in resource_ids):
                raise PageError(400, "google.unknown_resource")
        try:
            await run_in_threadpool(
                lambda: account.choose_calendars(
                    pull,
                    mine,
                    calendar_id=form.get("destination", ""),
                    busy_calendar_ids=busy,
                    resource_ids=resource_ids,
                    address=address,
                    now=hub.now(),
                )
            )
        except account.ChoiceError as exc:
            context = await run_in_threadpool(
                page_context, staff, staff.t(f"google.choice.{exc.code}", calendar=exc.calendar_id)
            )
            context.update(connected=False, saved=False, no_calendar=False)
            return render_page(request, staff, context, status=400)
        except (GoogleError, TokenCipherError) as exc:
            raise PageError(502, "google.unreachable") from exc
        return RedirectResponse("/console/google?saved=1", status_code=303)

    async def disconnect(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        wanted = form.get("connection", "")
        views = await run_in_threadpool(_views, pages, staff)
        target = next((v.connection for v in views if v.connection.id == wanted), None)
        if target is None or not (staff.is_admin or target.user_id == staff.user.id):
            raise PageError(404, "error.not_found")
        await run_in_threadpool(account.disconnect, pull, hub.settings, target.id)
        return RedirectResponse("/console/google", status_code=303)

    async def refused(request: Request) -> Response:
        """Where a connect round trip that could not finish lands (in whatever browser)."""
        t = login_translator(request)
        reason = request.query_params.get("reason", "")
        key = REFUSALS.get(reason, "google.refused.refused")
        context = {"message": t(key)}
        return pages.render(request, "console/google_refused.html", context, t=t, status=400)

    async def login_start(request: Request) -> Response:
        key = browser.key_for(request, hub.settings)
        url = await run_in_threadpool(lambda: oauth.begin(LOGIN, hub.now(), browser=key))
        return started(url, key)

    def find_user(state: str, code: str, key: str | None) -> User | None:
        done = oauth.complete(LOGIN, state, code, hub.now(), browser=key)
        # ``complete`` refused any email Google did not verify: this one it did.
        return hub.core.sign_in_with_google(done.email, email_verified=True)

    async def login_callback(request: Request) -> Response:
        t = login_translator(request)
        state, code = request.query_params.get("state"), request.query_params.get("code")
        problem, status, user = None, 400, None
        if not state or not code:
            if state:  # the user said no at Google: the state is used up
                await run_in_threadpool(oauth.abandon, state, hub.now())
            problem = t("google.login_refused")
        else:
            key = browser.sent_key(request, hub.settings)
            try:
                user = await run_in_threadpool(find_user, state, code, key)
            except UnverifiedEmailError:
                problem, status = t("google.login_unverified"), 403
            except BusinessSuspendedError:
                problem, status = t("console.suspended"), 403
            except OAuthError as exc:
                problem = t(
                    "google.login_other_browser"
                    if exc.code == "other_browser"
                    else "google.login_expired"
                )
            if user is None and problem is None:
                problem, status = t("google.login_unknown"), 403
        if user is None:
            context = {"next": safe_next(None), "problem": problem, "email": "", "google": True}
            return pages.render(request, "console/login.html", context, t=t, status=status)
        return signed_in(pages, user, safe_next(None))

    return [
        Route("/google", staff_only(pages, show), methods=["GET"], name="console-google"),
        Route("/google/connect", staff_only(pages, connect), methods=["POST"]),
        Route("/google/calendars", staff_only(pages, choose), methods=["POST"]),
        Route("/google/disconnect", staff_only(pages, disconnect), methods=["POST"]),
        Route("/google/refused", refused, methods=["GET"]),
        Route("/login/google", login_start, methods=["GET"]),
        Route("/login/google/callback", login_callback, methods=["GET"]),
    ]
