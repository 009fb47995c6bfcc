"""Console screen of the business's WhatsApp (admins only): the Cloud API phone-number id,
the WhatsApp Business Account id and the credentials (access token, app secret, verify token:
sealed with the encryption key when saved and never shown again — a blank field keeps the
stored one); the webhook URL to paste in Meta's app; "send a test message to my number"
(Meta's ``hello_world`` template, which every account has); and the message templates: each
kind's template per language with its review status, created from our Spanish and English
texts through the Business Management API, and refreshed from it. While a template is not
approved, the messages that would go only by WhatsApp go by email.

Settings change through ``hub.services.whatsapp_settings``; Meta is reached through
``connectors.notify.whatsapp``. Another business's settings are never shown (the screen
reads the signed-in admin's business only); employees get 404.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.console_auth import Staff, staff_only
from booking_pages.web import Pages, read_form
from connectors.notify import secrets
from connectors.notify import whatsapp_templates as wa_templates
from connectors.notify.errors import DeliveryError, WhatsAppRefusedError
from connectors.notify.whatsapp import WhatsAppClient
from connectors.notify.whatsapp_setup import (
    LANGUAGES,
    config_of,
    stored_secrets,
    template_rows,
    webhook_url,
)
from hub.domain.errors import DomainError, ValidationError
from hub.domain.model import Business
from hub.services import whatsapp_settings
from hub.services.notification_settings import MESSAGE_KINDS
from hub.services.whatsapp_settings import TemplateSetting, WhatsAppChange

# Meta creates this template in every new WhatsApp Business Account, approved
# (https://developers.facebook.com/docs/whatsapp/cloud-api/get-started).
TEST_TEMPLATE = ("hello_world", "en_US")


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub
    key = hub.settings.encryption_key

    def client_of(business: Business) -> WhatsAppClient:
        config = config_of(business)
        return WhatsAppClient(
            hub.settings.whatsapp_graph_url,
            str(config.get("phone_number_id") or ""),
            secrets.reveal(config.get("token"), key),
            timeout=15,
        )

    def render(request: Request, staff: Staff, status: int = 200, **context: Any) -> Response:
        config = config_of(staff.business)
        base: dict[str, Any] = {
            "staff": staff,
            "config": {
                "phone_number_id": config.get("phone_number_id") or "",
                "waba_id": config.get("waba_id") or "",
            },
            "stored": stored_secrets(staff.business),
            "webhook_url": webhook_url(hub.settings.base_url, staff.business.id),
            "templates": template_rows(staff.business),
            "kinds": MESSAGE_KINDS,
            "messages_off": whatsapp_settings.messages_off(staff.business),
            "can_seal": bool(key),
            "problem": None,
            "errors": {},
            "flash": request.query_params.get("done"),
            "test_result": None,
            "values": None,
            "number": "",
        }
        return pages.render(
            request, "console/whatsapp.html", {**base, **context}, t=staff.t, status=status
        )

    async def show(request: Request, staff: Staff) -> Response:
        return render(request, staff)

    def problem_of(staff: Staff, exc: Exception) -> tuple[str, dict[str, str]]:
        if isinstance(exc, ValidationError):
            field = exc.field or ""
            return staff.t("whatsapp.refused"), {field: staff.t(f"whatsapp.refused.{field}")}
        if isinstance(exc, secrets.SecretKeyMissingError):
            return staff.t("whatsapp.no_key"), {}
        if isinstance(exc, DeliveryError):
            return staff.t("whatsapp.meta_refused", reason=exc.message), {}
        return staff.t("console.refused.validation_error"), {}

    async def save(request: Request, staff: Staff) -> Response:
        form = await read_form(request)

        def sealed(name: str) -> str | None:
            value = form.get(name, "").strip()
            return secrets.seal(value, key) if value else None

        try:
            change = WhatsAppChange(
                phone_number_id=form.get("phone_number_id", "").strip() or None,
                waba_id=form.get("waba_id", "").strip() or None,
                token=sealed("token"),
                app_secret=sealed("app_secret"),
                verify_token=sealed("verify_token"),
            )
            await run_in_threadpool(
                whatsapp_settings.save_whatsapp,
                hub.uow(),
                staff.business.id,
                change,
                by=staff.by,
                now=hub.now(),
            )
        except (DomainError, DeliveryError) as exc:
            problem, errors = problem_of(staff, exc)
            values = {k: v for k, v in form.items() if k in ("phone_number_id", "waba_id")}
            return render(request, staff, 422, problem=problem, errors=errors, values=values)
        return RedirectResponse("/console/whatsapp?done=saved", status_code=303)

    def create_templates(business: Business) -> list[TemplateSetting]:
        """Submit every shipped template in both languages; one already there is kept."""
        waba = str(config_of(business).get("waba_id") or "")
        if not waba:
            raise ValidationError("the WhatsApp Business Account id is needed", field="waba_id")
        found = []
        own_texts = business.settings.get("templates")
        own_texts = own_texts if isinstance(own_texts, dict) else {}
        with client_of(business) as client:
            for kind in wa_templates.SHIPPED_KINDS:
                for language in LANGUAGES:
                    # The business's own WhatsApp text, when it wrote one that can be a
                    # template; else ours.
                    own = wa_templates.own_definition(
                        kind,
                        language,
                        str(own_texts.get(f"{language}/{kind.value}.whatsapp.txt", "")),
                    )
                    definition, params = own or (wa_templates.definition(kind, language), ())
                    try:
                        state = client.create_template(waba, definition).status
                    except WhatsAppRefusedError as exc:
                        if exc.subcode != 2388024:  # "content in this language already exists"
                            raise
                        state = ""
                    found.append(
                        TemplateSetting(
                            f"{kind.value}.{language}",
                            definition["name"],
                            definition["language"],
                            state,
                            params=params,
                        )
                    )
            # Client history's one-time code (an authentication template, our text only).
            for language in LANGUAGES:
                definition = wa_templates.code_definition(language)
                try:
                    state = client.create_template(waba, definition).status
                except WhatsAppRefusedError as exc:
                    if exc.subcode != 2388024:
                        raise
                    state = ""
                found.append(
                    TemplateSetting(
                        f"{wa_templates.CODE_KEY}.{language}",
                        definition["name"],
                        definition["language"],
                        state,
                    )
                )
        return found + refreshed(business, only={t.key for t in found if not t.status})

    def refreshed(business: Business, only: set[str] | None = None) -> list[TemplateSetting]:
        """The review status of each kind's template, as Meta reports it now."""
        waba = str(config_of(business).get("waba_id") or "")
        if not waba:
            raise ValidationError("the WhatsApp Business Account id is needed", field="waba_id")
        with client_of(business) as client:
            states = {(s.name, s.language): s for s in client.templates(waba)}
        found = []
        for row in template_rows(business):
            key_ = f"{row['kind']}.{row['language']}"
            if only is not None and key_ not in only:
                continue
            state = states.get((row["name"], row["code"]))
            found.append(
                TemplateSetting(
                    key_,
                    row["name"],
                    row["code"],
                    state.status if state is not None else "MISSING",
                    state.rejected_reason if state is not None else "",
                )
            )
        return found

    async def templates(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        action = create_templates if form.get("action") == "create" else refreshed
        try:

            def run() -> None:
                found = action(staff.business)
                whatsapp_settings.save_templates(
                    hub.uow(), staff.business.id, found, by=staff.by, now=hub.now()
                )

            await run_in_threadpool(run)
        except (DomainError, DeliveryError) as exc:
            problem, errors = problem_of(staff, exc)
            return render(request, staff, 422, problem=problem, errors=errors)
        return RedirectResponse("/console/whatsapp?done=templates#templates", status_code=303)

    async def messages(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        off = tuple(k for k in MESSAGE_KINDS if form.get(f"send:{k}") != "1")
        try:
            await run_in_threadpool(
                lambda: whatsapp_settings.save_whatsapp(
                    hub.uow(),
                    staff.business.id,
                    WhatsAppChange(messages_off=off),
                    by=staff.by,
                    now=hub.now(),
                )
            )
        except DomainError as exc:
            problem, errors = problem_of(staff, exc)
            return render(request, staff, 422, problem=problem, errors=errors)
        return RedirectResponse("/console/whatsapp?done=messages#messages", status_code=303)

    async def test_message(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        number = form.get("number", "").strip()

        def send() -> str:
            with client_of(staff.business) as client:
                return client.send_template(number, *TEST_TEMPLATE).message_id

        try:
            if not config_of(staff.business).get("phone_number_id"):
                raise ValidationError("save the phone-number id first", field="phone_number_id")
            message_id = await run_in_threadpool(send)
        except (DomainError, DeliveryError) as exc:
            problem, errors = problem_of(staff, exc)
            return render(request, staff, 422, problem=problem, errors=errors, number=number)
        result = staff.t("whatsapp.test_sent", number=number, id=message_id)
        return render(request, staff, test_result=result, number=number)

    return [
        Route("/whatsapp", staff_only(pages, show, admin=True), methods=["GET"]),
        Route("/whatsapp", staff_only(pages, save, admin=True), methods=["POST"]),
        Route("/whatsapp/templates", staff_only(pages, templates, admin=True), methods=["POST"]),
        Route("/whatsapp/test", staff_only(pages, test_message, admin=True), methods=["POST"]),
        Route("/whatsapp/messages", staff_only(pages, messages, admin=True), methods=["POST"]),
    ]
