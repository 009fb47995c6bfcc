"""Console: the background work as a business admin sees it — the queue (tasks waiting, the
last run of each periodic task, from ``scheduler.status.queue_status``), this business's
deliveries (pending, failed, done, and the latest failures with their error), and the emails
written to the mail folder when no SMTP server is configured (read-only).

Everything here is scoped to the admin's business except the queue-wide facts, which name no
business. A booking's own notification log is on its page (``console_agenda``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages import mailbox
from booking_pages.console_auth import Staff, staff_only
from booking_pages.web import PageError, Pages, read_form
from hub.process import Hub
from scheduler.deliveries import MESSAGE_CONSUMERS, dismiss_failed, retry_failed
from scheduler.models import DeliveryRow
from scheduler.status import FailedDelivery, QueueStatus, queue_status

RECENT_FAILURES = 20


@dataclass(frozen=True, slots=True)
class Deliveries:
    """One business's delivery records."""

    pending: int
    failed: int
    done: int
    recent_failures: tuple[FailedDelivery, ...]


def business_deliveries(hub: Hub, business_id: str) -> Deliveries:
    with hub.database.sessions() as session:
        rows = session.execute(
            select(DeliveryRow.status, func.count())
            .where(DeliveryRow.business_id == business_id)
            .group_by(DeliveryRow.status)
        ).all()
        counts: dict[str, int] = {str(status): int(count) for status, count in rows}
        failures = session.scalars(
            select(DeliveryRow)
            .where(DeliveryRow.business_id == business_id, DeliveryRow.status == "failed")
            .order_by(DeliveryRow.finished_at.desc(), DeliveryRow.id)
            .limit(RECENT_FAILURES)
        )
        recent = tuple(
            FailedDelivery(
                f.consumer,
                f.event_type,
                f.aggregate_id,
                f.attempts,
                f.last_error,
                f.finished_at,
                f.id,
            )
            for f in failures
        )
    return Deliveries(
        counts.get("pending", 0), counts.get("failed", 0), counts.get("done", 0), recent
    )


def read_queue(hub: Hub) -> QueueStatus | None:
    """The queue-wide status, or ``None`` when the queue cannot be read right now."""
    try:
        return queue_status(hub.settings)
    except Exception:  # a queue that is down is shown as such; the page must still answer
        return None


def business_mail(hub: Hub, business_id: str) -> list[mailbox.MailSummary]:
    """The mail folder's messages about this business's bookings."""
    found = mailbox.list_mail(hub.settings.mail_dir)
    with hub.uow() as uow:
        ours = {
            m.booking_id
            for m in found
            if m.booking_id and uow.bookings.get(business_id, m.booking_id) is not None
        }
    return [m for m in found if m.booking_id in ours]


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    async def background(request: Request, staff: Staff) -> Response:
        def gather() -> dict[str, Any]:
            return {
                "queue": read_queue(hub),
                "deliveries": business_deliveries(hub, staff.business.id),
                "mail": business_mail(hub, staff.business.id),
                "smtp": hub.settings.smtp_host is not None,
            }

        context = await run_in_threadpool(gather)
        context["done"] = request.query_params.get("done")
        context["settleable"] = MESSAGE_CONSUMERS
        return pages.render(
            request, "console/background.html", {"staff": staff, **context}, t=staff.t
        )

    async def mail(request: Request, staff: Staff) -> Response:
        def find() -> mailbox.MailText:
            found = mailbox.read_mail(hub.settings.mail_dir, request.path_params["name"])
            if found is None or not found.summary.booking_id:
                raise PageError(404, "error.not_found")
            with hub.uow() as uow:
                booking = uow.bookings.get(staff.business.id, found.summary.booking_id)
            if booking is None:
                raise PageError(404, "error.not_found")
            return found

        message = await run_in_threadpool(find)
        return pages.render(
            request, "console/mail.html", {"staff": staff, "message": message}, t=staff.t
        )

    async def settle(request: Request, staff: Staff) -> Response:
        await read_form(request)
        action = request.path_params["action"]
        chosen = {"retry": retry_failed, "dismiss": dismiss_failed}.get(action)
        if chosen is None:
            raise PageError(404, "error.not_found")

        def apply() -> bool:
            with hub.database.sessions() as session:
                changed = chosen(session, staff.business.id, request.path_params["id"], hub.now())
                session.commit()
            return changed

        if not await run_in_threadpool(apply):
            raise PageError(404, "error.not_found")
        return RedirectResponse(f"/console/background?done={action}", status_code=303)

    return [
        Route("/background", staff_only(pages, background, admin=True), methods=["GET"]),
        Route(
            "/background/deliveries/{id}/{action}",
            staff_only(pages, settle, admin=True),
            methods=["POST"],
        ),
        Route("/mail/{name}", staff_only(pages, mail, admin=True), methods=["GET"]),
    ]
