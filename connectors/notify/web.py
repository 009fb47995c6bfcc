"""Starlette routes of the WhatsApp webhook, mounted by ``hub.app`` at
``/connectors/whatsapp``: ``/webhook/{business id}`` is a business's own callback URL (its
app secret and verify token, sealed in its settings, apply there); ``/webhook`` is the shared
one (the server's ``TURNERO_WHATSAPP_APP_SECRET`` / ``_VERIFY_TOKEN``).

- ``GET``: Meta's subscription handshake (``hub.challenge`` echoed when ``hub.verify_token``
  is right), 403 otherwise; an unknown business 404.
- ``POST``: the ``X-Hub-Signature-256`` must be the app secret's HMAC of the raw body (else
  403, nothing read). Client messages: each is tied to the business owning the number it
  reached and to that business's customer with the sender's number; a CANCELAR (or the
  Cancelar button) cancels their booking as the client — the cancel window applies — and
  the ``booking.cancelled`` event makes the scheduler confirm it back on WhatsApp; a
  CONFIRMAR (or Confirmar) records that the client will come (``booking.client_confirmed``);
  Reprogramar answers with the link to pick another time and is left for a person; anything
  else, or an answer the rules refuse, is logged for the operator
  (``connectors.notify.inbound``). Delivery statuses (sent, delivered, read, failed with
  Meta's reason) update the message's line of the notification log; a failed WhatsApp-only
  message is asked again by email. Unknown numbers change nothing and still get 200, since
  WhatsApp retries anything else.

No rule lives here: the use cases are ``hub.services.replies``, ``booking_status`` and
``message_fallback``.
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

from connectors.notify import inbound, secrets
from connectors.notify.errors import DeliveryError
from connectors.notify.whatsapp import WhatsAppClient
from connectors.notify.whatsapp_webhook import (
    DeliveryStatus,
    InboundMessage,
    Reply,
    ReplyIntent,
    WebhookVerificationError,
    classify_reply,
    parse_inbound,
    parse_statuses,
    signature_valid,
    verify_subscription,
)
from hub.domain.booking import Booking
from hub.domain.errors import ConflictError, DomainError
from hub.domain.model import Business, Customer, new_id
from hub.persistence.uow import SqlUnitOfWork
from hub.process import Hub
from hub.services import replies
from hub.services.message_fallback import request_fallback
from hub.services.ports import UnitOfWork
from scheduler import message_status

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

    def _send_manage_link(self, business: Business, customer: Customer, booking: Booking) -> None:
        """Inside the window the client just opened, so free text reaches them."""
        config = business.settings.get("whatsapp") or {}
        key = self._hub.settings.encryption_key
        link = f"{self._hub.settings.base_url}/book/manage/{booking.token}"
        words = (
            "Pick another time here: "
            if business.language.startswith("en")
            else ("Elegí otro horario acá: ")
        )
        try:
            with WhatsAppClient(
                self._hub.settings.whatsapp_graph_url,
                str(config.get("phone_number_id") or ""),
                secrets.reveal(config.get("token"), key),
            ) as client:
                client.send_text(customer.phone or "", words + link)
        except DeliveryError as exc:
            log.warning("could not send the reschedule link: %s", exc)

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
                if row.intent == ReplyIntent.RESCHEDULE.value and row.booking_id:
                    booking = uow.bookings.get(business.id, row.booking_id)
                    if booking is not None:
                        self._send_manage_link(business, customer, booking)

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
        now = self._hub.core.now()
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
        if reply.intent is ReplyIntent.RESCHEDULE:
            # A person agrees the new time; the client also gets the link to pick one.
            row.needs_operator = True
            row.note = "the client asked to reschedule"
            return
        if reply.intent is ReplyIntent.CANCEL:
            row.outcome = inbound.CANCELLED
            self._hub.core.cancel_booking(
                business.id,
                booking.id,
                by=replies.CLIENT_WHATSAPP,
                reason=cancel_reason(business),
                expected_version=booking.version,
                uow=port,
            )
        else:
            row.outcome = inbound.CONFIRMED
            self._hub.core.record_client_confirmation(
                business.id, booking.id, by=replies.CLIENT_WHATSAPP, uow=port
            )


class StatusHandler:
    """Writes a WhatsApp delivery status onto the message's log line; a message meant for
    WhatsApp alone (a WhatsApp reminder) that failed is asked again by email."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    def handle(self, status: DeliveryStatus, business: Business | None = None) -> None:
        uow = cast(UnitOfWork, self._hub.database.unit_of_work())
        if business is None:
            business = replies.business_for_whatsapp_number(uow, status.phone_number_id)
        if business is None:
            return
        now = self._hub.now()
        with self._hub.database.sessions.begin() as session:
            reported = message_status.record_status(
                session,
                business.id,
                status.message_id,
                status.status,
                error=status.reason or status.status,
                at=now,
            )
        if reported is None or not reported.failed_now or reported.emailed:
            return
        if reported.event_id is None:
            return
        with self._hub.uow() as events:
            failed = events.outbox.get(reported.event_id)
        # Only a message meant for WhatsApp alone (a WhatsApp reminder) is owed an email:
        # every other message has its own email delivery, which may still be on its way.
        if failed is None or failed.payload.get("channel") != "whatsapp":
            return
        request_fallback(
            self._hub.uow(),
            business.id,
            reported.booking_id,
            kind=reported.kind,
            channel="email",
            reason=reported.error,
            now=now,
            failed_event_id=reported.event_id,
        )


def _config(business: Business | None) -> dict[str, object]:
    config = business.settings.get("whatsapp") if business is not None else None
    return config if isinstance(config, dict) else {}


def routes(hub: Hub) -> list[BaseRoute]:
    handler = ReplyHandler(hub)
    statuses = StatusHandler(hub)
    key = hub.settings.encryption_key

    def owner(request: Request) -> Business | None:
        """The business a per-business webhook URL names (``None`` on the shared URL)."""
        business_id = request.path_params.get("business_id")
        if business_id is None:
            return None
        with hub.uow() as uow:
            return uow.businesses.get(str(business_id)[:64])

    def verify_token(business: Business | None) -> str:
        own = secrets.reveal(_config(business).get("verify_token"), key)
        return own or hub.settings.whatsapp_verify_token or ""

    def app_secret(business: Business | None) -> str:
        own = secrets.reveal(_config(business).get("app_secret"), key)
        return own or hub.settings.whatsapp_app_secret or ""

    async def challenge(request: Request) -> Response:
        business = await run_in_threadpool(owner, request)
        if "business_id" in request.path_params and business is None:
            return PlainTextResponse("unknown webhook", status_code=404)
        try:
            answer = verify_subscription(request.query_params, verify_token(business))
        except WebhookVerificationError:
            return PlainTextResponse("verification failed", status_code=403)
        return PlainTextResponse(answer)

    async def receive(request: Request) -> Response:
        business = await run_in_threadpool(owner, request)
        if "business_id" in request.path_params and business is None:
            return PlainTextResponse("unknown webhook", status_code=404)
        body = await request.body()
        header = request.headers.get("x-hub-signature-256")
        if not signature_valid(body, header, app_secret(business)):
            return PlainTextResponse("bad signature", status_code=403)
        try:
            payload = json.loads(body)
        except ValueError:
            return PlainTextResponse("the body is not JSON", status_code=400)
        if not isinstance(payload, dict):
            return PlainTextResponse("the body is not a JSON object", status_code=400)
        for message in parse_inbound(payload):
            await run_in_threadpool(handler.handle, message)
        for status in parse_statuses(payload):
            await run_in_threadpool(statuses.handle, status, business)
        return PlainTextResponse("ok")

    return [
        Route("/webhook", challenge, methods=["GET"]),
        Route("/webhook", receive, methods=["POST"]),
        Route("/webhook/{business_id}", challenge, methods=["GET"]),
        Route("/webhook/{business_id}", receive, methods=["POST"]),
    ]
