"""Console sign-in: email + password (argon2 and the sign-in throttle, both in
``hub.services``), the session cookie, sign-out, and ``Staff``: who is signed in, their
business, what they may see, and the language they read.

Sessions are kept by the server (``hub.services.sessions``): the cookie carries a random
token, signed (itsdangerous) with the hub's secret so that a forged cookie is refused before
any lookup, and the session ends for good at sign-out, on a password change or when the
user is removed. "Login with Google" in ``console_google`` starts the same session through
``signed_in``. A wrong password and an unknown email get the same page and status; too many
failures from one address get 429 with the minutes to wait. Screens are in the other
``console_*`` modules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.i18n import Translator, choose
from booking_pages.web import PageError, Pages, client_address, read_form
from connectors.google import store as google_store
from connectors.google.runtime import configured as google_configured
from hub.domain.accounts import Role, User
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.errors import (
    AuthenticationError,
    BusinessSuspendedError,
    NotFoundError,
    TooManyAttemptsError,
)
from hub.domain.model import Business, Resource
from hub.services import accounts, sessions, setup
from hub.services.plans import QuotaStatus, quota_status

SESSION_COOKIE = "turnero_console"
SESSION_SECONDS = int(sessions.LIFETIME.total_seconds())

Handler = Callable[[Request, "Staff"], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Staff:
    """The signed-in staff member, for one request."""

    user: User
    business: Business
    resources: list[Resource]  # the active resources they may see, in the business's order
    t: Translator
    google_broken: tuple[str, ...] = ()  # Google accounts of theirs (admins: anyone's) broken
    quota: QuotaStatus | None = None  # admins: the month's booking quota, when there is one

    @property
    def by(self) -> ChangedBy:
        return ChangedBy(Actor.OPERATOR, Channel.CONSOLE, self.user.id)

    @property
    def is_admin(self) -> bool:
        return self.user.manages_business()

    def sees(self, resource_id: str) -> bool:
        return self.user.sees_resource(resource_id)


def _serializer(pages: Pages) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(pages.hub.settings.secret_key, salt="turnero-console")


def session_token(pages: Pages, request: Request) -> str | None:
    """The session token the request's cookie carries, if the hub signed it."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw or len(raw) > 512:
        return None
    try:
        data: dict[str, Any] = _serializer(pages).loads(raw, max_age=SESSION_SECONDS)
    except BadSignature:
        return None
    token = data.get("s") if isinstance(data, dict) else None
    return token if isinstance(token, str) else None


def retry_minutes(exc: TooManyAttemptsError) -> int:
    return max(1, (exc.retry_after + 59) // 60)


def login_translator(request: Request) -> Translator:
    return Translator(choose(None, None, request.headers.get("accept-language")) or "es")


def load_staff(pages: Pages, request: Request) -> Staff | None:
    token = session_token(pages, request)
    if token is None:
        return None
    hub = pages.hub
    user = sessions.resume_session(hub.accounts_uow(autocommit=True), token, hub.now())
    if user is None or user.business_id is None:
        return None  # platform admins work in the platform console (``console_platform``)
    try:
        business = setup.find_business(pages.hub.uow(), business_id=user.business_id)
    except NotFoundError:
        return None
    resources = [
        r for r in setup.list_resources(pages.hub.uow(), business.id) if user.sees_resource(r.id)
    ]
    t = Translator(choose(None, business.language, None), business.country, business.timezone)
    with pages.hub.database.sessions() as session:
        connections = google_store.business_connections(
            session, business.id, None if user.manages_business() else user.id
        )
    broken = tuple(c.google_email for c in connections if not c.active)
    quota = None
    if user.manages_business():
        quota = quota_status(hub.uow(), business, hub.now())
    return Staff(user, business, resources, t, broken, quota)


def _platform_session(pages: Pages, request: Request) -> bool:
    """Whether the request carries a platform admin's session (their console is
    ``/console/platform``; the business screens are not theirs)."""
    token = session_token(pages, request)
    if token is None:
        return False
    hub = pages.hub
    user = sessions.resume_session(hub.accounts_uow(autocommit=True), token, hub.now())
    return user is not None and user.role is Role.PLATFORM_ADMIN


def staff_only(
    pages: Pages, handler: Handler, *, admin: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a console handler: signed-out visitors go to the login page; employees get 404
    on admin screens (they do not exist for them)."""

    async def endpoint(request: Request) -> Response:
        staff = await run_in_threadpool(load_staff, pages, request)
        if staff is None and await run_in_threadpool(_platform_session, pages, request):
            return RedirectResponse("/console/platform", status_code=303)
        if staff is None:
            target = request.url.path
            if request.url.query:
                target += "?" + request.url.query
            login = "/console/login"
            if request.method == "GET" and target.startswith("/console/"):
                login += "?" + urlencode({"next": target})
            return RedirectResponse(login, status_code=303)
        if admin and not staff.is_admin:
            raise PageError(404, "error.not_found")
        return await handler(request, staff)

    return endpoint


def safe_next(target: str | None) -> str:
    """Only redirect within the console (no open redirects)."""
    if target and target.startswith("/console/") and not target.startswith("/console//"):
        return target
    return "/console/agenda"


def signed_in(pages: Pages, user: User, target: str) -> Response:
    """Start a new console session for ``user`` (a new token every time: a session id
    planted before sign-in is never adopted) and go to ``target``."""
    token = sessions.start_session(pages.hub.accounts_uow(), user.id, pages.hub.now())
    cookie = _serializer(pages).dumps({"s": token})
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=pages.secure,
        path="/console",
    )
    return response


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub
    google = google_configured(hub)

    async def login_page(request: Request) -> Response:
        t = login_translator(request)
        context = {
            "next": safe_next(request.query_params.get("next")),
            "problem": None,
            "email": "",
            "google": google,
            "password_set": request.query_params.get("password") == "set",
        }
        return pages.render(request, "console/login.html", context, t=t)

    async def login(request: Request) -> Response:
        t = login_translator(request)
        form = await read_form(request)
        email = form.get("email", "").strip()[:200]
        target = safe_next(form.get("next"))
        try:
            user = await run_in_threadpool(
                lambda: accounts.authenticate_password(
                    hub.accounts_uow(),
                    email,
                    form.get("password", ""),
                    hub.now(),
                    throttle=hub.login_throttle,
                    address=client_address(request),
                )
            )
        except TooManyAttemptsError as exc:
            problem = t("console.too_many_attempts", minutes=retry_minutes(exc))
            context = {"next": target, "problem": problem, "email": email, "google": google}
            response = pages.render(request, "console/login.html", context, t=t, status=429)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        except AuthenticationError:
            problem = t("console.wrong_password")
            context = {"next": target, "problem": problem, "email": email, "google": google}
            return pages.render(request, "console/login.html", context, t=t, status=401)
        except BusinessSuspendedError:
            problem = t("console.suspended")
            context = {"next": target, "problem": problem, "email": email, "google": google}
            return pages.render(request, "console/login.html", context, t=t, status=403)
        if user.role is Role.PLATFORM_ADMIN:  # to the platform console
            if not target.startswith("/console/platform"):
                target = "/console/platform"
            return await run_in_threadpool(signed_in, pages, user, target)
        if user.business_id is None:
            context = {
                "next": target,
                "problem": t("console.no_business"),
                "email": email,
                "google": google,
            }
            return pages.render(request, "console/login.html", context, t=t, status=403)
        return await run_in_threadpool(signed_in, pages, user, target)

    async def logout(request: Request) -> Response:
        await read_form(request)
        token = session_token(pages, request)
        if token is not None:
            await run_in_threadpool(sessions.end_session, hub.accounts_uow(), token)
        response = RedirectResponse("/console/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/console")
        return response

    async def home(request: Request) -> Response:
        return RedirectResponse("/console/agenda", status_code=303)

    return [
        Route("/", home, methods=["GET"]),
        Route("/login", login_page, methods=["GET"], name="console-login"),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"], name="console-logout"),
    ]
