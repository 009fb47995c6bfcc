"""Console page Setup ▸ Dominios (admins): the email domains the business claims, so that
its people can sign in with Google the first time without an invitation — add one (with the
address at that domain the verification link goes to), see whether it is verified, send the
link again, remove it. And the link's own page (``/console/domains/verify/{token}``), open
to whoever received the email: it shows a button, and pressing it verifies the claim (a mail
scanner that only fetches the link verifies nothing).

The rules and the link are ``hub.services.email_domains``'s (through ``hub.core``); the link
goes by email (the configured SMTP server, or the mail folder), never onto a page.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.console_auth import Staff, login_translator, staff_only
from booking_pages.i18n import Translator, choose
from booking_pages.web import PageError, Pages, read_form
from connectors.notify.mailers import mailer_from_settings
from hub.domain.booking import Channel
from hub.domain.email_domains import PublicDomainError, claimable_domain, domain_of
from hub.domain.errors import (
    AuthenticationError,
    DomainError,
    NotFoundError,
    ValidationError,
)
from hub.domain.model import Business
from hub.process import Hub
from hub.services.email_domains import DomainTakenError, DomainVerification


def send_verification(hub: Hub, verification: DomainVerification, t: Translator, name: str) -> None:
    """Email the verification link to the address at the domain (blocking: call from a
    worker thread). Nothing to send for a claim already verified."""
    if verification.token is None:
        return
    claim = verification.claim
    url = f"{hub.settings.base_url}/console/domains/verify/{verification.token}"
    message = EmailMessage()
    message["Subject"] = t("domains.mail.subject", domain=claim.domain, business=name)
    message["From"] = formataddr((name, hub.settings.smtp_from))
    message["To"] = claim.verify_address
    message["Message-ID"] = make_msgid()
    expires = claim.token_expires_at or hub.now()
    hours = max(1, round((expires - hub.now()).total_seconds() / 3600))
    body = t("domains.mail.body", domain=claim.domain, business=name, hours=hours)
    message.set_content(f"{body}\n\n{url}\n")
    mailer_from_settings(hub.settings).send(message)


def mail_verification(hub: Hub, verification: DomainVerification, business: Business) -> None:
    """Email the link in the business's language (a claim made through the API)."""
    t = Translator(choose(None, business.language, None), business.country, business.timezone)
    send_verification(hub, verification, t, business.name)


def problem_of(t: Translator, exc: DomainError) -> str:
    if isinstance(exc, PublicDomainError):
        return t("domains.refused.public")
    if isinstance(exc, DomainTakenError):
        return t("domains.refused.taken")
    if isinstance(exc, ValidationError) and exc.field == "address":
        return t("domains.refused.address")
    if isinstance(exc, ValidationError):
        return t("domains.refused.domain")
    return t("error.generic")


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    async def domains_page(
        request: Request,
        staff: Staff,
        problem: str | None = None,
        status: int = 200,
        typed: dict[str, str] | None = None,
    ) -> Response:
        claims = await run_in_threadpool(hub.core.email_domains, staff.business.id)
        own = domain_of(staff.user.email) or ""
        try:
            own = claimable_domain(own)
        except ValidationError:
            own = ""  # a public provider's (or none): nothing worth offering
        if any(c.domain == own for c in claims):
            own = ""
        context: dict[str, Any] = {
            "staff": staff,
            "claims": claims,
            "problem": problem,
            "sent": request.query_params.get("sent"),
            "removed": request.query_params.get("removed"),
            "typed": typed or {"domain": own, "address": staff.user.email if own else ""},
        }
        return pages.render(request, "console/domains.html", context, t=staff.t, status=status)

    def sent(domain: str) -> Response:
        return RedirectResponse(f"/console/domains?sent={quote(domain)}", status_code=303)

    async def claim(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        typed = {"domain": form.get("domain", "")[:260], "address": form.get("address", "")[:260]}

        def run() -> DomainVerification:
            verification = hub.core.claim_email_domain(
                staff.business.id,
                typed["domain"],
                typed["address"],
                by=staff.user.id,
                channel=Channel.CONSOLE,
            )
            send_verification(hub, verification, staff.t, staff.business.name)
            return verification

        try:
            verification = await run_in_threadpool(run)
        except DomainError as exc:
            return await domains_page(request, staff, problem_of(staff.t, exc), 422, typed)
        return sent(verification.claim.domain)

    async def resend(request: Request, staff: Staff) -> Response:
        await read_form(request)

        def run() -> DomainVerification:
            verification = hub.core.resend_domain_verification(
                staff.business.id,
                request.path_params["domain"],
                by=staff.user.id,
                channel=Channel.CONSOLE,
            )
            send_verification(hub, verification, staff.t, staff.business.name)
            return verification

        try:
            verification = await run_in_threadpool(run)
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc
        except DomainError as exc:
            return await domains_page(request, staff, problem_of(staff.t, exc), 409)
        return sent(verification.claim.domain)

    async def remove(request: Request, staff: Staff) -> Response:
        await read_form(request)
        try:
            claim = await run_in_threadpool(
                lambda: hub.core.unclaim_email_domain(
                    staff.business.id,
                    request.path_params["domain"],
                    by=staff.user.id,
                    channel=Channel.CONSOLE,
                )
            )
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc
        return RedirectResponse(f"/console/domains?removed={quote(claim.domain)}", status_code=303)

    def verify_render(request: Request, status: int = 200, **context: Any) -> Response:
        t = login_translator(request)
        base = {"state": "ask", "token": "", "domain": ""}
        return pages.render(
            request, "console/domain_verify.html", base | context, t=t, status=status
        )

    async def verify_page(request: Request) -> Response:
        return verify_render(request, token=request.path_params["token"])

    async def verify(request: Request) -> Response:
        await read_form(request)
        try:
            claim = await run_in_threadpool(
                hub.core.verify_email_domain, request.path_params["token"]
            )
        except AuthenticationError:
            return verify_render(request, 410, state="expired")
        except DomainTakenError:
            return verify_render(request, 409, state="taken")
        return verify_render(request, state="verified", domain=claim.domain)

    return [
        Route("/domains", staff_only(pages, domains_page, admin=True), methods=["GET"]),
        Route("/domains", staff_only(pages, claim, admin=True), methods=["POST"]),
        Route("/domains/verify/{token}", verify_page, methods=["GET"]),
        Route("/domains/verify/{token}", verify, methods=["POST"]),
        Route("/domains/{domain}/resend", staff_only(pages, resend, admin=True), methods=["POST"]),
        Route("/domains/{domain}/remove", staff_only(pages, remove, admin=True), methods=["POST"]),
    ]
