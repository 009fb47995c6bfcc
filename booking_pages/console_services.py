"""Console setup of services (admins): create and edit every field a service has — name,
description, duration, price and pricing strategy (fixed, per resource, per person, with the
most people one booking may bring, and each resource's price when it is per resource),
buffers, deposit rule (the business's, none, a percentage
or a fixed amount), which resources and groups do it, at the client's address, video meeting —
and take one off the offer or back.

Each form calls ``hub.services.setup.save_service``; the domain validates, and refused input is
shown on the page with a 422, keeping what was typed, and changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.console_auth import Staff, staff_only
from booking_pages.web import PageError, Pages, read_form
from hub.domain.errors import DomainError, NotFoundError, ValidationError
from hub.domain.model import Business, PricingStrategy, Service
from hub.domain.policies import DepositKind, DepositRule
from hub.services import setup

MAX_MINUTES = 24 * 60


def parse_money(text: str, field: str) -> int:
    """ "3500,50" or "3500.50" (units of the currency) → minor units."""
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        value = round(float(cleaned or "0") * 100)
    except ValueError as exc:
        raise ValidationError(f"{field} must be an amount such as 3500,50", field=field) from exc
    if not 0 <= value <= 10**12:
        raise ValidationError(f"{field} is out of range", field=field)
    return value


def parse_whole(text: str, field: str, low: int, high: int, default: int = 0) -> int:
    try:
        value = int(text.strip()) if text.strip() else default
    except ValueError as exc:
        raise ValidationError(f"{field} must be a whole number", field=field) from exc
    if not low <= value <= high:
        raise ValidationError(f"{field} must be between {low} and {high}", field=field)
    return value


def parse_deposit(form: dict[str, str], business: Business) -> DepositRule | None:
    kind = form.get("deposit_kind", "default")
    if kind == "default":
        return None
    if kind == "none":
        return DepositRule()
    provider = business.deposit.provider
    if kind == "percent":
        value = parse_whole(form.get("deposit_value", ""), "deposit", 1, 100)
        return DepositRule(DepositKind.PERCENT, value, provider)
    if kind == "fixed":
        value = parse_money(form.get("deposit_value", ""), "deposit")
        return DepositRule(DepositKind.FIXED, value, provider)
    raise ValidationError("choose how the deposit is worked out", field="deposit")


def service_fields(form: dict[str, str], business: Business) -> dict[str, Any]:
    """A service as the form describes it (raises ValidationError on bad input)."""
    try:
        pricing = PricingStrategy(form.get("pricing", "fixed"))
    except ValueError as exc:
        raise ValidationError("choose how the price is worked out", field="pricing") from exc
    who = [k.partition(":")[2] for k in form if k.startswith("who:")]
    if form.get("who"):  # one choice from a list ("group:<id>" or "resource:<id>")
        who.append(form["who"])
    return {
        "name": form.get("name", "").strip()[:120],
        "description": form.get("description", "").strip()[:1000],
        "duration_minutes": parse_whole(form.get("duration", ""), "duration", 1, MAX_MINUTES),
        "price_minor": parse_money(form.get("price", ""), "price"),
        "pricing": pricing,
        "max_persons": parse_whole(form.get("max_persons", ""), "max_persons", 1, 1000, 1),
        "buffer_before_minutes": parse_whole(
            form.get("buffer_before", ""), "buffer_before", 0, MAX_MINUTES
        ),
        "buffer_after_minutes": parse_whole(
            form.get("buffer_after", ""), "buffer_after", 0, MAX_MINUTES
        ),
        "deposit": parse_deposit(form, business),
        "at_client_address": form.get("at_client_address") == "1",
        "video_meeting": form.get("video_meeting") == "1",
        "group_ids": tuple(i.partition(":")[2] for i in who if i.startswith("group:")),
        "resource_ids": tuple(i.partition(":")[2] for i in who if i.startswith("resource:")),
    }


def resource_prices(form: dict[str, str]) -> dict[str, int | None]:
    """The price of each resource the form names (``rprice:<id>``) for services priced per
    resource; blank: the service's own price."""
    return {
        key.partition(":")[2]: parse_money(value, "resource_prices") if value.strip() else None
        for key, value in form.items()
        if key.startswith("rprice:")
    }


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    async def services_page(
        request: Request,
        staff: Staff,
        problem: str | None = None,
        status: int = 200,
        *,
        form: dict[str, str] | None = None,
        editing: str | None = None,
    ) -> Response:
        def gather() -> dict[str, Any]:
            return {
                "services": setup.list_services(hub.uow(), staff.business.id),
                "groups": setup.list_groups(hub.uow(), staff.business.id),
                "resources": [
                    r for r in setup.list_resources(hub.uow(), staff.business.id) if r.active
                ],
            }

        context = await run_in_threadpool(gather)
        return pages.render(
            request,
            "console/services.html",
            {
                "staff": staff,
                "problem": problem,
                "secret": None,
                "done": request.query_params.get("done"),
                "form": form,
                "editing": editing,
                "strategies": [p.value for p in PricingStrategy],
                **context,
            },
            t=staff.t,
            status=status,
        )

    def service_of(staff: Staff, service_id: str) -> Service:
        try:
            return setup.get_service(hub.uow(), staff.business.id, service_id)
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc

    def problem_of(staff: Staff, exc: DomainError) -> str:
        if isinstance(exc, ValidationError):
            return staff.t("console.refused.validation_error") + f" ({exc.message})"
        return staff.t(f"console.refused.{exc.code}")

    async def save(
        staff: Staff, service: Service, prices: dict[str, int | None] | None = None
    ) -> None:
        await run_in_threadpool(
            lambda: setup.save_service(
                hub.uow(), service, by=staff.by, now=hub.now(), resource_prices=prices
            )
        )

    def saved(service_id: str) -> Response:
        return RedirectResponse(f"/console/services?done=1#s-{service_id}", status_code=303)

    async def new_service(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        try:
            service = Service(staff.business.id, **service_fields(form, staff.business))
            await save(staff, service, resource_prices(form))
        except DomainError as exc:
            return await services_page(
                request, staff, problem_of(staff, exc), 422, form=form, editing="new"
            )
        return saved(service.id)

    async def edit_service(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        current = await run_in_threadpool(service_of, staff, request.path_params["id"])
        try:
            fields = service_fields(form, staff.business)
            await save(staff, replace(current, **fields), resource_prices(form))
        except DomainError as exc:
            return await services_page(
                request, staff, problem_of(staff, exc), 422, form=form, editing=current.id
            )
        return saved(current.id)

    async def set_active(request: Request, staff: Staff) -> Response:
        await read_form(request)
        current = await run_in_threadpool(service_of, staff, request.path_params["id"])
        await save(staff, replace(current, active=request.url.path.endswith("/restore")))
        return saved(current.id)

    def admin(handler: Any) -> Any:
        return staff_only(pages, handler, admin=True)

    return [
        Route("/services", admin(services_page), methods=["GET"]),
        Route("/services", admin(new_service), methods=["POST"]),
        Route("/services/{id}", admin(edit_service), methods=["POST"]),
        Route("/services/{id}/deactivate", admin(set_active), methods=["POST"]),
        Route("/services/{id}/restore", admin(set_active), methods=["POST"]),
    ]
