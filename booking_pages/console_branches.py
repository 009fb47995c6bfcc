"""Console setup of branches (sucursales, admins): create, edit (name, address, location,
opening hours), date exceptions (holidays, different hours), which resources work there, and
archive or restore. An archived branch is no longer offered to clients; its bookings stay.

Each form calls one use case in ``hub.services.setup``; refused input is shown on the page
with a 422 and changes nothing. Resources and their own hours are in ``console_resources``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.console_auth import Staff, staff_only
from booking_pages.console_resources import hours_text, parse_exception, parse_hours
from booking_pages.web import PageError, Pages, read_form
from hub.domain.errors import DomainError, NotFoundError, ValidationError
from hub.domain.model import Branch
from hub.services import setup


def parse_coordinate(text: str, field: str) -> float | None:
    """A latitude or longitude as typed ("-34,5875" or "-34.5875"); empty: none."""
    if not text.strip():
        return None
    try:
        return float(text.strip().replace(",", "."))
    except ValueError as exc:
        raise ValidationError(f"{field} must be a number such as -34.5875", field=field) from exc


def branch_fields(form: dict[str, str]) -> dict[str, Any]:
    """The branch as the edit form describes it (raises ValidationError on bad input)."""
    return {
        "name": form.get("name", "").strip()[:120],
        "address": form.get("address", "").strip()[:300],
        "lat": parse_coordinate(form.get("lat", ""), "lat"),
        "lng": parse_coordinate(form.get("lng", ""), "lng"),
        "hours": tuple(w for d in range(7) for w in parse_hours(form.get(f"day{d}", ""), d)),
    }


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    async def branches_page(
        request: Request, staff: Staff, problem: str | None = None, status: int = 200
    ) -> Response:
        def gather() -> dict[str, Any]:
            branches = setup.list_branches(hub.uow(), staff.business.id)
            return {
                "rows": [(b, [hours_text(b.hours, d) for d in range(7)]) for b in branches],
                "resources": [
                    r for r in setup.list_resources(hub.uow(), staff.business.id) if r.active
                ],
            }

        context = await run_in_threadpool(gather)
        return pages.render(
            request,
            "console/branches.html",
            {
                "staff": staff,
                "problem": problem,
                "secret": None,
                "done": request.query_params.get("done"),
                **context,
            },
            t=staff.t,
            status=status,
        )

    def branch_of(staff: Staff, branch_id: str) -> Branch:
        try:
            return setup.get_branch(hub.uow(), staff.business.id, branch_id)
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc

    async def refused(request: Request, staff: Staff, exc: DomainError) -> Response:
        if isinstance(exc, ValidationError):
            problem = staff.t("console.refused.validation_error") + f" ({exc.message})"
        else:
            problem = staff.t(f"console.refused.{exc.code}")
        return await branches_page(request, staff, problem, 422)

    def saved(branch_id: str = "") -> Response:
        anchor = f"#b-{branch_id}" if branch_id else ""
        return RedirectResponse(f"/console/branches?done=1{anchor}", status_code=303)

    async def save(staff: Staff, branch: Branch) -> None:
        await run_in_threadpool(setup.save_branch, hub.uow(), branch, by=staff.by, now=hub.now())

    async def new_branch(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        try:
            branch = Branch(staff.business.id, **branch_fields(form))
            await save(staff, branch)
        except DomainError as exc:
            return await refused(request, staff, exc)
        return saved(branch.id)

    async def edit_branch(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        current = await run_in_threadpool(branch_of, staff, request.path_params["id"])
        try:
            await save(staff, replace(current, **branch_fields(form)))
        except DomainError as exc:
            return await refused(request, staff, exc)
        return saved(current.id)

    async def set_active(request: Request, staff: Staff) -> Response:
        await read_form(request)
        current = await run_in_threadpool(branch_of, staff, request.path_params["id"])
        active = request.url.path.endswith("/restore")
        await save(staff, replace(current, active=active))
        return saved(current.id)

    async def add_exception(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        current = await run_in_threadpool(branch_of, staff, request.path_params["id"])
        try:
            exception = parse_exception(form)
            await save(staff, replace(current, exceptions=(*current.exceptions, exception)))
        except DomainError as exc:
            return await refused(request, staff, exc)
        return saved(current.id)

    async def remove_exception(request: Request, staff: Staff) -> Response:
        await read_form(request)
        current = await run_in_threadpool(branch_of, staff, request.path_params["id"])
        kept = tuple(e for e in current.exceptions if e.id != request.path_params["exception"])
        if len(kept) == len(current.exceptions):
            raise PageError(404, "error.not_found")
        await save(staff, replace(current, exceptions=kept))
        return saved(current.id)

    async def set_resources(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        current = await run_in_threadpool(branch_of, staff, request.path_params["id"])
        wanted = [k[len("resource:") :] for k in form if k.startswith("resource:")]
        try:
            await run_in_threadpool(
                lambda: setup.set_branch_resources(
                    hub.uow(), staff.business.id, current.id, wanted, by=staff.by, now=hub.now()
                )
            )
        except DomainError as exc:
            return await refused(request, staff, exc)
        return saved(current.id)

    def admin(handler: Any) -> Any:
        return staff_only(pages, handler, admin=True)

    return [
        Route("/branches", admin(branches_page), methods=["GET"]),
        Route("/branches", admin(new_branch), methods=["POST"]),
        Route("/branches/{id}", admin(edit_branch), methods=["POST"]),
        Route("/branches/{id}/archive", admin(set_active), methods=["POST"]),
        Route("/branches/{id}/restore", admin(set_active), methods=["POST"]),
        Route("/branches/{id}/resources", admin(set_resources), methods=["POST"]),
        Route("/branches/{id}/exceptions", admin(add_exception), methods=["POST"]),
        Route(
            "/branches/{id}/exceptions/{exception}/delete",
            admin(remove_exception),
            methods=["POST"],
        ),
    ]
