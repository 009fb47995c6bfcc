"""The platform console under ``/console/platform``: platform admins list the businesses
with their usage, create one and invite its first admin, suspend or reactivate it, and set
its monthly booking quota. Each form calls one use case in ``hub.services.platform``.

Only platform admins reach these screens; a business's staff get 404 (for them the screens
do not exist), a signed-out visitor goes to the login page. The invitation link goes by
email, never onto a page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.console_auth import login_translator, session_token
from booking_pages.console_passwords import send_link
from booking_pages.console_setup import TIMEZONES
from booking_pages.i18n import Translator, choose
from booking_pages.web import PageError, Pages, read_form
from hub.domain.accounts import Role, User
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.errors import DomainError, NotFoundError, ValidationError
from hub.domain.model import Business
from hub.services import platform, sessions

PlatformHandler = Callable[[Request, User, Translator], Awaitable[Response]]
FIELDS = ("name", "slug", "timezone", "currency", "language", "country", "admin_email")


def signed_in_user(pages: Pages, request: Request) -> User | None:
    """Whoever the request's live session belongs to, if anyone."""
    token = session_token(pages, request)
    if token is None:
        return None
    hub = pages.hub
    return sessions.resume_session(hub.accounts_uow(autocommit=True), token, hub.now())


def platform_only(
    pages: Pages, handler: PlatformHandler
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        user = await run_in_threadpool(signed_in_user, pages, request)
        if user is None:  # signed out, or the session ended
            login = "/console/login?" + urlencode({"next": request.url.path})
            return RedirectResponse(login, status_code=303)
        if user.role is not Role.PLATFORM_ADMIN:  # a business's staff: no such screens
            raise PageError(404, "error.not_found")
        return await handler(request, user, login_translator(request))

    return endpoint


def _by(user: User) -> ChangedBy:
    return ChangedBy(Actor.OPERATOR, Channel.CONSOLE, user.id)


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    def render(
        request: Request, template: str, t: Translator, status: int = 200, **context: Any
    ) -> Response:
        return pages.render(request, f"console/{template}", context, t=t, status=status)

    def list_page(
        request: Request,
        user: User,
        t: Translator,
        *,
        values: dict[str, str] | None = None,
        problem: str | None = None,
        status: int = 200,
    ) -> Response:
        businesses = platform.list_businesses(hub.uow(), hub.now())
        return render(
            request,
            "platform.html",
            t,
            status,
            user=user,
            businesses=businesses,
            domains=hub.core.verified_email_domains(),
            values=values or {"timezone": TIMEZONES[0], "currency": "ARS", "language": "es"},
            timezones=TIMEZONES,
            problem=problem,
            done=request.query_params.get("done"),
        )

    async def index(request: Request, user: User, t: Translator) -> Response:
        return await run_in_threadpool(list_page, request, user, t)

    def create_business(
        request: Request, user: User, t: Translator, form: dict[str, str]
    ) -> Response:
        values = {k: form.get(k, "").strip()[:200] for k in FIELDS}
        try:
            business = Business(
                slug=values["slug"],
                name=values["name"],
                timezone=values["timezone"],
                currency=values["currency"].upper(),
                language=values["language"] or "es",
                country=values["country"].upper() or None,
            )
            created, link = platform.create_business(
                hub.uow(),
                hub.accounts_uow(),
                hub.settings.secret_key,
                business,
                admin_email=values["admin_email"],
                by=_by(user),
                now=hub.now(),
            )
        except DomainError as exc:
            field = getattr(exc, "field", None) or ""
            key = f"platform.field.{field}" if field in FIELDS else "platform.invalid"
            status = 422 if isinstance(exc, ValidationError) else 409
            return list_page(request, user, t, values=values, problem=t(key), status=status)
        their = Translator(choose(None, created.language, None), created.country, created.timezone)
        send_link(hub, link, their, created.name)
        return RedirectResponse(f"/console/platform/businesses/{created.id}?done=created", 303)

    async def create(request: Request, user: User, t: Translator) -> Response:
        form = await read_form(request)
        return await run_in_threadpool(create_business, request, user, t, form)

    def detail_page(
        request: Request, user: User, t: Translator, problem: str | None = None, status: int = 200
    ) -> Response:
        try:
            overview = platform.get_business(hub.uow(), request.path_params["id"], hub.now())
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc
        return render(
            request,
            "platform_business.html",
            t,
            status,
            user=user,
            o=overview,
            problem=problem,
            done=request.query_params.get("done"),
        )

    async def detail(request: Request, user: User, t: Translator) -> Response:
        return await run_in_threadpool(detail_page, request, user, t)

    def change(request: Request, user: User, t: Translator, form: dict[str, str]) -> Response:
        business_id = request.path_params["id"]
        action = request.path_params["action"]
        now = hub.now()
        try:
            if action == "suspend":
                platform.suspend_business(
                    hub.uow(), business_id, reason=form.get("reason", ""), by=_by(user), now=now
                )
            elif action == "reactivate":
                platform.reactivate_business(hub.uow(), business_id, by=_by(user), now=now)
            elif action == "quota":
                text = form.get("monthly_quota", "").strip()
                try:
                    quota = int(text) if text else None
                except ValueError:
                    quota = -1  # refused by the use case like any other bad number
                platform.set_quota(hub.uow(), business_id, quota, by=_by(user), now=now)
            else:
                raise PageError(404, "error.not_found")
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc
        except ValidationError as exc:
            return detail_page(request, user, t, t(f"platform.field.{exc.field}"), 422)
        return RedirectResponse(f"/console/platform/businesses/{business_id}?done={action}", 303)

    async def change_endpoint(request: Request, user: User, t: Translator) -> Response:
        form = await read_form(request)
        return await run_in_threadpool(change, request, user, t, form)

    return [
        Route("/platform", platform_only(pages, index), methods=["GET"], name="platform"),
        Route("/platform/businesses", platform_only(pages, create), methods=["POST"]),
        Route("/platform/businesses/{id}", platform_only(pages, detail), methods=["GET"]),
        Route(
            "/platform/businesses/{id}/{action}",
            platform_only(pages, change_endpoint),
            methods=["POST"],
        ),
    ]
