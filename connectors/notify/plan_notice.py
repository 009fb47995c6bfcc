"""Telling a business's admins that the month's booking quota of their plan was reached.

``hub.services.plans`` writes one ``plan.quota_reached`` outbox event a month, in the
transaction of the booking that used the quota up (or of the platform lowering it under what
the month used); the scheduler hands it to ``QuotaNotice`` (registered by ``hub.wiring``),
which emails every active business admin in the business's language. Going through the
outbox means the email is retried and never lost; ``sent_before`` keeps a retry from
emailing anyone twice.

Not here: counting bookings against the quota (``hub.services.plans``); the console's banner
(``booking_pages``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from connectors.notify.mailers import Mailer
from hub.config import Settings
from hub.domain.model import OutboxEvent
from hub.mailheaders import one_line
from hub.persistence.uow import SqlDatabase
from hub.services.admin_contacts_read_model import business_admins
from hub.services.plans import QUOTA_EVENT
from scheduler.consumers import DeliveryContext, LogEntry, LogStatus

KIND = "quota_reached"

SUBJECT = {
    "es": "{business} llegó al límite de turnos de este mes",
    "en": "{business} reached this month's booking limit",
}
BODY = {
    "es": (
        "Hola,\n\n{business} ya tomó {used} de los {quota} turnos que su plan permite este "
        "mes ({month}). Hasta el mes que viene, los turnos nuevos se rechazan en la página, "
        "la API y la consola; los turnos ya tomados siguen en pie.\n"
        "Para ampliar el límite, escribinos.\n\nTurnero\n"
    ),
    "en": (
        "Hello,\n\n{business} has taken {used} of the {quota} bookings its plan allows this "
        "month ({month}). Until next month new bookings are refused on the page, the API and "
        "the console; bookings already made stand.\n"
        "To raise the limit, contact us.\n\nTurnero\n"
    ),
}


@dataclass(frozen=True, slots=True)
class QuotaNotice:
    database: SqlDatabase
    settings: Settings
    mailer: Mailer
    name: str = "plans.quota_notice"

    def handles(self, event: OutboxEvent) -> bool:
        return event.type == QUOTA_EVENT

    def deliver(self, event: OutboxEvent, ctx: DeliveryContext) -> Sequence[LogEntry]:
        with self.database.unit_of_work() as uow:
            found = business_admins(uow, event.business_id)
        if found is None or not found.emails:
            return [LogEntry("email", KIND, LogStatus.SKIPPED, "", "no business admin")]
        business, admins = found.business, found.emails
        language = "es" if business.language.startswith("es") else "en"
        fields = {
            "business": business.name,
            "used": event.payload.get("used", ""),
            "quota": event.payload.get("quota", ""),
            "month": event.payload.get("month", ""),
        }
        already = ctx.sent_before("email")
        for address in admins:
            if address in already:
                continue
            message = EmailMessage()
            message["From"] = one_line(self.settings.smtp_from)
            message["To"] = one_line(address)
            message["Subject"] = one_line(SUBJECT[language].format(**fields))
            message.set_content(BODY[language].format(**fields))
            self.mailer.send(message)
            ctx.record(LogEntry("email", KIND, LogStatus.SENT, address))
        return []
