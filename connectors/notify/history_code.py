"""Sending a client-history one-time code (``hub.services.history_codes.CodeSender``): to
the phone by WhatsApp, as the business's approved authentication template
(``whatsapp_templates.CODE_TEMPLATE``), when the business has WhatsApp set up and that
template is not known to be unapproved; else, or when WhatsApp refuses it, by email to the
address the client booked with. Texts: ``templates/<language>/history_code.email.*``.

Not here: making or checking codes (the use case), choosing who may get one.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import jinja2

from connectors.notify import secrets
from connectors.notify import whatsapp_templates as wa_templates
from connectors.notify.errors import DeliveryError
from connectors.notify.mailers import Mailer, mailer_from_settings
from connectors.notify.whatsapp import WhatsAppClient
from hub.config import Settings
from hub.services.history_codes import CodeMessage
from scheduler.reminders import whatsapp_configured

log = logging.getLogger(__name__)

_TEXTS = jinja2.Environment(
    loader=jinja2.PackageLoader("connectors.notify", "templates"),
    autoescape=False,  # noqa: S701 (plain-text mail)
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=False,
)


def _language(language: str) -> str:
    return "en" if language.startswith("en") else "es"


class HistoryCodeSender:
    def __init__(self, settings: Settings, mailer: Mailer | None = None) -> None:
        self._settings = settings
        self._mailer = mailer

    def send_code(self, message: CodeMessage) -> bool:
        if message.phone and self._whatsapp_ready(message):
            try:
                self._by_whatsapp(message, message.phone)
            except DeliveryError as exc:
                log.warning("history code not sent by WhatsApp: %s", exc)
            else:
                return True
        if message.email:
            try:
                self._by_email(message, message.email)
            except DeliveryError as exc:
                log.warning("history code not sent by email: %s", exc)
                return False
            return True
        return False

    def _whatsapp_ready(self, message: CodeMessage) -> bool:
        business = message.business
        if not whatsapp_configured(business):
            return False
        config = business.settings.get("whatsapp")
        settings = config if isinstance(config, dict) else {}
        status = wa_templates.code_choice(message.language, settings).status
        return status in ("", wa_templates.APPROVED)

    def _by_whatsapp(self, message: CodeMessage, phone: str) -> None:
        config = message.business.settings["whatsapp"]
        token = secrets.reveal(config.get("token"), self._settings.encryption_key)
        choice = wa_templates.code_choice(message.language, config)
        with WhatsAppClient(
            self._settings.whatsapp_graph_url, str(config["phone_number_id"]), token
        ) as client:
            client.send_code(phone, choice.name, choice.language, message.code)

    def _by_email(self, message: CodeMessage, email: str) -> None:
        language = _language(message.language)
        values = {
            "business": message.business.name,
            "code": message.code,
            "minutes": message.minutes,
        }
        subject = _TEXTS.get_template(f"{language}/history_code.email.subject.txt")
        body = _TEXTS.get_template(f"{language}/history_code.email.txt")
        mail = EmailMessage()
        mail["Subject"] = " ".join(subject.render(values).split())
        mail["From"] = formataddr((message.business.name, self._settings.smtp_from))
        mail["To"] = email
        mail["Message-ID"] = make_msgid()
        mail.set_content(body.render(values) + "\n")
        (self._mailer or mailer_from_settings(self._settings)).send(mail)
