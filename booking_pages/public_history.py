"""A client's bookings at a business without a link, ``/book/{slug}/history`` ("Mis
turnos" on the business page): they type the phone or email they booked with, get a
six-digit code by WhatsApp or email, type it, and see their upcoming and past bookings there
(each upcoming one linking to its manage page, each service to "book again").

The answer to "send me a code" is the same page whether or not the contact has bookings;
the code is sent after the answer has gone out, so not even its timing tells. A right code
sets a short-lived signed cookie for this business's history page only. Codes, throttles
and the list are ``hub.core``'s (``hub.services.history_codes``, ``hub.services.history``).

Not here: the history reached from a manage link (``manage``).
"""

from __future__ import annotations

from typing import Any

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.catalogue import Storefront
from booking_pages.i18n import Translator
from booking_pages.public_common import book_url, client_host, load
from booking_pages.web import Pages, phone_text, read_form
from hub.domain.errors import AuthenticationError, TooManyAttemptsError, ValidationError
from hub.services.history_codes import MAX_CONTACT, ClientContact
from hub.services.history_pass import PASS_TTL, open_pass, seal_pass

PASS_COOKIE = "turnero_history"  # noqa: S105 (a cookie name)


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub
    secret = hub.settings.secret_key

    def path(sf: Storefront) -> str:
        return book_url(sf.business.slug, "/history")

    def ask(
        request: Request,
        sf: Storefront,
        t: Translator,
        *,
        status: int = 200,
        step: str = "contact",
        contact: str = "",
        problem: str | None = None,
        retry_after: int | None = None,
    ) -> Response:
        context = {
            "business": sf.business,
            "step": step,
            "contact": contact,
            "problem": problem,
            "url": book_url,
        }
        response = pages.render(request, "public/history_ask.html", context, t=t, status=status)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def contact_of(request: Request, sf: Storefront) -> ClientContact | None:
        sealed = request.cookies.get(PASS_COOKIE, "")
        found = open_pass(secret, sealed, sf.business.id, hub.now()) if sealed else None
        return found.contact if found is not None else None

    async def show(request: Request) -> Response:
        sf, t = await load(pages, request)
        contact = contact_of(request, sf)
        if contact is None:
            return ask(request, sf, t)
        found = await run_in_threadpool(hub.core.contact_history, sf.business.id, contact)
        context: dict[str, Any] = {
            "h": found,
            "business": sf.business,
            "contact": phone_text(contact.value) if contact.kind == "phone" else contact.value,
            "url": book_url,
        }
        response = pages.render(request, "public/history_list.html", context, t=t)
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "private, no-store"
        return response

    async def send(request: Request) -> Response:
        sf, t = await load(pages, request)
        form = await read_form(request)
        typed = form.get("contact", "").strip()[:MAX_CONTACT]
        try:
            message = await run_in_threadpool(
                lambda: hub.core.request_history_code(
                    sf.business.id,
                    form.get("contact", ""),
                    source=client_host(request),
                    language=t.language,
                )
            )
        except ValidationError:
            problem = t("history.code.bad_contact")
            return ask(request, sf, t, status=422, contact=typed, problem=problem)
        except TooManyAttemptsError as exc:
            return ask(
                request,
                sf,
                t,
                status=429,
                contact=typed,
                problem=t("history.code.wait"),
                retry_after=exc.retry_after,
            )
        response = ask(request, sf, t, step="code", contact=typed)
        if message is not None:  # sent after the page: known and unknown contacts look alike
            response.background = BackgroundTask(hub.core.send_history_code, message)
        return response

    async def verify(request: Request) -> Response:
        sf, t = await load(pages, request)
        form = await read_form(request)
        typed = form.get("contact", "").strip()[:MAX_CONTACT]

        def check() -> ClientContact:
            return hub.core.check_history_code(
                sf.business.id,
                form.get("contact", ""),
                form.get("code", "")[:20],
                source=client_host(request),
            )

        try:
            contact = await run_in_threadpool(check)
        except ValidationError as exc:
            key = "history.code.bad_code" if exc.field == "code" else "history.code.bad_contact"
            step = "code" if exc.field == "code" else "contact"
            return ask(request, sf, t, status=422, step=step, contact=typed, problem=t(key))
        except TooManyAttemptsError as exc:
            return ask(
                request,
                sf,
                t,
                status=429,
                step="code",
                contact=typed,
                problem=t("history.code.wait"),
                retry_after=exc.retry_after,
            )
        except AuthenticationError:
            problem = t("history.code.wrong")
            return ask(request, sf, t, status=403, step="code", contact=typed, problem=problem)
        response = RedirectResponse(path(sf), status_code=303)
        response.set_cookie(
            PASS_COOKIE,
            seal_pass(secret, sf.business.id, contact, hub.now()),
            max_age=int(PASS_TTL.total_seconds()),
            path=path(sf),
            httponly=True,
            samesite="lax",
            secure=pages.secure,
        )
        return response

    async def leave(request: Request) -> Response:
        sf, _ = await load(pages, request)
        await read_form(request)
        response = RedirectResponse(book_url(sf.business.slug), status_code=303)
        response.delete_cookie(PASS_COOKIE, path=path(sf), httponly=True, samesite="lax")
        return response

    return [
        Route("/{slug}/history", show, methods=["GET"], name="book-history"),
        Route("/{slug}/history/code", send, methods=["POST"], name="book-history-code"),
        Route("/{slug}/history/verify", verify, methods=["POST"], name="book-history-verify"),
        Route("/{slug}/history/leave", leave, methods=["POST"], name="book-history-leave"),
    ]


__all__ = ["PASS_COOKIE", "routes"]
