"""Console screens of the business's CRM webhooks (admins only): the subscriptions (create,
with the signing secret shown once; change URL, events, description and whether it is on;
delete; rotate the secret; send a test ping) and, per subscription, its delivery log with
every attempt (time, event, attempt, status code, latency, the first KB of the answer), with
replay of one delivery or of every failed one since a time.

Each form calls one function of ``connectors.crm_webhooks.subscriptions`` (or the ping of
``delivery``), the same ones the REST API calls; refused input is shown on the page with a
422 and changes nothing. Another business's webhook is a 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.console_auth import Staff, staff_only
from booking_pages.web import PageError, Pages, read_form
from connectors.crm_webhooks import store, subscriptions
from connectors.crm_webhooks.engine import Webhooks
from connectors.crm_webhooks.messages import EVENT_TYPES
from connectors.crm_webhooks.models import AttemptRow, DeliveryRow, SubscriptionRow
from connectors.crm_webhooks.subscriptions import SubscriptionChange
from hub.domain.errors import ConflictError, DomainError, NotFoundError, ValidationError

LOG_LIMIT = 50
FIELDS = ("url", "event_types", "since")


def change_of(form: dict[str, str]) -> SubscriptionChange:
    """The subscription form: URL, description, the ticked events (none: every event) and
    whether it is on."""
    return SubscriptionChange(
        url=form.get("url", "").strip(),
        event_types=[e for e in EVENT_TYPES if form.get(f"event:{e}")],
        description=form.get("description", "").strip()[:200],
        active=bool(form.get("active")),
    )


def parse_since(text: str, timezone: str) -> datetime:
    """A ``datetime-local`` value, read on the business's clock."""
    try:
        local = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationError("pick a date and time", field="since") from exc
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(timezone))
    return local


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    def errors_of(staff: Staff, exc: DomainError) -> tuple[str, dict[str, str]]:
        """The message at the top of the page and the one beside the field at fault."""
        if isinstance(exc, ValidationError):
            top = staff.t("console.refused.validation_error")
            if exc.field in FIELDS:
                return top, {
                    exc.field: f"{staff.t(f'webhooks.refused.{exc.field}')} ({exc.message})"
                }
            return f"{top} ({exc.message})", {}
        if isinstance(exc, ConflictError):
            return staff.t("webhooks.refused.disabled"), {}
        return staff.t(f"console.refused.{exc.code}"), {}

    def render(
        request: Request, staff: Staff, template: str, status: int = 200, **context: Any
    ) -> Response:
        base: dict[str, Any] = {
            "staff": staff,
            "problem": None,
            "secret": None,
            "errors": {},
            "values": None,
            "since": "",
        }
        return pages.render(
            request,
            f"console/{template}",
            {**base, "event_types": EVENT_TYPES, **context},
            t=staff.t,
            status=status,
        )

    def subscription_of(staff: Staff, sub_id: str) -> SubscriptionRow:
        try:
            return subscriptions.get(hub.database, staff.business.id, sub_id)
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc

    # -- the list, and a new subscription -------------------------------------------------

    async def list_page(
        request: Request, staff: Staff, status: int = 200, **context: Any
    ) -> Response:
        rows = await run_in_threadpool(subscriptions.list_all, hub.database, staff.business.id)
        deleted = request.query_params.get("deleted")
        return render(
            request, staff, "webhooks.html", status, rows=rows, deleted=deleted, **context
        )

    async def create(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        try:
            row = await run_in_threadpool(
                subscriptions.create,
                hub.database,
                hub.settings,
                staff.business.id,
                change_of(form),
                hub.now(),
            )
        except DomainError as exc:
            problem, errors = errors_of(staff, exc)
            return await list_page(request, staff, 422, problem=problem, errors=errors, values=form)
        # The secret is shown here, once; reloading the list does not show it again.
        return await list_page(request, staff, secret=row.secret, created=row.id)

    # -- one subscription: edit, delete, rotate, ping, its log and replays ------------------

    def gather(staff: Staff, sub_id: str) -> dict[str, Any]:
        with hub.database.sessions() as session:
            try:
                sub = store.get_subscription(session, staff.business.id, sub_id)
            except NotFoundError as exc:
                raise PageError(404, "error.not_found") from exc
            deliveries: list[DeliveryRow] = store.list_deliveries(session, sub.id, limit=LOG_LIMIT)
            attempts: dict[str, list[AttemptRow]] = store.attempts_of(
                session, [d.id for d in deliveries]
            )
        return {"sub": sub, "log": [(d, attempts[d.id]) for d in deliveries]}

    async def detail(request: Request, staff: Staff, status: int = 200, **context: Any) -> Response:
        found = await run_in_threadpool(gather, staff, request.path_params["id"])
        flash = {k: request.query_params.get(k) for k in ("done", "ping", "replayed")}
        return render(
            request, staff, "webhooks_detail.html", status, **found, flash=flash, **context
        )

    def back(sub_id: str, **query: str) -> Response:
        suffix = "&".join(f"{k}={v}" for k, v in query.items())
        return RedirectResponse(
            f"/console/webhooks/{sub_id}" + (f"?{suffix}" if suffix else ""), status_code=303
        )

    async def refused(request: Request, staff: Staff, exc: DomainError, **context: Any) -> Response:
        problem, errors = errors_of(staff, exc)
        status = 409 if isinstance(exc, ConflictError) else 422
        return await detail(request, staff, status, problem=problem, errors=errors, **context)

    async def update(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        sub = await run_in_threadpool(subscription_of, staff, request.path_params["id"])
        try:
            await run_in_threadpool(
                lambda: subscriptions.update(
                    hub.database,
                    hub.settings,
                    staff.business.id,
                    sub.id,
                    change_of(form),
                    now=hub.now(),
                )
            )
        except DomainError as exc:
            return await refused(request, staff, exc, values=form)
        return back(sub.id, done="1")

    async def delete(request: Request, staff: Staff) -> Response:
        await read_form(request)
        sub = await run_in_threadpool(subscription_of, staff, request.path_params["id"])
        await run_in_threadpool(subscriptions.delete, hub.database, staff.business.id, sub.id)
        return RedirectResponse("/console/webhooks?deleted=1", status_code=303)

    async def rotate(request: Request, staff: Staff) -> Response:
        await read_form(request)
        sub = await run_in_threadpool(subscription_of, staff, request.path_params["id"])
        row = await run_in_threadpool(
            subscriptions.rotate_secret, hub.database, staff.business.id, sub.id, hub.now()
        )
        return await detail(request, staff, secret=row.secret)

    def send_ping(business_id: str, sub_id: str) -> str:
        webhooks = Webhooks(hub.database, hub.settings, clock=hub.now)
        try:
            message_id = webhooks.ping(business_id, sub_id)
        finally:
            webhooks.close()
        with hub.database.sessions() as session:
            sub = store.get_subscription(session, business_id, sub_id)
            return store.get_delivery(session, sub, message_id).status

    async def ping(request: Request, staff: Staff) -> Response:
        await read_form(request)
        sub = await run_in_threadpool(subscription_of, staff, request.path_params["id"])
        status = await run_in_threadpool(send_ping, staff.business.id, sub.id)
        return back(sub.id, ping=status)

    async def replay_one(request: Request, staff: Staff) -> Response:
        await read_form(request)
        sub = await run_in_threadpool(subscription_of, staff, request.path_params["id"])
        try:
            ids = await run_in_threadpool(
                lambda: subscriptions.replay(
                    hub.database,
                    staff.business.id,
                    sub.id,
                    hub.now(),
                    delivery_ids=[request.path_params["delivery_id"]],
                )
            )
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc
        except DomainError as exc:
            return await refused(request, staff, exc)
        return back(sub.id, replayed=str(len(ids)))

    async def replay_failed(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        sub = await run_in_threadpool(subscription_of, staff, request.path_params["id"])
        try:
            since = parse_since(form.get("since", ""), staff.business.timezone)
            ids = await run_in_threadpool(
                lambda: subscriptions.replay(
                    hub.database, staff.business.id, sub.id, hub.now(), failed_since=since
                )
            )
        except DomainError as exc:
            return await refused(request, staff, exc, since=form.get("since", ""))
        return back(sub.id, replayed=str(len(ids)))

    def admin(handler: Any) -> Any:
        return staff_only(pages, handler, admin=True)

    return [
        Route("/webhooks", admin(list_page), methods=["GET"]),
        Route("/webhooks", admin(create), methods=["POST"]),
        Route("/webhooks/{id}", admin(detail), methods=["GET"]),
        Route("/webhooks/{id}", admin(update), methods=["POST"]),
        Route("/webhooks/{id}/delete", admin(delete), methods=["POST"]),
        Route("/webhooks/{id}/rotate", admin(rotate), methods=["POST"]),
        Route("/webhooks/{id}/test", admin(ping), methods=["POST"]),
        Route("/webhooks/{id}/replay", admin(replay_failed), methods=["POST"]),
        Route(
            "/webhooks/{id}/deliveries/{delivery_id}/replay",
            admin(replay_one),
            methods=["POST"],
        ),
    ]
