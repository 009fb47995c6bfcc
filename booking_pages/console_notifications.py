"""Console setup of reminders and messages (admins): when reminders go out and by which
channel (up to six lines, in hours or minutes before the start), and which messages are sent
at all. Calls ``hub.services.notification_settings``; bad input is shown with a 422, keeping
what was typed, and changes nothing. The text of each message is not here.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.console_auth import Staff, staff_only
from booking_pages.web import Pages, read_form
from hub.domain.errors import DomainError, ValidationError
from hub.services import notification_settings as ns

LINES = ns.MAX_REMINDERS
UNITS = {"minutes": 1, "hours": 60, "days": 24 * 60}


def reminder_lines(form: dict[str, str]) -> list[ns.ReminderRule]:
    """The reminder lines of the form; a line without an amount is left out."""
    rules = []
    for n in range(LINES):
        amount = form.get(f"amount{n}", "").strip()
        if not amount:
            continue
        unit = UNITS.get(form.get(f"unit{n}", ""))
        if unit is None or not amount.isdigit():
            raise ValidationError("say how long before, as a whole number", field="reminders")
        rules.append(ns.ReminderRule(form.get(f"channel{n}", ""), int(amount) * unit))
    return rules


def as_line(rule: ns.ReminderRule) -> dict[str, Any]:
    minutes = rule.minutes_before
    for unit in ("days", "hours"):
        if minutes % UNITS[unit] == 0:
            return {"channel": rule.channel, "amount": minutes // UNITS[unit], "unit": unit}
    return {"channel": rule.channel, "amount": minutes, "unit": "minutes"}


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    async def notifications_page(
        request: Request,
        staff: Staff,
        problem: str | None = None,
        status: int = 200,
        *,
        form: dict[str, str] | None = None,
    ) -> Response:
        found = await run_in_threadpool(ns.get_notifications, hub.uow(), staff.business.id)
        if form is not None:
            lines = [
                {
                    "channel": form.get(f"channel{n}", ""),
                    "amount": form.get(f"amount{n}", ""),
                    "unit": form.get(f"unit{n}", ""),
                }
                for n in range(LINES)
            ]
            off = [k for k in ns.MESSAGE_KINDS if form.get(f"send:{k}") != "1"]
        else:
            lines = [as_line(r) for r in found.reminders]
            lines += [{"channel": "whatsapp", "amount": "", "unit": "hours"}] * (LINES - len(lines))
            off = list(found.messages_off)
        return pages.render(
            request,
            "console/notifications.html",
            {
                "staff": staff,
                "problem": problem,
                "secret": None,
                "done": request.query_params.get("done"),
                "lines": lines,
                "off": off,
                "kinds": ns.MESSAGE_KINDS,
                "channels": ns.CHANNELS,
                "units": list(UNITS),
            },
            t=staff.t,
            status=status,
        )

    async def save(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        try:
            rules = reminder_lines(form)
            off = [k for k in ns.MESSAGE_KINDS if form.get(f"send:{k}") != "1"]
            await run_in_threadpool(
                lambda: ns.set_notifications(
                    hub.uow(), staff.business.id, rules, off, by=staff.by, now=hub.now()
                )
            )
        except DomainError as exc:
            problem = staff.t("console.refused.validation_error") + f" ({exc.message})"
            return await notifications_page(request, staff, problem, 422, form=form)
        return RedirectResponse("/console/notifications?done=1", status_code=303)

    def admin(handler: Any) -> Any:
        return staff_only(pages, handler, admin=True)

    return [
        Route("/notifications", admin(notifications_page), methods=["GET"]),
        Route("/notifications", admin(save), methods=["POST"]),
    ]
