"""The console's booking form, read: times, invitees as typed ("María López
<maria@example.com>"), the invitee list's add and remove buttons, and a series' repeat.

The pages that show the form are ``console_booking`` (new booking) and ``console_agenda``
(a booking's page).
"""

from __future__ import annotations

from datetime import date, time
from email.utils import getaddresses

from booking_pages import catalogue
from hub.domain.errors import ValidationError
from hub.services.customers import InviteeDetails
from hub.services.recurrence import MonthlyByWeekday, Repeat, Weekly, week_of_month
from hub.services.series import MAX_SERIES

MAX_INVITEES = 50


def parse_time(text: str) -> time | None:
    try:
        return time.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def parse_invitees(text: str) -> list[InviteeDetails] | None:
    """Addresses as typed ("María López <maria@example.com>", one a line or comma-separated);
    None when something is not an address (the core checks each one further)."""
    found: list[InviteeDetails] = []
    for name, email in getaddresses([text.replace("\n", ",")]):
        if not email and not name:
            continue
        if "@" not in email:
            return None
        found.append(InviteeDetails(email, name))
    return found


def edit_invitees(text: str, add: str, remove: str) -> str:
    """The invitees field with ``add`` appended and ``remove`` (an address) left out."""
    current = parse_invitees(text) or []
    if add:
        current += parse_invitees(add) or []
    lines: list[str] = []
    seen: set[str] = set()
    for who in current:
        key = who.email.lower()
        if key in seen or key == remove.strip().lower():
            continue
        seen.add(key)
        name = "".join(c for c in who.name if c not in ',;:<>"@()[]\\')
        lines.append(f"{name} <{who.email}>" if name.strip() else who.email)
    return "\n".join(lines)


def parse_repeat(values: dict[str, str], first: date | None = None) -> Repeat | None:
    """Every N weeks, or the same weekday of every N months (the first date's: "2nd
    Tuesday"), N times or until a date; None when neither is given right."""
    until = catalogue.parse_day(values.get("repeat_until")) if values.get("repeat_until") else None
    count: int | None = None
    if until is None:
        text = values.get("repeat_count", "")
        if not text.isdigit() or not 1 <= int(text) <= MAX_SERIES:
            return None
        count = int(text)
    every = values.get("repeat_every", "") or "1"
    if not every.isdigit() or not 1 <= int(every) <= 52:
        return None
    try:
        if values.get("repeat_freq") == "monthly":
            day = first or catalogue.parse_day(values.get("date"))
            if day is None or int(every) > 12:
                return None
            return MonthlyByWeekday(
                week=week_of_month(day), every_months=int(every), count=count, until=until
            )
        return Weekly(every_weeks=int(every), count=count, until=until)
    except ValidationError:
        return None
