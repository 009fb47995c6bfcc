"""Starlette routes of the WhatsApp replies webhook, mounted by ``hub.app`` at
``/connectors/whatsapp``:

- ``GET /webhook``: Meta's subscription handshake (``hub.challenge`` echoed when
  ``hub.verify_token`` is ours), 403 otherwise.
- ``POST /webhook``: client messages. The ``X-Hub-Signature-256`` must be the app secret's
  HMAC of the raw body (else 403, nothing read). Each message is tied to the business owning
  the number it reached and to that business's customer with the sender's number; a
  CANCELAR (or cancel button) cancels their booking as the client — the cancel window
  applies — and the ``booking.cancelled`` event makes the scheduler confirm it back on
  WhatsApp; a CONFIRMAR records that the client will come; anything else, or an answer the
  rules refuse, is logged for the operator (``connectors.notify.inbound``). Unknown
  numbers change nothing and still get 200, since WhatsApp retries anything else.

No rule lives here: the use cases are ``hub.services.replies`` and ``booking_status``.
"""

from __future__ import annotations

import contextlib
import json
import logging
from datetime import datetime
from typing import cast

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from connectors.notify import inbound
from connectors.notify.whatsapp_webhook import (
    InboundMessage,
    Reply,
    ReplyIntent,
    WebhookVerificationError,
    classify_reply,
    parse_inbound,
    signature_valid,
    verify_subscription,
)
from hub.bootstrap import Hub
from hub.domain.errors import ConflictError, DomainError
from hub.domain.model import Business, Customer, new_id
from hub.persistence.uow import SqlUnitOfWork
from hub.services import replies
from hub.services.booking_status import cancel_booking
from hub.services.ports import UnitOfWork

log = logging.getLogger(__name__)

# Shown to the business on the booking, so in its language.
CANCEL_REASONS = {
    "es": "Cancelado por el cliente por WhatsApp",
    "en": "Cancelled by the client on WhatsApp",
}


def cancel_reason(business: Business) -> str:
    return CANCEL_REASONS.get(business.language.split("-")[0].lower(), CANCEL_REASONS["en"])


def _new_row(
    business: Business, customer: Customer, message: InboundMessage, reply: Reply, now: datetime
) -> inbound.InboundRow:
    return inbound.InboundRow(
        id=new_id(),
        business_id=business.id,
        message_id=message.message_id,
        from_number=message.from_number[:32],
        profile_name=message.profile_name,
        customer_id=customer.id,
        booking_id=None,
        type=message.type[:32],
        text=message.text,
        payload=(message.payload or None) and message.payload[:255],
        intent=reply.intent.value,
        outcome=inbound.FOR_OPERATOR,
        note="",
        needs_operator=True,
        received_at=message.at,
        created_at=now,
    )


class ReplyHandler:
    """Acts on one inbound message, in one transaction with its log row (so a retried
    webhook finds the row and never cancels a second booking)."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    def handle(self, message: InboundMessage) -> None:
        uow = self._hub.database.unit_of_work()
        port = cast(UnitOfWork, uow)
        business = replies.business_for_whatsapp_number(port, message.to_phone_number_id)
        if business is None:
            log.info("WhatsApp message to unknown number id %r", message.to_phone_number_id)
            return
        customer = replies.customer_by_phone(port, business, message.from_number)
        if customer is None:
            return  # not a customer of this business: nothing to act on or show
        with uow:
            if inbound.seen(uow.session, business.id, message.message_id):
                return
            reply = classify_reply(message)
            row = _new_row(business, customer, message, reply, self._hub.now())
            try:
                self._act(uow, business, customer, reply, row)
            except DomainError as exc:
                uow.rollback()
                row.outcome, row.needs_operator, row.note = inbound.FOR_OPERATOR, True, str(exc)
            uow.session.add(row)
            # The same message delivered twice at once: the other delivery logged it.
            with contextlib.suppress(ConflictError):
                uow.commit()

    def _act(
        self,
        uow: SqlUnitOfWork,
        business: Business,
        customer: Customer,
        reply: Reply,
        row: inbound.InboundRow,
    ) -> None:
        """Fill ``row`` with what was done; the booking change commits it with the row."""
        if reply.intent is ReplyIntent.OTHER:
            return
        port = cast(UnitOfWork, uow)
        now = self._hub.now()
        target = replies.reply_target(
            port,
            business,
            customer,
            now=now,
            booking_id=reply.booking_id,
            only_if_single=reply.intent is ReplyIntent.CANCEL,
        )
        if target.booking is None:
            row.note = target.reason
            return
        booking = target.booking
        row.booking_id = booking.id
        row.needs_operator = False
        uow.session.add(row)
        if reply.intent is ReplyIntent.CANCEL:
            row.outcome = inbound.CANCELLED
            cancel_booking(
                port,
                business.id,
                booking.id,
                by=replies.CLIENT_WHATSAPP,
                now=now,
                reason=cancel_reason(business),
                expected_version=booking.version,
            )
        else:
            row.outcome = inbound.CONFIRMED
            replies.record_client_confirmation(
                port, business.id, booking.id, by=replies.CLIENT_WHATSAPP, now=now
            )


def routes(hub: Hub) -> list[BaseRoute]:
    handler = ReplyHandler(hub)

    async def challenge(request: Request) -> Response:
        try:
            answer = verify_subscription(
                request.query_params, hub.settings.whatsapp_verify_token or ""
            )
        except WebhookVerificationError:
            return PlainTextResponse("verification failed", status_code=403)
        return PlainTextResponse(answer)

    async def receive(request: Request) -> Response:
        body = await request.body()
        header = request.headers.get("x-hub-signature-256")
        if not signature_valid(body, header, hub.settings.whatsapp_app_secret or ""):
            return PlainTextResponse("bad signature", status_code=403)
        try:
            payload = json.loads(body)
        except ValueError:
            return PlainTextResponse("the body is not JSON", status_code=400)
        if not isinstance(payload, dict):
            return PlainTextResponse("the body is not a JSON object", status_code=400)
        for message in parse_inbound(payload):
            await run_in_threadpool(handler.handle, message)
        return PlainTextResponse("ok")

    return [
        Route("/webhook", challenge, methods=["GET"]),
        Route("/webhook", receive, methods=["POST"]),
    ]
