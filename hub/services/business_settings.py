"""Use case: a business admin changes the business's own settings — name, contact WhatsApp,
language, timezone, currency, booking rules, the deposit ("seña") asked by default and the
refund rule — in one validated step.

What a change of timezone or currency means for bookings already made:

- Timezone: a booking is an instant; it stays at the same moment, so it reads at another
  wall-clock time in the new zone (10:00 in Buenos Aires is 08:00 in Santiago de Chile in
  winter). Opening hours are wall-clock and now apply in the new zone.
- Currency: a booking keeps the price, deposit and currency it was made with (and a paid
  deposit is refunded in the currency it was paid in); service prices are numbers that are
  not converted, so new bookings charge the same numbers in the new currency.

While upcoming bookings exist, either change must be confirmed (``confirm=True``); unconfirmed
it is refused with ``ConflictError`` naming how many bookings it concerns, and nothing is
written. A new deposit applies to bookings made from then on (a booking keeps the deposit it
was made with); the refund rule is the one in force when a booking is cancelled. The slug,
payment providers and channels are not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from hub.domain.booking import OCCUPYING, ChangedBy
from hub.domain.errors import ConflictError, ValidationError
from hub.domain.model import Business, check_timezone, require_aware
from hub.domain.policies import BookingPolicy, DepositKind, DepositRule
from hub.services.calendars import get_business
from hub.services.customers import normalise_phone
from hub.services.events import record_audit
from hub.services.ports import UnitOfWork

LANGUAGES = ("es", "en")
POLICY_FIELDS = (
    "min_notice_minutes",
    "horizon_days",
    "slot_step_minutes",
    "requires_confirmation",
    "hold_minutes",
    "client_cancel_until_hours",
    "client_reschedule_until_hours",
    "max_reschedules",
    "no_show_after_minutes",
)
# Upper bounds a person would never mean to pass (a typo of extra zeros is refused, not kept).
POLICY_LIMITS = {
    "min_notice_minutes": 60 * 24 * 365,
    "horizon_days": 3 * 365,
    "slot_step_minutes": 24 * 60,
    "hold_minutes": 60 * 24 * 7,
    "client_cancel_until_hours": 24 * 365,
    "client_reschedule_until_hours": 24 * 365,
    "max_reschedules": 100,
    "no_show_after_minutes": 24 * 60,
}
_FAR = timedelta(days=3660)
MAX_MINOR = 10**12


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """The fields to change; None leaves one as it is (``whatsapp_contact=""`` clears it).
    ``rules`` holds booking-rule fields by name (``POLICY_FIELDS``)."""

    name: str | None = None
    whatsapp_contact: str | None = None
    language: str | None = None
    timezone: str | None = None
    currency: str | None = None
    rules: Mapping[str, Any] | None = None
    deposit: tuple[str, int] | None = None  # (kind, value): none, percent 1-100, fixed minor
    refund_hours: int | None = None  # a client cancelling this long before gets it back


def upcoming_bookings(uow: UnitOfWork, business_id: str, now: datetime) -> int:
    """How many bookings still to happen (pending, confirmed or under way) the business has."""
    require_aware(now, "now")
    with uow:
        get_business(uow, business_id)
        return len(uow.bookings.list_range(business_id, now, now + _FAR, None, list(OCCUPYING)))


def change_settings(
    uow: UnitOfWork,
    business_id: str,
    change: SettingsChange,
    *,
    confirm: bool = False,
    by: ChangedBy,
    now: datetime,
) -> Business:
    """Apply ``change`` after validating all of it (nothing is written if any part is bad)."""
    require_aware(now, "now")
    with uow:
        business = get_business(uow, business_id)
        before = _snapshot(business)
        _apply(business, change)
        moved = [k for k in ("timezone", "currency") if before[k] != getattr(business, k)]
        if moved and not confirm:
            upcoming = len(
                uow.bookings.list_range(business_id, now, now + _FAR, None, list(OCCUPYING))
            )
            if upcoming:
                raise ConflictError(
                    f"{upcoming} upcoming bookings keep their time and price: confirm the change",
                    field=moved[0],
                    rule="confirm_change",
                    upcoming=upcoming,
                    changes=moved,
                )
        after = _snapshot(business)
        changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        uow.businesses.update(business)
        record_audit(
            uow,
            business_id=business_id,
            entity="business",
            entity_id=business_id,
            action="settings_changed",
            by=by,
            now=now,
            data=changed,
        )
        uow.commit()
    return business


def _snapshot(business: Business) -> dict[str, Any]:
    policy = business.policy
    return {
        "name": business.name,
        "whatsapp_contact": business.whatsapp_contact,
        "language": business.language,
        "timezone": business.timezone,
        "currency": business.currency,
        **{k: getattr(policy, k) for k in POLICY_FIELDS},
        "deposit": [business.deposit.kind.value, business.deposit.value],
        "refund_hours": business.refund.full_refund_hours,
    }


def _apply(business: Business, change: SettingsChange) -> None:
    if change.name is not None:
        name = change.name.strip()
        if not name or len(name) > 120:
            raise ValidationError("a business needs a name of at most 120 characters", field="name")
        business.name = name
    if change.whatsapp_contact is not None:
        raw = change.whatsapp_contact.strip()
        business.whatsapp_contact = _whatsapp(raw, business.country) if raw else None
    if change.language is not None:
        if change.language not in LANGUAGES:
            raise ValidationError("language must be es or en", field="language")
        business.language = change.language
    if change.timezone is not None:
        business.timezone = check_timezone(change.timezone.strip())
    if change.currency is not None:
        code = change.currency.strip()
        if len(code) != 3 or not code.isascii() or not code.isalpha():
            raise ValidationError("currency must be an ISO 4217 code", field="currency")
        business.currency = code.upper()
    if change.rules:
        business.policy = _policy(business.policy, change.rules)
    if change.deposit is not None:
        kind, value = change.deposit
        try:
            deposit_kind = DepositKind(kind)
        except ValueError as exc:
            raise ValidationError("a deposit is none, percent or fixed", field="deposit") from exc
        if deposit_kind is not DepositKind.NONE and value <= 0:
            raise ValidationError("say how much the deposit is", field="deposit")
        if value > MAX_MINOR:
            raise ValidationError("the deposit is too large", field="deposit")
        value = 0 if deposit_kind is DepositKind.NONE else value
        business.deposit = DepositRule(deposit_kind, value, business.deposit.provider)
    if change.refund_hours is not None:
        if not 0 <= change.refund_hours <= POLICY_LIMITS["client_cancel_until_hours"]:
            raise ValidationError("refund hours are between 0 and 8760", field="refund_hours")
        business.refund = replace(business.refund, full_refund_hours=change.refund_hours)


def _policy(policy: BookingPolicy, rules: Mapping[str, Any]) -> BookingPolicy:
    unknown = sorted(set(rules) - set(POLICY_FIELDS))
    if unknown:
        raise ValidationError(f"unknown booking rule {unknown[0]!r}", field=unknown[0])
    for name, value in rules.items():
        if name == "requires_confirmation":
            if not isinstance(value, bool):
                raise ValidationError(f"{name} is true or false", field=name)
        elif name in ("slot_step_minutes", "no_show_after_minutes") and value is None:
            continue
        elif not isinstance(value, int) or isinstance(value, bool):
            raise ValidationError(f"{name} must be a whole number", field=name)
        elif not 0 <= value <= POLICY_LIMITS[name]:
            raise ValidationError(f"{name} must be between 0 and {POLICY_LIMITS[name]}", field=name)
    return replace(policy, **dict(rules))


def _whatsapp(raw: str, country: str | None) -> str:
    try:
        return normalise_phone(raw, country)
    except ValidationError as exc:
        raise ValidationError(exc.message, field="whatsapp_contact") from exc
