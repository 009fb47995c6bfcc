"""Console: a recurring series — its dates, and cancelling or moving one occurrence, it and
the following ones, or all of them (from the series page or a booking's "Parte de una serie").

Each change goes through the core's series use cases, which cancel or move every occurrence
as a single booking (messages, webhooks, calendars). Employees see a series only when every
occurrence is on a resource of theirs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.console_auth import Staff, staff_only
from booking_pages.web import PageError, Pages, read_form
from hub.domain.booking import Booking
from hub.domain.errors import DomainError, NotFoundError
from hub.services.series import OPEN, Scope

MAX_SHIFT_MINUTES = 7 * 24 * 60


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    def visible_series(staff: Staff, series_id: str) -> list[Booking]:
        try:
            found = hub.core.series_bookings(staff.business.id, series_id[:64])
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc
        if not all(staff.sees(b.resource_id) for b in found):
            raise PageError(404, "error.not_found")
        return found

    def page(request: Request, staff: Staff, problem: str | None, status: int) -> Response:
        series_id = request.path_params["id"]
        found = visible_series(staff, series_id)
        chosen = request.query_params.get("booking", "")
        pivot = next((b for b in found if b.id == chosen), None)
        names = {r.id: r.name for r in staff.resources}
        context: dict[str, Any] = {
            "staff": staff,
            "series_id": series_id,
            "bookings": found,
            "names": names,
            "pivot": pivot,
            "open": OPEN,
            "problem": problem,
            "done": request.query_params.get("done", "") if problem is None else "",
            "count": request.query_params.get("n", "")[:4],
        }
        return pages.render(request, "console/series.html", context, t=staff.t, status=status)

    async def show(request: Request, staff: Staff) -> Response:
        return await run_in_threadpool(page, request, staff, None, 200)

    def scope_of(form: dict[str, str]) -> tuple[Scope, str | None]:
        try:
            scope = Scope(form.get("scope", ""))
        except ValueError as exc:
            raise PageError(422, "console.series_bad_scope") from exc
        pivot = form.get("booking", "")[:64] or None
        if pivot is None and scope is not Scope.ALL:
            raise PageError(422, "console.series_bad_scope")
        return scope, pivot

    async def change(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        series_id = request.path_params["id"]
        action = request.path_params["action"]
        scope, pivot = scope_of(form)
        shift: timedelta | None = None
        if action == "shift":
            text = form.get("minutes", "").strip().lstrip("+")
            negative = text.startswith("-")
            digits = text.removeprefix("-")
            if not digits.isdigit() or not 0 < int(digits) <= MAX_SHIFT_MINUTES:
                return await run_in_threadpool(
                    page, request, staff, staff.t("console.series_bad_shift"), 422
                )
            shift = timedelta(minutes=-int(digits) if negative else int(digits))

        def apply() -> int:
            visible_series(staff, series_id)
            if shift is None:
                done = hub.core.cancel_series(
                    staff.business.id,
                    series_id,
                    booking_id=pivot,
                    scope=scope,
                    by=staff.by,
                    reason=form.get("reason", "")[:2000].strip(),
                )
            else:
                done = hub.core.shift_series(
                    staff.business.id,
                    series_id,
                    booking_id=pivot,
                    scope=scope,
                    shift=shift,
                    by=staff.by,
                    force=form.get("force") == "1",
                )
            return len(done)

        try:
            count = await run_in_threadpool(apply)
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc
        except DomainError as exc:
            return await run_in_threadpool(
                page, request, staff, staff.t(f"console.refused.{exc.code}"), 409
            )
        done = "cancelled" if shift is None else "moved"
        target = f"/console/series/{series_id}?done={done}&n={count}"
        if pivot:
            target += f"&booking={pivot}"
        return RedirectResponse(target, status_code=303)

    async def change_route(request: Request, staff: Staff) -> Response:
        if request.path_params["action"] not in ("cancel", "shift"):
            raise PageError(404, "error.not_found")
        return await change(request, staff)

    return [
        Route("/series/{id}", staff_only(pages, show), methods=["GET"], name="series"),
        Route("/series/{id}/{action}", staff_only(pages, change_route), methods=["POST"]),
    ]
