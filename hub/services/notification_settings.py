"""Use case: a business admin says when reminders go out and which messages are sent.

Stored in ``Business.settings``: ``"reminders"`` (a list of ``{"channel", "minutes_before"}``,
read by the scheduler; the seeds want 24 h by WhatsApp for the car wash and 15 minutes by
email for meeting rooms) and ``"messages_off"`` (the message kinds the business does not
send, by any channel). Validated here so that the scheduler never meets a value it must
ignore. The text of each message and the WhatsApp channel's own settings are not here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.domain.booking import ChangedBy
from hub.domain.errors import ValidationError
from hub.domain.model import require_aware
from hub.services.calendars import get_business
from hub.services.events import record_audit
from hub.services.ports import UnitOfWork

CHANNELS = ("whatsapp", "email")
# The messages a client may get; "reminder" off sends no reminder at all.
MESSAGE_KINDS = (
    "received",
    "confirmed",
    "rescheduled",
    "cancelled",
    "expired",
    "reminder",
    "thank_you",
)
MAX_REMINDERS = 6
MAX_MINUTES_BEFORE = 60 * 24 * 60  # sixty days
DEFAULT_REMINDERS = (("whatsapp", 24 * 60), ("email", 24 * 60))


@dataclass(frozen=True, slots=True)
class ReminderRule:
    """One reminder: by ``channel``, ``minutes_before`` the booking starts."""

    channel: str
    minutes_before: int

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValidationError("a reminder goes by WhatsApp or email", field="channel")
        if isinstance(self.minutes_before, bool) or not isinstance(self.minutes_before, int):
            raise ValidationError("minutes_before is a whole number", field="minutes_before")
        if not 1 <= self.minutes_before <= MAX_MINUTES_BEFORE:
            raise ValidationError(
                f"a reminder goes 1 to {MAX_MINUTES_BEFORE} minutes before",
                field="minutes_before",
            )


@dataclass(frozen=True, slots=True)
class NotificationSettings:
    reminders: tuple[ReminderRule, ...]
    messages_off: tuple[str, ...]


def read_notifications(settings: dict[str, Any]) -> NotificationSettings:
    """What ``Business.settings`` says (the defaults when nothing was set)."""
    raw = settings.get("reminders")
    rules: list[ReminderRule] = []
    if raw is None:
        rules = [ReminderRule(c, m) for c, m in DEFAULT_REMINDERS]
    for item in raw if isinstance(raw, list) else []:
        try:
            rules.append(ReminderRule(item["channel"], item["minutes_before"]))
        except (TypeError, KeyError, ValidationError):
            continue
    off = settings.get("messages_off")
    kinds = tuple(k for k in MESSAGE_KINDS if isinstance(off, list) and k in off)
    return NotificationSettings(tuple(rules), kinds)


def get_notifications(uow: UnitOfWork, business_id: str) -> NotificationSettings:
    with uow:
        return read_notifications(get_business(uow, business_id).settings)


def set_notifications(
    uow: UnitOfWork,
    business_id: str,
    reminders: Sequence[ReminderRule],
    messages_off: Collection[str],
    *,
    by: ChangedBy,
    now: datetime,
) -> NotificationSettings:
    """Replace the business's reminders and the messages it does not send. Bookings already
    made get the new reminders as soon as they next change; from then on for new ones."""
    require_aware(now, "now")
    unique = tuple(dict.fromkeys(reminders))
    if len(unique) > MAX_REMINDERS:
        raise ValidationError(f"at most {MAX_REMINDERS} reminders", field="reminders")
    unknown = sorted(set(messages_off) - set(MESSAGE_KINDS))
    if unknown:
        raise ValidationError(f"unknown message {unknown[0]!r}", field="messages_off")
    off = tuple(k for k in MESSAGE_KINDS if k in messages_off)
    with uow:
        business = get_business(uow, business_id)
        before = read_notifications(business.settings)
        business.settings = {
            **business.settings,
            "reminders": [
                {"channel": r.channel, "minutes_before": r.minutes_before}
                for r in sorted(unique, key=lambda r: (-r.minutes_before, r.channel))
            ],
            "messages_off": list(off),
        }
        uow.businesses.update(business)
        record_audit(
            uow,
            business_id=business_id,
            entity="business",
            entity_id=business_id,
            action="notifications_changed",
            by=by,
            now=now,
            data={
                "reminders": [[r.channel, r.minutes_before] for r in unique],
                "messages_off": list(off),
                "was_off": list(before.messages_off),
            },
        )
        uow.commit()
        return read_notifications(business.settings)
