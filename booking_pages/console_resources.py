"""Console setup of what can be booked (admins): resources (create; name, capacity, colour;
deactivate), their weekly hours and date exceptions (closed ranges such as holidays and
vacations, or extra opening on some dates), each one's read-only feed link (create, copy,
revoke; ``hub.services.feeds``), and resource groups with their members.

Each form calls one use case in ``hub.services.setup``; refused input is shown on the page
with a 422 and changes nothing. Services, staff and booking rules are in ``console_setup``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages import catalogue
from booking_pages.console_auth import Staff, staff_only
from booking_pages.web import PageError, Pages, read_form
from hub.domain.errors import DomainError, NotFoundError, ValidationError
from hub.domain.model import DateException, Resource, ResourceGroup, WeeklyInterval
from hub.services import feeds, resource_setup, setup

COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
MAX_CAPACITY = 1000


def parse_intervals(text: str) -> list[tuple[time, time]]:
    """ "09:00-13:00, 14:00-18:00" → (start, end) pairs (empty text: none)."""
    found = []
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        opens, sep, closes = part.strip().partition("-")
        if not sep:
            raise ValidationError(f"cannot read hours {part!r}", field="hours")
        try:
            found.append((time.fromisoformat(opens.strip()), time.fromisoformat(closes.strip())))
        except ValueError as exc:
            raise ValidationError(f"cannot read hours {part!r}", field="hours") from exc
    return found


def parse_hours(text: str, weekday: int) -> list[WeeklyInterval]:
    """Weekly hours of one day (empty text: closed)."""
    return [WeeklyInterval(weekday, start, end) for start, end in parse_intervals(text)]


def hours_text(intervals: Any, weekday: int) -> str:
    return ", ".join(f"{w.start:%H:%M}-{w.end:%H:%M}" for w in intervals if w.weekday == weekday)


def parse_capacity(text: str) -> int:
    try:
        capacity = int(text.strip() or "1")
    except ValueError as exc:
        raise ValidationError("capacity must be a whole number", field="capacity") from exc
    if not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationError("capacity must be between 1 and 1000", field="capacity")
    return capacity


def parse_colour(text: str, default: str) -> str:
    if not text.strip():
        return default
    if not COLOUR.fullmatch(text.strip()):
        raise ValidationError("a colour looks like #3a87ad", field="color")
    return text.strip().lower()


def parse_exception(form: dict[str, str]) -> DateException:
    first = catalogue.parse_day(form.get("from_date"))
    last = catalogue.parse_day(form.get("to_date")) or first
    if first is None or last is None:
        raise ValidationError("pick the dates", field="from_date")
    intervals = parse_intervals(form.get("hours", "")) if form.get("kind") == "open" else []
    if form.get("kind") == "open" and not intervals:
        raise ValidationError("say the opening hours of those dates", field="hours")
    return DateException(first, last, tuple(intervals), reason=form.get("reason", "")[:200])


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    def problem_of(staff: Staff, exc: DomainError) -> str:
        if isinstance(exc, ValidationError):
            return staff.t("console.refused.validation_error") + f" ({exc.message})"
        return staff.t(f"console.refused.{exc.code}")

    async def resources_page(
        request: Request, staff: Staff, problem: str | None = None, status: int = 200
    ) -> Response:
        def gather() -> dict[str, Any]:
            resources = setup.list_resources(hub.uow(), staff.business.id)
            links = {r.id: feeds.feed_link(hub.uow(), staff.user, r.id) for r in resources}
            return {
                "rows": [(r, [hours_text(r.weekly, d) for d in range(7)]) for r in resources],
                "groups": setup.list_groups(hub.uow(), staff.business.id),
                "names": {r.id: r.name for r in resources},
                "feed_urls": {
                    rid: hub.settings.base_url + feeds.feed_path(link.token)
                    for rid, link in links.items()
                    if link is not None
                },
            }

        context = await run_in_threadpool(gather)
        return pages.render(
            request,
            "console/resources.html",
            {
                "staff": staff,
                "problem": problem,
                "secret": None,
                "done": request.query_params.get("done"),
                "revoked": request.query_params.get("revoked"),
                **context,
            },
            t=staff.t,
            status=status,
        )

    def resource_of(staff: Staff, resource_id: str) -> Resource:
        try:
            return setup.get_resource(hub.uow(), staff.business.id, resource_id)
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc

    async def refused(request: Request, staff: Staff, exc: DomainError) -> Response:
        return await resources_page(request, staff, problem_of(staff, exc), 422)

    def saved() -> Response:
        return RedirectResponse("/console/resources?done=1", status_code=303)

    async def new_resource(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        branches = setup.list_branches(hub.uow(), staff.business.id)
        try:
            resource = Resource(
                staff.business.id,
                form.get("name", "").strip()[:120],
                capacity=parse_capacity(form.get("capacity", "")),
                color=parse_colour(form.get("color", ""), "#3a87ad"),
                branch_ids=tuple(b.id for b in branches[:1]),
            )
            await run_in_threadpool(
                resource_setup.save_resource, hub.uow(), resource, by=staff.by, now=hub.now()
            )
        except DomainError as exc:
            return await refused(request, staff, exc)
        return saved()

    async def edit_resource(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        current = await run_in_threadpool(resource_of, staff, request.path_params["id"])
        try:
            changed = replace(
                current,
                name=form.get("name", "").strip()[:120],
                capacity=parse_capacity(form.get("capacity", "")),
                color=parse_colour(form.get("color", ""), current.color),
            )
            await run_in_threadpool(
                resource_setup.save_resource, hub.uow(), changed, by=staff.by, now=hub.now()
            )
        except DomainError as exc:
            return await refused(request, staff, exc)
        return saved()

    async def deactivate(request: Request, staff: Staff) -> Response:
        await read_form(request)
        resource = await run_in_threadpool(resource_of, staff, request.path_params["id"])
        await run_in_threadpool(
            lambda: resource_setup.deactivate_resource(
                hub.uow(), staff.business.id, resource.id, by=staff.by, now=hub.now()
            )
        )
        return saved()

    async def save_hours(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        resource = await run_in_threadpool(resource_of, staff, request.path_params["id"])
        try:
            weekly = [w for d in range(7) for w in parse_hours(form.get(f"day{d}", ""), d)]
            await run_in_threadpool(
                lambda: resource_setup.set_weekly_rules(
                    hub.uow(), staff.business.id, resource.id, weekly, by=staff.by, now=hub.now()
                )
            )
        except DomainError as exc:
            return await refused(request, staff, exc)
        return saved()

    async def add_exception(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        resource = await run_in_threadpool(resource_of, staff, request.path_params["id"])
        try:
            exception = parse_exception(form)
            await run_in_threadpool(
                lambda: resource_setup.add_exception(
                    hub.uow(), staff.business.id, resource.id, exception, by=staff.by, now=hub.now()
                )
            )
        except DomainError as exc:
            return await refused(request, staff, exc)
        return saved()

    async def remove_exception(request: Request, staff: Staff) -> Response:
        await read_form(request)
        resource = await run_in_threadpool(resource_of, staff, request.path_params["id"])
        try:
            await run_in_threadpool(
                lambda: resource_setup.remove_exception(
                    hub.uow(),
                    staff.business.id,
                    resource.id,
                    request.path_params["exception"],
                    by=staff.by,
                    now=hub.now(),
                )
            )
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc
        return saved()

    async def issue_feed(request: Request, staff: Staff) -> Response:
        await read_form(request)
        resource = await run_in_threadpool(resource_of, staff, request.path_params["id"])
        await run_in_threadpool(
            feeds.issue_feed_link, hub.uow(), staff.user, resource.id, hub.now()
        )
        return RedirectResponse(f"/console/resources#feed-{resource.id}", status_code=303)

    async def revoke_feed(request: Request, staff: Staff) -> Response:
        await read_form(request)
        resource = await run_in_threadpool(resource_of, staff, request.path_params["id"])
        try:
            await run_in_threadpool(
                feeds.revoke_feed_link, hub.uow(), staff.user, resource.id, hub.now()
            )
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc
        return RedirectResponse("/console/resources?revoked=1", status_code=303)

    async def save_group(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        group_id = request.path_params.get("id")
        members = tuple(dict.fromkeys(k[len("member:") :] for k in form if k.startswith("member:")))
        name = form.get("name", "").strip()[:120]
        try:
            if not name:
                raise ValidationError("a group needs a name", field="name")
            if group_id is None:
                group = ResourceGroup(staff.business.id, name, members)
            else:
                groups = await run_in_threadpool(setup.list_groups, hub.uow(), staff.business.id)
                found = next((g for g in groups if g.id == group_id), None)
                if found is None:
                    raise PageError(404, "error.not_found")
                group = replace(found, name=name, resource_ids=members)
            await run_in_threadpool(
                resource_setup.save_group, hub.uow(), group, by=staff.by, now=hub.now()
            )
        except DomainError as exc:
            return await refused(request, staff, exc)
        return saved()

    def admin(handler: Any) -> Any:
        return staff_only(pages, handler, admin=True)

    return [
        Route("/resources", admin(resources_page), methods=["GET"]),
        Route("/resources", admin(new_resource), methods=["POST"]),
        Route("/resources/{id}", admin(edit_resource), methods=["POST"]),
        Route("/resources/{id}/deactivate", admin(deactivate), methods=["POST"]),
        Route("/resources/{id}/feed", admin(issue_feed), methods=["POST"]),
        Route("/resources/{id}/feed/revoke", admin(revoke_feed), methods=["POST"]),
        Route("/resources/{id}/hours", admin(save_hours), methods=["POST"]),
        Route("/resources/{id}/exceptions", admin(add_exception), methods=["POST"]),
        Route(
            "/resources/{id}/exceptions/{exception}/delete",
            admin(remove_exception),
            methods=["POST"],
        ),
        Route("/groups", admin(save_group), methods=["POST"]),
        Route("/groups/{id}", admin(save_group), methods=["POST"]),
    ]
