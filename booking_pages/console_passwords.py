"""Set-password links in the console: an admin invites a staff member by email (and can send
the invitation again), anyone asks for a reset link from the login page, and the link's page
sets the password once. The links are ``hub.services.password_links``'s; they go by email
(the configured SMTP server, or the mail folder), never onto a page.

The reset request answers the same whether or not the email belongs to someone, and is
rate-limited per address like the public booking form.
"""

from __future__ import annotations

import time
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.console_auth import Staff, login_translator, staff_only
from booking_pages.i18n import Translator, choose
from booking_pages.web import PageError, Pages, read_form
from connectors.notify.mailers import mailer_from_settings
from hub.domain.accounts import Role
from hub.domain.errors import AuthenticationError, DomainError, ValidationError
from hub.domain.model import Business
from hub.process import Hub
from hub.services import password_links
from hub.services.password_links import PasswordLink


def send_link(hub: Hub, link: PasswordLink, t: Translator, business_name: str) -> None:
    """Email the link to its user (blocking: call from a worker thread)."""
    url = f"{hub.settings.base_url}/console/set-password/{link.token}"
    message = EmailMessage()
    kind = "invite" if link.purpose == "invite" else "reset"
    message["Subject"] = t(f"password.{kind}.subject", business=business_name)
    message["From"] = formataddr((business_name, hub.settings.smtp_from))
    message["To"] = link.user.email
    message["Message-ID"] = make_msgid()
    hours = max(1, round((link.expires_at - hub.now()).total_seconds() / 3600))
    message.set_content(
        t(f"password.{kind}.body", name=link.user.name, business=business_name, hours=hours)
        + f"\n\n{url}\n"
    )
    mailer_from_settings(hub.settings).send(message)


def mail_link(hub: Hub, link: PasswordLink, business: Business) -> None:
    """Email the link in the business's language (an invitation from the API or the command
    line, where no browser says which language to use)."""
    t = Translator(choose(None, business.language, None), business.country, business.timezone)
    send_link(hub, link, t, business.name)


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub
    secret = hub.settings.secret_key

    def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
        t = login_translator(request)
        base = {"problem": None, "sent": False, "token": "", "email": ""}
        return pages.render(request, f"console/{template}", base | context, t=t, status=status)

    async def forgot_page(request: Request) -> Response:
        return render(request, "forgot.html")

    async def forgot(request: Request) -> Response:
        form = await read_form(request)
        email = form.get("email", "").strip()[:254]
        address = request.client.host if request.client else "unknown"
        if hub.public_writes.allow(f"reset:{address}", time.monotonic()) > 0:
            t = login_translator(request)
            return render(request, "forgot.html", 429, problem=t("error.rate"), email=email)
        link = await run_in_threadpool(
            password_links.request_reset, hub.accounts_uow(), secret, email, hub.now()
        )
        if link is not None:
            await run_in_threadpool(send_link, hub, link, login_translator(request), "Turnero")
        return render(request, "forgot.html", sent=True, email=email)

    async def set_page(request: Request) -> Response:
        token = request.path_params["token"]
        try:
            link = await run_in_threadpool(
                password_links.check_link, hub.accounts_uow(), secret, token, hub.now()
            )
        except AuthenticationError:
            return render(request, "set_password.html", 410, expired=True, token="")
        return render(
            request, "set_password.html", token=token, expired=False, email=link.user.email
        )

    async def set_password(request: Request) -> Response:
        form = await read_form(request)
        token = request.path_params["token"]
        t = login_translator(request)
        password = form.get("password", "")
        if password != form.get("again", ""):
            return render(
                request,
                "set_password.html",
                422,
                token=token,
                expired=False,
                problem=t("password.mismatch"),
            )
        try:
            await run_in_threadpool(
                password_links.set_password_with_link,
                hub.accounts_uow(),
                secret,
                token,
                password,
                hub.now(),
            )
        except AuthenticationError:
            return render(request, "set_password.html", 410, expired=True, token="")
        except ValidationError:
            return render(
                request,
                "set_password.html",
                422,
                token=token,
                expired=False,
                problem=t("password.too_short"),
            )
        return RedirectResponse("/console/login?password=set", status_code=303)

    async def reinvite(request: Request, staff: Staff) -> Response:
        await read_form(request)
        try:
            link = await run_in_threadpool(
                password_links.reinvite_staff,
                hub.accounts_uow(),
                secret,
                staff.business.id,
                request.path_params["id"],
                hub.now(),
            )
        except DomainError as exc:
            raise PageError(404, "error.not_found") from exc
        await run_in_threadpool(send_link, hub, link, staff.t, staff.business.name)
        return RedirectResponse("/console/staff?invited=1", status_code=303)

    return [
        Route("/forgot", forgot_page, methods=["GET"], name="console-forgot"),
        Route("/forgot", forgot, methods=["POST"]),
        Route("/set-password/{token}", set_page, methods=["GET"], name="console-set-password"),
        Route("/set-password/{token}", set_password, methods=["POST"]),
        Route("/staff/{id}/invite", staff_only(pages, reinvite, admin=True), methods=["POST"]),
    ]


def invite(hub: Hub, staff: Staff, form: dict[str, str], resource_ids: tuple[str, ...]) -> None:
    """Create the staff member the form describes without a password and email them their
    invitation (blocking: call from a worker thread)."""
    role = Role.BUSINESS_ADMIN if form.get("role") == "business_admin" else Role.EMPLOYEE
    link = password_links.invite_staff(
        hub.accounts_uow(),
        hub.settings.secret_key,
        business_id=staff.business.id,
        email=form.get("email", ""),
        role=role,
        now=hub.now(),
        name=form.get("name", "").strip()[:80],
        resource_ids=resource_ids,
    )
    send_link(hub, link, staff.t, staff.business.name)
