"""Console: block hours or days on a resource or a whole branch (vacation, holiday,
maintenance), and remove blocks. Employees block only their own resources.

Creating bookings is in ``console_booking``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages import catalogue
from booking_pages.console_auth import Staff, staff_only
from booking_pages.console_forms import parse_time
from booking_pages.web import PageError, Pages, read_form
from hub.domain.errors import DomainError
from hub.services import setup
from hub.services.blocks import NewBlock, create_block, delete_block

BLOCK_DAYS = 90


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    def blocks_context(staff: Staff, problem: str | None) -> dict[str, Any]:
        now = hub.now()
        ids = [r.id for r in staff.resources]
        branches = setup.list_branches(hub.uow(), staff.business.id)
        with hub.uow() as uow:
            found = uow.blocks.overlapping(
                staff.business.id,
                now,
                now + timedelta(days=BLOCK_DAYS),
                resource_ids=ids,
                branch_ids=[b.id for b in branches] if staff.is_admin else (),
            )
        names = {r.id: r.name for r in staff.resources} | {b.id: b.name for b in branches}
        return {
            "staff": staff,
            "blocks": sorted(found, key=lambda b: b.start),
            "names": names,
            "branches": branches if staff.is_admin else [],
            "problem": problem,
            "today": catalogue.today_in(staff.business, now).isoformat(),
        }

    async def blocks_page(request: Request, staff: Staff) -> Response:
        context = await run_in_threadpool(blocks_context, staff, None)
        return pages.render(request, "console/blocks.html", context, t=staff.t)

    async def add_block(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        target = form.get("target", "")
        kind, _, target_id = target.partition(":")
        if kind == "resource" and staff.sees(target_id):
            resource_id, branch_id = target_id, None
        elif kind == "branch" and staff.is_admin:
            resource_id, branch_id = None, target_id
        else:
            raise PageError(404, "error.not_found")
        span = block_span(form, staff)
        if span is None:
            context = await run_in_threadpool(blocks_context, staff, staff.t("console.bad_time"))
            return pages.render(request, "console/blocks.html", context, t=staff.t, status=422)
        try:
            await run_in_threadpool(
                create_block,
                hub.uow(),
                NewBlock(
                    staff.business.id,
                    span[0],
                    span[1],
                    reason=form.get("reason", "")[:200],
                    resource_id=resource_id,
                    branch_id=branch_id,
                ),
                by=staff.by,
                now=hub.now(),
            )
        except DomainError as exc:
            context = await run_in_threadpool(
                blocks_context, staff, staff.t(f"console.refused.{exc.code}")
            )
            return pages.render(request, "console/blocks.html", context, t=staff.t, status=422)
        return RedirectResponse("/console/blocks?done=1", status_code=303)

    async def remove_block(request: Request, staff: Staff) -> Response:
        await read_form(request)

        def remove() -> None:
            with hub.uow() as uow:
                block = uow.blocks.get(staff.business.id, request.path_params["id"])
            if block is None or not (
                staff.sees(block.resource_id) if block.resource_id else staff.is_admin
            ):
                raise PageError(404, "error.not_found")
            delete_block(hub.uow(), staff.business.id, block.id, by=staff.by, now=hub.now())

        await run_in_threadpool(remove)
        return RedirectResponse("/console/blocks", status_code=303)

    return [
        Route("/blocks", staff_only(pages, blocks_page), methods=["GET"], name="blocks"),
        Route("/blocks", staff_only(pages, add_block), methods=["POST"]),
        Route("/blocks/{id}/delete", staff_only(pages, remove_block), methods=["POST"]),
    ]


def block_span(form: dict[str, str], staff: Staff) -> tuple[datetime, datetime] | None:
    """From/to dates with optional times: whole days when no times are given."""
    first = catalogue.parse_day(form.get("from_date"))
    last = catalogue.parse_day(form.get("to_date")) or first
    if first is None or last is None or last < first:
        return None
    tz = staff.business.tz
    opens, closes = parse_time(form.get("from_time", "")), parse_time(form.get("to_time", ""))
    start = datetime.combine(first, opens or time(0), tz)
    end_day: date = last if closes else last + timedelta(days=1)
    end = datetime.combine(end_day, closes or time(0), tz)
    return (start, end) if end > start else None
