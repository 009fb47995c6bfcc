"""Telling a business admin that one of their webhook endpoints was switched off.

The engine writes a ``webhook.endpoint_disabled`` outbox event in the transaction that
disables the endpoint; the scheduler hands it to ``AdminNotice`` (a consumer like any other),
which emails every active business admin through a ``Mailer`` port given at wiring time
(``hub.bootstrap`` passes the notify connector's mailer — connectors never import each
other). Going through the outbox means the email is retried and never lost if the worker
dies right after disabling the endpoint.

Not here: deciding to disable (``engine.health``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from hub.config import Settings
from hub.domain.model import OutboxEvent
from hub.mailheaders import one_line
from hub.persistence.uow import SqlDatabase
from hub.services.admin_contacts_read_model import business_admins
from scheduler.consumers import DeliveryContext, LogEntry, LogStatus

KIND = "webhook_disabled"

SUBJECT = {
    "es": "Desactivamos un webhook de {business}",
    "en": "A webhook of {business} was disabled",
}
BODY = {
    "es": (
        "Hola,\n\nDesactivamos el webhook {url} de {business}: todas las entregas fallaron "
        "durante 24 horas.\nCuando el receptor funcione, activalo de nuevo desde la consola "
        "o la API (PATCH /api/v1/webhooks/{id} con active=true) y reenviá las entregas "
        "fallidas (POST /api/v1/webhooks/{id}/replay).\n\nTurnero\n"
    ),
    "en": (
        "Hello,\n\nWe disabled the webhook {url} of {business}: every delivery failed for "
        "24 hours.\nOnce the receiver works again, enable it from the console or the API "
        "(PATCH /api/v1/webhooks/{id} with active=true) and replay the failed deliveries "
        "(POST /api/v1/webhooks/{id}/replay).\n\nTurnero\n"
    ),
}


class Mailer(Protocol):
    """Delivers one finished message to the recipients in its headers."""

    def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True, slots=True)
class AdminNotice:
    database: SqlDatabase
    settings: Settings
    mailer: Mailer | None
    name: str = "webhooks.admin"

    def handles(self, event: OutboxEvent) -> bool:
        return event.type == "webhook.endpoint_disabled"

    def deliver(self, event: OutboxEvent, ctx: DeliveryContext) -> Sequence[LogEntry]:
        with self.database.unit_of_work() as uow:
            found = business_admins(uow, event.business_id)
        if found is None or not found.emails:
            return [LogEntry("email", KIND, LogStatus.SKIPPED, "", "no business admin")]
        business, admins = found.business, found.emails
        if self.mailer is None:
            return [LogEntry("email", KIND, LogStatus.SKIPPED, "", "no mailer configured")]
        language = "es" if business.language.startswith("es") else "en"
        fields = {
            "business": business.name,
            "url": event.payload.get("url", ""),
            "id": event.payload.get("webhook_id", event.aggregate_id),
        }
        already = ctx.sent_before("email")
        for address in admins:
            if address in already:
                continue
            message = EmailMessage()
            # Flattened by the hub's one header encoder: a value never adds a header.
            message["From"] = one_line(self.settings.smtp_from)
            message["To"] = one_line(address)
            message["Subject"] = one_line(SUBJECT[language].format(**fields))
            message.set_content(BODY[language].format(**fields))
            self.mailer.send(message)
            ctx.record(LogEntry("email", KIND, LogStatus.SENT, address))
        return []
