"""Console: what clients wrote on the business's WhatsApp number that a person has to read —
anything but a clear CANCELAR / CONFIRMAR, or an answer the business's rules refused (a
cancellation too late, say), with why it was left. Any staff member of the business sees
them and marks one done once answered; other businesses' messages are not there (404).

The messages are logged by the WhatsApp webhook (``connectors.notify.web``); this page only
reads them and records who dealt with them. Below them, the WhatsApp messages of the
business that did not reach the client, with WhatsApp's reason (written by its status
webhooks) and what it means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.console_auth import Staff, staff_only
from booking_pages.web import PageError, Pages, phone_text, read_form
from connectors.notify import inbound
from hub.persistence.models import CustomerRow
from scheduler import message_status

# WhatsApp error codes the page explains in the business's words
# (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/).
_EXPLAINED = (131047, 131026, 132001, 132000)


@dataclass(frozen=True, slots=True)
class Waiting:
    """One message waiting for a person, with who sent it."""

    id: str
    received_at: datetime
    sender: str  # the customer's name, else the WhatsApp profile name, else the number
    number: str
    text: str
    why: str
    booking_id: str | None


def number_of(sender: str) -> str:
    """The sender's number as people write it ("+54 9 11 …"), whether or not it came
    with its "+" (WhatsApp sends digits only; stored numbers may have it)."""
    return phone_text("+" + sender.lstrip("+"))


def waiting(pages: Pages, business_id: str) -> list[Waiting]:
    with pages.hub.database.sessions() as session:
        found = inbound.for_operator(session, business_id)
        ids = sorted({m.customer_id for m in found if m.customer_id})
        names = dict(
            session.execute(
                select(CustomerRow.id, CustomerRow.name).where(
                    CustomerRow.id.in_(ids), CustomerRow.business_id == business_id
                )
            ).all()
        )
    return [
        Waiting(
            id=m.id,
            received_at=m.received_at,
            sender=names.get(m.customer_id or "") or m.profile_name or number_of(m.from_number),
            number=number_of(m.from_number),
            text=m.text or "",
            why=m.note,
            booking_id=m.booking_id,
        )
        for m in found
    ]


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    def undelivered(business_id: str) -> list[dict[str, object]]:
        with hub.database.sessions() as session:
            found = message_status.failed_whatsapp(session, business_id, limit=20)
        return [
            {
                "at": f.at,
                "kind": f.kind,
                "recipient": f.recipient,
                "error": f.error,
                "booking_id": f.booking_id,
                "hint": next(
                    (f"messages.reason.{c}" for c in _EXPLAINED if f"(#{c})" in f.error), ""
                ),
            }
            for f in found
        ]

    async def show(request: Request, staff: Staff) -> Response:
        found = await run_in_threadpool(waiting, pages, staff.business.id)
        failed = await run_in_threadpool(undelivered, staff.business.id)
        context = {
            "staff": staff,
            "messages": found,
            "failed": failed,
            "done": "done" in request.query_params,
        }
        return pages.render(request, "console/messages.html", context, t=staff.t)

    async def handled(request: Request, staff: Staff) -> Response:
        await read_form(request)
        message_id = request.path_params["message_id"]

        def mark() -> bool:
            with hub.database.sessions.begin() as session:
                return inbound.mark_handled(session, staff.business.id, message_id, hub.now())

        if not await run_in_threadpool(mark):
            raise PageError(404, "error.not_found")
        return RedirectResponse("/console/messages?done=1", status_code=303)

    return [
        Route("/messages", staff_only(pages, show), methods=["GET"], name="console-messages"),
        Route("/messages/{message_id}/handled", staff_only(pages, handled), methods=["POST"]),
    ]
