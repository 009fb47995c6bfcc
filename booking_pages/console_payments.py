"""Console screen of the business's payment providers (admins only): which provider takes the
deposits (Stripe, MercadoPago or none), each one's credentials (Stripe: secret key and webhook
signing secret; MercadoPago: access token and webhook secret — sealed with the encryption key
when saved and never shown again; a blank field keeps the stored one), the webhook URL to
paste in each provider, and "test connection", which calls the provider with the stored
credentials and shows what it answered.

Settings change through ``hub.services.payment_settings``; sealing and the providers are
``connectors.payments.setup``. Another business's settings are never shown (the screen reads
the signed-in admin's business only); employees get 404.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.console_auth import Staff, staff_only
from booking_pages.web import Pages, read_form
from connectors.payments import setup as payments_setup
from hub.domain.errors import DomainError, ValidationError
from hub.sealed import SecretKeyMissingError
from hub.services import payment_settings
from hub.services.payment_settings import PROVIDERS


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub
    key = hub.settings.encryption_key

    def render(request: Request, staff: Staff, status: int = 200, **context: Any) -> Response:
        business = staff.business
        base: dict[str, Any] = {
            "staff": staff,
            "provider": payments_setup.chosen(business),
            "providers": PROVIDERS,
            "stored": payments_setup.stored_secrets(business),
            "webhooks": payments_setup.webhook_urls(hub.settings.base_url, business.id),
            "can_seal": bool(key),
            "problem": None,
            "errors": {},
            "flash": request.query_params.get("done"),
            "test_result": None,
            "test_failed": None,
        }
        return pages.render(
            request, "console/payments.html", {**base, **context}, t=staff.t, status=status
        )

    async def show(request: Request, staff: Staff) -> Response:
        return render(request, staff)

    def problem_of(staff: Staff, exc: Exception) -> tuple[str, dict[str, str]]:
        if isinstance(exc, ValidationError):
            field = exc.field or ""
            return staff.t("payments.refused"), {field: staff.t(f"payments.refused.{field}")}
        if isinstance(exc, SecretKeyMissingError):
            return staff.t("payments.no_key"), {}
        return staff.t("console.refused.validation_error"), {}

    async def save(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        try:
            change = payments_setup.change_of(
                {**form, "provider": form.get("provider", "").strip()}, key
            )
            await run_in_threadpool(
                payment_settings.save_payments,
                hub.uow(),
                staff.business.id,
                change,
                by=staff.by,
                now=hub.now(),
            )
        except (DomainError, SecretKeyMissingError) as exc:
            problem, errors = problem_of(staff, exc)
            chosen = form.get("provider", "")
            return render(
                request,
                staff,
                422,
                problem=problem,
                errors=errors,
                provider=chosen if chosen in ("", *PROVIDERS) else "",
            )
        return RedirectResponse("/console/payments?done=saved", status_code=303)

    async def test(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        provider = form.get("provider", "")
        name = staff.t(f"payments.{provider}") if provider in PROVIDERS else provider
        try:
            said = await run_in_threadpool(
                payments_setup.test_connection, hub.settings, staff.business, provider
            )
        except DomainError as exc:
            problem, errors = problem_of(staff, exc)
            return render(request, staff, 422, problem=problem, errors=errors)
        except payments_setup.ConnectionRefusedByProvider as exc:
            failed = staff.t("payments.test_failed", provider=name, reason=str(exc))
            return render(request, staff, 200, test_failed=failed)
        return render(
            request, staff, test_result=staff.t("payments.test_ok", provider=name, account=said)
        )

    return [
        Route("/payments", staff_only(pages, show, admin=True), methods=["GET"]),
        Route("/payments", staff_only(pages, save, admin=True), methods=["POST"]),
        Route("/payments/test", staff_only(pages, test, admin=True), methods=["POST"]),
    ]
