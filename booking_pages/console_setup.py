"""Console setup screens: the business's settings and booking rules, staff users (add,
remove), API keys (admins), and each staff member's calendar-app passwords with the CalDAV
address to use them, and the read-only feed links of the resources they are linked to.
Secrets (app passwords, API keys) are shown once, on the page that created them, and never
again.

Each form calls one use case in ``hub.services.setup``, ``accounts`` or ``feeds``.
Resources, groups, weekly hours and date exceptions are in ``console_resources``; branches in
``console_branches``; services in ``console_services``.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages import console_passwords
from booking_pages.console_auth import Staff, staff_only
from booking_pages.console_services import parse_money
from booking_pages.web import PageError, Pages, read_form
from hub.domain.accounts import Role
from hub.domain.errors import ConflictError, DomainError, NotFoundError, ValidationError
from hub.services import accounts, business_settings, feeds

# The zones a business in the seeds' region picks from first; any IANA name can be typed.
TIMEZONES = (
    "America/Argentina/Buenos_Aires",
    "America/Argentina/Cordoba",
    "America/Argentina/Mendoza",
    "America/Montevideo",
    "America/Santiago",
    "America/Asuncion",
    "America/Sao_Paulo",
    "America/Bogota",
    "America/Lima",
    "America/Mexico_City",
    "America/New_York",
    "Europe/Madrid",
    "UTC",
)
POLICY_NUMBERS = (
    "min_notice_minutes",
    "horizon_days",
    "hold_minutes",
    "client_cancel_until_hours",
    "client_reschedule_until_hours",
    "max_reschedules",
)


def _deposit(form: dict[str, str]) -> tuple[str, int] | None:
    """The business's deposit as the settings form gives it (a fixed one in currency units)."""
    kind = form.get("deposit_kind")
    if kind is None:
        return None
    if kind == "fixed":
        return kind, parse_money(form.get("deposit_value", ""), "deposit")
    if kind == "percent":
        return kind, int(form.get("deposit_value", "") or "0")
    return kind, 0


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    def page(
        request: Request, staff: Staff, template: str, status: int = 200, **context: Any
    ) -> Response:
        return pages.render(
            request,
            f"console/{template}",
            {"staff": staff, "problem": None, "secret": None, **context},
            t=staff.t,
            status=status,
        )

    def problem_of(staff: Staff, exc: DomainError) -> str:
        if isinstance(exc, ValidationError):
            return staff.t("console.refused.validation_error") + f" ({exc.message})"
        return staff.t(f"console.refused.{exc.code}")

    # -- calendar app passwords (every staff member, for themselves) --------------------

    def own_feeds(staff: Staff) -> list[tuple[Any, str | None]]:
        """The feed links of the resources this staff member may see (an employee's own
        resources; every resource for an admin)."""
        found = []
        for resource in staff.resources:
            link = feeds.feed_link(hub.uow(), staff.user, resource.id)
            url = hub.settings.base_url + feeds.feed_path(link.token) if link else None
            found.append((resource, url))
        return found

    async def calendar_app(request: Request, staff: Staff, secret: str | None = None) -> Response:
        found = await run_in_threadpool(
            accounts.list_app_passwords, hub.accounts_uow(), staff.user.id
        )
        return page(
            request,
            staff,
            "calendar_app.html",
            passwords=found,
            secret=secret,
            dav_url=f"{hub.settings.base_url}/dav/",
            discovery_url=f"{hub.settings.base_url}/.well-known/caldav",
            feed_rows=await run_in_threadpool(own_feeds, staff),
            revoked=request.query_params.get("revoked"),
        )

    async def issue_own_feed(request: Request, staff: Staff) -> Response:
        await read_form(request)
        resource_id = request.path_params["id"]
        if resource_id not in {r.id for r in staff.resources}:
            raise PageError(404, "error.not_found")
        try:
            await run_in_threadpool(
                feeds.issue_feed_link, hub.uow(), staff.user, resource_id, hub.now()
            )
        except DomainError as exc:
            raise PageError(404, "error.not_found") from exc
        return RedirectResponse(f"/console/calendar-app#feed-{resource_id}", status_code=303)

    async def revoke_own_feed(request: Request, staff: Staff) -> Response:
        """End a resource's feed link from this screen (business admins only, as anywhere)."""
        await read_form(request)
        resource_id = request.path_params["id"]
        if resource_id not in {r.id for r in staff.resources}:
            raise PageError(404, "error.not_found")
        try:
            await run_in_threadpool(
                feeds.revoke_feed_link, hub.uow(), staff.user, resource_id, hub.now()
            )
        except DomainError as exc:
            raise PageError(404, "error.not_found") from exc
        return RedirectResponse("/console/calendar-app?revoked=1", status_code=303)

    async def new_app_password(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        label = form.get("label", "").strip()[:80] or staff.t("console.device")
        raw = await run_in_threadpool(
            accounts.create_app_password, hub.accounts_uow(), staff.user.id, hub.now(), label
        )
        return await calendar_app(request, staff, secret=raw)

    async def revoke_app_password(request: Request, staff: Staff) -> Response:
        await read_form(request)
        try:
            await run_in_threadpool(
                accounts.revoke_app_password,
                hub.accounts_uow(),
                staff.user.id,
                request.path_params["id"],
            )
        except DomainError as exc:
            raise PageError(404, "error.not_found") from exc
        return RedirectResponse("/console/calendar-app", status_code=303)

    # -- API keys (admins) --------------------------------------------------------------

    async def api_keys(request: Request, staff: Staff, secret: str | None = None) -> Response:
        keys = await run_in_threadpool(
            accounts.list_api_keys, hub.accounts_uow(), staff.business.id
        )
        return page(
            request,
            staff,
            "api_keys.html",
            keys=keys,
            secret=secret,
            api_url=f"{hub.settings.base_url}/api/v1",
        )

    async def new_api_key(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        name = form.get("name", "").strip()[:80] or "API"
        _, raw = await run_in_threadpool(
            accounts.create_api_key, hub.accounts_uow(), staff.business.id, name, hub.now()
        )
        return await api_keys(request, staff, secret=raw)

    async def revoke_api_key(request: Request, staff: Staff) -> Response:
        await read_form(request)
        try:
            await run_in_threadpool(
                accounts.revoke_api_key,
                hub.accounts_uow(),
                staff.business.id,
                request.path_params["id"],
                hub.now(),
            )
        except DomainError as exc:
            raise PageError(404, "error.not_found") from exc
        return RedirectResponse("/console/api-keys", status_code=303)

    # -- staff (admins) -----------------------------------------------------------------

    async def staff_page(
        request: Request, staff: Staff, problem: str | None = None, status: int = 200
    ) -> Response:
        users = await run_in_threadpool(accounts.list_users, hub.accounts_uow(), staff.business.id)
        names = {r.id: r.name for r in staff.resources}
        return page(
            request,
            staff,
            "staff.html",
            status=status,
            users=users,
            names=names,
            problem=problem,
            removed=request.query_params.get("removed"),
            invited=request.query_params.get("invited"),
            changed=request.query_params.get("changed"),
        )

    async def new_staff(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        role = Role.BUSINESS_ADMIN if form.get("role") == "business_admin" else Role.EMPLOYEE
        resource = form.get("resource", "")
        resource_ids = (resource,) if staff.sees(resource) and resource else ()
        try:
            if not form.get("password"):  # no password typed: they get an invitation
                await run_in_threadpool(console_passwords.invite, hub, staff, form, resource_ids)
                return RedirectResponse("/console/staff?invited=1", status_code=303)
            await run_in_threadpool(
                lambda: accounts.create_user(
                    hub.accounts_uow(),
                    business_id=staff.business.id,
                    email=form.get("email", ""),
                    role=role,
                    now=hub.now(),
                    password=form.get("password", ""),
                    name=form.get("name", "").strip()[:80],
                    resource_ids=resource_ids,
                )
            )
        except DomainError as exc:
            return await staff_page(request, staff, problem_of(staff, exc), 422)
        return RedirectResponse("/console/staff", status_code=303)

    async def change_staff(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        role = Role.BUSINESS_ADMIN if form.get("role") == "business_admin" else Role.EMPLOYEE
        wanted = [k[len("resource:") :] for k in form if k.startswith("resource:")]
        try:
            await run_in_threadpool(
                lambda: accounts.change_staff(
                    hub.accounts_uow(),
                    staff.business.id,
                    request.path_params["id"],
                    role=role,
                    resource_ids=wanted,
                    known_resources=[r.id for r in staff.resources],
                    by=staff.user.id,
                    now=hub.now(),
                )
            )
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc
        except DomainError as exc:
            return await staff_page(request, staff, problem_of(staff, exc), 422)
        return RedirectResponse("/console/staff?changed=1", status_code=303)

    async def remove_staff(request: Request, staff: Staff) -> Response:
        await read_form(request)
        try:
            await run_in_threadpool(
                lambda: accounts.deactivate_user(
                    hub.accounts_uow(),
                    staff.business.id,
                    request.path_params["id"],
                    by=staff.user.id,
                    now=hub.now(),
                )
            )
        except DomainError as exc:
            raise PageError(404, "error.not_found") from exc
        return RedirectResponse("/console/staff?removed=1", status_code=303)

    # -- settings: the business and its booking rules (admins) ---------------------------

    async def settings_page(
        request: Request,
        staff: Staff,
        problem: str | None = None,
        status: int = 200,
        *,
        form: dict[str, str] | None = None,
        upcoming: int = 0,
    ) -> Response:
        return page(
            request,
            staff,
            "settings.html",
            status=status,
            b=staff.business,
            policy=staff.business.policy,
            problem=problem,
            done=request.query_params.get("done"),
            form=form,
            upcoming=upcoming,
            timezones=TIMEZONES,
        )

    async def save_settings(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        try:
            rules: dict[str, Any] = {k: int(form.get(k, "0") or 0) for k in POLICY_NUMBERS}
        except ValueError:
            return await settings_page(
                request, staff, staff.t("console.refused.validation_error"), 422, form=form
            )
        step = form.get("slot_step_minutes", "").strip()
        rules["slot_step_minutes"] = int(step) if step.isdigit() and int(step) > 0 else None
        grace = form.get("no_show_after_minutes", "").strip()
        if grace and not grace.isdigit():
            return await settings_page(
                request, staff, staff.t("console.refused.validation_error"), 422, form=form
            )
        rules["no_show_after_minutes"] = int(grace) if grace and int(grace) > 0 else None
        rules["requires_confirmation"] = form.get("requires_confirmation") == "1"
        try:
            deposit = _deposit(form)
            refund = int(form.get("refund_hours", "") or staff.business.refund.full_refund_hours)
        except (ValueError, ValidationError):
            return await settings_page(
                request, staff, staff.t("console.refused.validation_error"), 422, form=form
            )
        change = business_settings.SettingsChange(
            name=form.get("name", ""),
            whatsapp_contact=form.get("whatsapp_contact", ""),
            language=form.get("language", staff.business.language),
            timezone=form.get("timezone", staff.business.timezone),
            currency=form.get("currency", staff.business.currency),
            rules=rules,
            deposit=deposit,
            refund_hours=refund,
        )
        try:
            await run_in_threadpool(
                lambda: business_settings.change_settings(
                    hub.uow(),
                    staff.business.id,
                    change,
                    confirm=form.get("confirm") == "1",
                    by=staff.by,
                    now=hub.now(),
                )
            )
        except ConflictError as exc:
            upcoming = int(exc.details.get("upcoming", 0))
            problem = staff.t("console.settings.confirm_change", n=upcoming)
            return await settings_page(request, staff, problem, 409, form=form, upcoming=upcoming)
        except DomainError as exc:
            return await settings_page(request, staff, problem_of(staff, exc), 422, form=form)
        return RedirectResponse("/console/settings?done=1", status_code=303)

    def admin(handler: Any) -> Any:
        return staff_only(pages, handler, admin=True)

    return [
        Route("/calendar-app", staff_only(pages, calendar_app), methods=["GET"]),
        Route("/calendar-app", staff_only(pages, new_app_password), methods=["POST"]),
        Route(
            "/calendar-app/{id}/revoke", staff_only(pages, revoke_app_password), methods=["POST"]
        ),
        Route("/calendar-app/feeds/{id}", staff_only(pages, issue_own_feed), methods=["POST"]),
        Route(
            "/calendar-app/feeds/{id}/revoke",
            staff_only(pages, revoke_own_feed),
            methods=["POST"],
        ),
        Route("/api-keys", admin(api_keys), methods=["GET"]),
        Route("/api-keys", admin(new_api_key), methods=["POST"]),
        Route("/api-keys/{id}/revoke", admin(revoke_api_key), methods=["POST"]),
        Route("/staff", admin(staff_page), methods=["GET"]),
        Route("/staff", admin(new_staff), methods=["POST"]),
        Route("/staff/{id}", admin(change_staff), methods=["POST"]),
        Route("/staff/{id}/remove", admin(remove_staff), methods=["POST"]),
        Route("/settings", admin(settings_page), methods=["GET"]),
        Route("/settings", admin(save_settings), methods=["POST"]),
    ]
