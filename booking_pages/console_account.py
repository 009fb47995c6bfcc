"""Console: the signed-in staff member's own account — change their password (or set a
first one, for those who sign in with Google), and give the WhatsApp number where they hear
about the bookings they organise. The change ends every console session of
theirs (``hub.services.accounts.change_password``); this browser gets a new one.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.console_auth import Staff, retry_minutes, signed_in, staff_only
from booking_pages.web import Pages, client_address, read_form
from hub.domain.errors import AuthenticationError, TooManyAttemptsError, ValidationError
from hub.services import accounts


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    async def account_page(
        request: Request, staff: Staff, problem: str | None = None, status: int = 200
    ) -> Response:
        context = {
            "staff": staff,
            "problem": problem,
            "secret": None,
            "done": request.query_params.get("done"),
            "has_password": staff.user.password_hash is not None,
        }
        return pages.render(request, "console/account.html", context, t=staff.t, status=status)

    async def change_password(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        new = form.get("new_password", "")
        if new != form.get("repeat_password", ""):
            return await account_page(request, staff, staff.t("console.passwords_differ"), 422)
        try:
            user = await run_in_threadpool(
                lambda: accounts.change_password(
                    hub.accounts_uow(),
                    staff.user.id,
                    form.get("current_password", ""),
                    new,
                    hub.now(),
                    throttle=hub.login_throttle,
                    address=client_address(request),
                )
            )
        except TooManyAttemptsError as exc:
            problem = staff.t("console.too_many_attempts", minutes=retry_minutes(exc))
            return await account_page(request, staff, problem, 429)
        except AuthenticationError:
            problem = staff.t("console.current_password_wrong")
            return await account_page(request, staff, problem, 422)
        except ValidationError as exc:
            problem = staff.t("console.refused.validation_error") + f" ({exc.message})"
            return await account_page(request, staff, problem, 422)
        return await run_in_threadpool(signed_in, pages, user, "/console/account?done=1")

    async def change_phone(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        try:
            await run_in_threadpool(
                accounts.set_own_phone,
                hub.accounts_uow(),
                staff.user.id,
                form.get("phone", "")[:40],
                staff.business.country,
            )
        except ValidationError:
            return await account_page(request, staff, staff.t("console.field.phone"), 422)
        return RedirectResponse("/console/account?done=phone", 303)

    return [
        Route("/account", staff_only(pages, account_page), methods=["GET"]),
        Route("/account/password", staff_only(pages, change_password), methods=["POST"]),
        Route("/account/phone", staff_only(pages, change_phone), methods=["POST"]),
    ]
