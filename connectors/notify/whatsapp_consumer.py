"""``WhatsAppConsumer``: a booking event's WhatsApp message to the client and the organizer,
as an approved template or, inside the client's 24-hour window, free text; email when
WhatsApp cannot carry it.

A refused recipient (WhatsApp 4xx) is logged as failed and never stops the other recipient.

Not here: the Cloud API client (``whatsapp``), templates (``whatsapp_templates``), replies
and statuses (``whatsapp_webhook``, ``web``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from connectors.notify import errors as notify_errors
from connectors.notify import inbound, secrets
from connectors.notify import whatsapp_templates as wa_templates
from connectors.notify.builder import MessageBuilder, Prepared
from connectors.notify.context import MessageChannel, MessageKind
from connectors.notify.email_consumer import EmailConsumer, overrides_of
from connectors.notify.kinds import channel_of, message_kind
from connectors.notify.templates import render
from connectors.notify.whatsapp import SentMessage, WhatsAppClient, whatsapp_number
from hub.config import Settings
from hub.domain.model import OutboxEvent
from hub.services.whatsapp_settings import messages_off
from scheduler.consumers import (
    DeliveryContext,
    LogEntry,
    LogStatus,
    PermanentDeliveryError,
    RetryableDeliveryError,
)
from scheduler.reminders import whatsapp_configured


class WhatsAppConsumer:
    """Each message kind goes as the business's approved template for it (see
    ``connectors.notify.whatsapp_templates``), with Confirmar / Cancelar / Reprogramar
    buttons while the booking is ahead; free text (with the same buttons) only while the
    client's 24-hour window is open, i.e. they wrote to the business in the last 24 hours
    (https://developers.facebook.com/docs/whatsapp/conversation-types#customer-service-window).

    The message id WhatsApp answers is logged; its later statuses update that line
    (``connectors.notify.web``). A template still pending or rejected, or a refusal, falls
    back to email when this event's email was not sent anyway (a reminder by WhatsApp)."""

    name = "whatsapp"
    WINDOW = timedelta(hours=24)

    def __init__(
        self, builder: MessageBuilder, settings: Settings, email: EmailConsumer | None = None
    ) -> None:
        self._builder = builder
        self._settings = settings
        self._email = email

    def handles(self, event: OutboxEvent) -> bool:
        channel = channel_of(event)
        return message_kind(event) is not None and channel in (None, "whatsapp")

    def _window_open(self, business_id: str, customer_id: str, now: datetime) -> bool:
        with self._builder.unit_of_work() as uow:
            last = inbound.last_received(uow.session, business_id, customer_id)
        if last is None:
            return False
        last = last if last.tzinfo is not None else last.replace(tzinfo=UTC)
        return now - last < self.WINDOW

    def deliver(self, event: OutboxEvent, ctx: DeliveryContext) -> Sequence[LogEntry]:
        business = self._builder.business(event.business_id)
        if business is None or not whatsapp_configured(business):
            return []
        prepared = self._builder.prepare(event, ctx.now)
        if prepared is None:
            return []
        kind, context = prepared.kind, prepared.context
        if kind.value in messages_off(prepared.business):
            return []  # the business sends this kind by email only
        organizer = context.organizer
        to_organizer = (
            organizer is not None and organizer.phone and kind is not MessageKind.THANK_YOU
        )
        if not to_organizer and (not context.customer_phone or kind is MessageKind.UPDATED):
            return []
        config = prepared.business.settings["whatsapp"]
        token = secrets.reveal(config.get("token"), self._settings.encryption_key)
        client = WhatsAppClient(
            self._settings.whatsapp_graph_url, str(config["phone_number_id"]), token
        )
        try:
            if organizer is not None and organizer.phone and to_organizer:
                self._to_organizer(client, ctx, prepared, whatsapp_number(organizer.phone))
            # The seed's edit: "WhatsApp al organizador"; the client hears of it by email.
            if context.customer_phone and kind is not MessageKind.UPDATED:
                self._to_client(client, event, ctx, prepared)
        finally:
            client.close()
        return []

    def _to_organizer(
        self, client: WhatsAppClient, ctx: DeliveryContext, prepared: Prepared, phone: str
    ) -> None:
        """The organizer's message: the business's approved template of the kind, with the
        organizer's details and no reply buttons (those answer for the client)."""
        kind, context = prepared.kind, prepared.context
        if context.customer_phone and whatsapp_number(context.customer_phone) == phone:
            return  # they booked for themselves: the client's message reaches them
        if ctx.attempt > 1 and phone in ctx.sent_before("whatsapp"):
            return
        config = prepared.business.settings["whatsapp"]
        template = wa_templates.choice(kind, context.language, config)
        if template.status and template.status != wa_templates.APPROVED:
            reason = f"template {template.name} ({template.language}) is {template.status}"
            ctx.record(LogEntry("whatsapp", kind.value, LogStatus.SKIPPED, phone, reason))
            return
        try:
            sent = client.send_template(
                phone,
                template.name,
                template.language,
                body_parameters=(
                    wa_templates.own_parameters(template.params, context)
                    if template.params  # the business's own text: its placeholders
                    else wa_templates.organizer_parameters(kind, context)
                ),
            )
        except notify_errors.WhatsAppRefusedError as exc:
            ctx.record(LogEntry("whatsapp", kind.value, LogStatus.FAILED, phone, exc.message))
            return
        except notify_errors.RetryableDeliveryError as exc:
            entry = LogEntry("whatsapp", kind.value, LogStatus.FAILED, phone, exc.message)
            raise RetryableDeliveryError(exc.message, [entry]) from exc
        ctx.record(LogEntry("whatsapp", kind.value, LogStatus.SENT, phone, "", sent.message_id))

    def _to_client(
        self, client: WhatsAppClient, event: OutboxEvent, ctx: DeliveryContext, prepared: Prepared
    ) -> None:
        kind, context = prepared.kind, prepared.context
        assert context.customer_phone is not None
        phone = whatsapp_number(context.customer_phone)
        if ctx.attempt > 1 and phone in ctx.sent_before("whatsapp"):
            return
        config = prepared.business.settings["whatsapp"]
        try:
            if self._window_open(prepared.business.id, prepared.customer_id, ctx.now):
                sent = self._free_text(client, phone, prepared)
            else:
                template = wa_templates.choice(kind, context.language, config)
                if template.status and template.status != wa_templates.APPROVED:
                    reason = f"template {template.name} ({template.language}) is {template.status}"
                    entry = LogEntry("whatsapp", kind.value, LogStatus.SKIPPED, phone, reason)
                    ctx.record(entry)
                    self.fall_back(event, ctx)
                    return
                sent = client.send_template(
                    phone,
                    template.name,
                    template.language,
                    body_parameters=(
                        wa_templates.own_parameters(template.params, context)
                        if template.params
                        else wa_templates.parameters(kind, context)
                    ),
                    button_payloads=wa_templates.button_payloads(kind, context),
                )
        except notify_errors.WhatsAppRefusedError as exc:
            entry = LogEntry("whatsapp", kind.value, LogStatus.FAILED, phone, exc.message)
            ctx.record(entry)
            self.fall_back(event, ctx)
            raise PermanentDeliveryError(exc.message) from exc
        except notify_errors.RetryableDeliveryError as exc:
            entry = LogEntry("whatsapp", kind.value, LogStatus.FAILED, phone, exc.message)
            raise RetryableDeliveryError(exc.message, [entry]) from exc
        ctx.record(LogEntry("whatsapp", kind.value, LogStatus.SENT, phone, "", sent.message_id))

    def _free_text(self, client: WhatsAppClient, phone: str, prepared: Prepared) -> SentMessage:
        kind, context = prepared.kind, prepared.context
        overrides = overrides_of(prepared.business)
        rendered = render(kind, MessageChannel.WHATSAPP, context.language, context, overrides)
        text = rendered.text.strip()
        payloads = wa_templates.button_payloads(kind, context)
        titles = wa_templates.buttons(kind, context.language)
        if payloads and len(text) <= 1024:  # an interactive body holds 1,024 characters
            return client.send_buttons(phone, text, list(zip(payloads, titles, strict=True)))
        return client.send_text(phone, text)

    def fall_back(self, event: OutboxEvent, ctx: DeliveryContext) -> None:
        """Email the client instead, unless this event's email goes out anyway."""
        if self._email is None or self._email.handles(event):
            return
        as_email = replace(event, payload={**event.payload, "channel": "email"})
        with contextlib.suppress(RetryableDeliveryError, PermanentDeliveryError):
            self._email.deliver(as_email, ctx)
