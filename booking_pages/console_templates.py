"""Console editor of message texts (admins): for each message and language, the email's
subject and text and the WhatsApp text, with the placeholders each accepts, a preview on a
made-up booking ("Vista previa", server-side), reset to the shipped text, and the survey
link of the thank-you message. Saves through ``hub.services.message_texts``; a refused text
is shown with a 422, keeping what was typed, and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.console_auth import Staff, staff_only
from booking_pages.web import Pages, read_form
from connectors.notify.context import MessageChannel, MessageKind
from connectors.notify.templates import (
    render,
    sample_context,
    shipped_source,
    validate_override,
)
from hub.domain.errors import DomainError
from hub.services import message_texts as mt


def _choice(value: str | None, options: tuple[str, ...]) -> str:
    return value if value in options else options[0]


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    async def page(
        request: Request,
        staff: Staff,
        problem: str | None = None,
        status: int = 200,
        *,
        form: dict[str, str] | None = None,
        preview: bool = False,
    ) -> Response:
        source = form or dict(request.query_params)
        language = _choice(source.get("language"), mt.LANGUAGES)
        kind = _choice(source.get("kind"), tuple(mt.PLACEHOLDERS))
        found = await run_in_threadpool(mt.get_texts, hub.uow(), staff.business.id)
        texts = {}
        for part in mt.PARTS:
            own = found.texts.get(mt.template_name(language, kind, part))
            texts[part] = {
                "value": form.get(part, "") if form is not None else own or "",
                "own": own is not None,
                "default": shipped_source(language, f"{kind}.{part}"),
            }
            if not texts[part]["value"]:
                texts[part]["value"] = texts[part]["default"]
        shown = None
        if preview and problem is None:
            overrides = {
                mt.template_name(language, kind, p): str(texts[p]["value"]) for p in mt.PARTS
            }
            survey = form.get("survey_url") if form else None
            sample = sample_context(staff.business.name, language, survey or found.survey_url)
            message = MessageKind(kind)
            email = render(message, MessageChannel.EMAIL, language, sample, overrides)
            whatsapp = render(message, MessageChannel.WHATSAPP, language, sample, overrides)
            shown = {"subject": email.subject, "email": email.text, "whatsapp": whatsapp.text}
        return pages.render(
            request,
            "console/message_texts.html",
            {
                "staff": staff,
                "problem": problem,
                "secret": None,
                "done": request.query_params.get("done"),
                "language": language,
                "kind": kind,
                "kinds": tuple(mt.PLACEHOLDERS),
                "languages": mt.LANGUAGES,
                "parts": mt.PARTS,
                "texts": texts,
                "placeholders": mt.PLACEHOLDERS[kind],
                "preview": shown,
                "survey_url": found.survey_url or "",
            },
            t=staff.t,
            status=status,
        )

    async def save(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        language = _choice(form.get("language"), mt.LANGUAGES)
        kind = _choice(form.get("kind"), tuple(mt.PLACEHOLDERS))
        action = form.get("action", "save")
        sample = sample_context(staff.business.name, language, "https://example.com/survey")

        def check(name: str, source: str) -> None:
            validate_override(name, source, sample)

        def apply() -> None:
            for part in mt.PARTS:
                typed = form.get(part, "").replace("\r\n", "\n")
                if (
                    action == "reset"
                    or typed.strip() == shipped_source(language, f"{kind}.{part}").strip()
                ):
                    value: str | None = None  # the default: stored as no text of our own
                else:
                    value = typed
                mt.set_text(
                    hub.uow(),
                    staff.business.id,
                    language=language,
                    kind=kind,
                    part=part,
                    source=value,
                    check=check,
                    by=staff.by,
                    now=hub.now(),
                )

        try:
            if action == "preview":
                for part in mt.PARTS:
                    text = form.get(part, "").replace("\r\n", "\n")
                    mt.check_text(kind, part, text)
                    check(mt.template_name(language, kind, part), text)
                return await page(request, staff, form=form, preview=True)
            if action == "survey":
                url = form.get("survey_url", "")
                await run_in_threadpool(
                    lambda: mt.set_survey_url(
                        hub.uow(), staff.business.id, url, by=staff.by, now=hub.now()
                    )
                )
            else:
                for part in mt.PARTS:  # all parts checked before any is saved
                    if action != "reset":
                        text = form.get(part, "").replace("\r\n", "\n")
                        mt.check_text(kind, part, text)
                        check(mt.template_name(language, kind, part), text)
                await run_in_threadpool(apply)
        except DomainError as exc:
            problem = staff.t("console.refused.validation_error") + f" ({exc.message})"
            return await page(request, staff, problem, 422, form=form)
        return RedirectResponse(
            f"/console/templates?language={language}&kind={kind}&done=1", status_code=303
        )

    def admin(handler: Any) -> Any:
        return staff_only(pages, handler, admin=True)

    return [
        Route("/templates", admin(page), methods=["GET"]),
        Route("/templates", admin(save), methods=["POST"]),
    ]
