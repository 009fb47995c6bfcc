"""``EmailConsumer``: a booking event's email to the client (with the iTIP invite), the
invitees and the organizer, each in their own words.

Every recipient reached is written to the notification log at once, and a later attempt of
the same delivery skips recipients already logged: after a crash only the message in flight
can go out twice. A refused recipient (SMTP 5xx) is logged as failed and never stops the
other recipients.

Not here: MIME (``mail``), SMTP (``mailers``), texts (``templates``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from connectors.notify import errors as notify_errors
from connectors.notify.builder import MessageBuilder
from connectors.notify.context import Audience, MessageChannel
from connectors.notify.kinds import channel_of, message_kind
from connectors.notify.mail import build_email, recipients_of
from connectors.notify.mailers import Mailer
from connectors.notify.templates import render, render_invitee, render_organizer
from hub.config import Settings
from hub.domain.model import Business, OutboxEvent
from scheduler.consumers import DeliveryContext, LogEntry, LogStatus, RetryableDeliveryError


def overrides_of(business: Business) -> dict[str, str]:
    raw = business.settings.get("templates")
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def _message_id(event_id: str, recipient: str, domain: str) -> str:
    digest = hashlib.sha256(recipient.lower().encode()).hexdigest()[:16]
    return f"<{event_id}.{digest}@{domain}>"


class EmailConsumer:
    name = "email"

    def __init__(self, builder: MessageBuilder, mailer: Mailer, settings: Settings) -> None:
        self._builder = builder
        self._mailer = mailer
        self._settings = settings

    def handles(self, event: OutboxEvent) -> bool:
        channel = channel_of(event)
        return message_kind(event) is not None and channel in (None, "email")

    def deliver(self, event: OutboxEvent, ctx: DeliveryContext) -> Sequence[LogEntry]:
        prepared = self._builder.prepare(event, ctx.now)
        if prepared is None:
            return []
        kind, context = prepared.kind, prepared.context
        to = recipients_of(kind, context)
        if not to:
            return [LogEntry("email", kind.value, LogStatus.SKIPPED, "", "no email address")]
        client = render(
            kind, MessageChannel.EMAIL, context.language, context, overrides_of(prepared.business)
        )
        done = ctx.sent_before("email") if ctx.attempt > 1 else frozenset()
        sender = self._settings.smtp_from
        domain = sender.rpartition("@")[2] or "turnero"
        deferred: list[str] = []
        for recipient in to:
            address, own, own_kind = recipient.address, recipient.context, recipient.kind
            if address in done:
                continue
            # The client's text, an invitee's own (their name, their link, no client data),
            # or the organizer's (the booking's console page, not the client's link).
            if own.audience is Audience.ORGANIZER:
                rendered = render_organizer(own_kind, MessageChannel.EMAIL, own.language, own)
            elif own.audience is Audience.INVITEE:
                rendered = render_invitee(own_kind, own.language, own, removed=recipient.removed)
            elif own_kind is kind:
                rendered = client
            else:
                rendered = render(own_kind, MessageChannel.EMAIL, own.language, own)
            message = build_email(
                own_kind,
                own,
                rendered,
                to=address,
                sender=sender,
                now=ctx.now,
                message_id=_message_id(event.id, address, domain),
                reply_to=str(prepared.business.settings.get("email") or "") or None,
            )
            try:
                self._mailer.send(message)
            except notify_errors.RetryableDeliveryError as exc:
                deferred.append(f"{address}: {exc.message}")
                continue
            except notify_errors.PermanentDeliveryError as exc:
                ctx.record(LogEntry("email", kind.value, LogStatus.FAILED, address, exc.message))
                continue
            ctx.record(LogEntry("email", kind.value, LogStatus.SENT, address))
        if deferred:
            error = "; ".join(deferred)
            raise RetryableDeliveryError(
                error, [LogEntry("email", kind.value, LogStatus.FAILED, "", error)]
            )
        return []
