"""Use cases of a business's WhatsApp settings: the Cloud API number and account it sends
from (phone-number id, WhatsApp Business Account id), its credentials (access token, app
secret, verify token — handed in already sealed by the adapter, never read back here), and
the templates each message kind goes as, with the review status Meta last reported.

Everything lands in ``business.settings["whatsapp"]`` in one transaction, audited without
the secrets. Not here: talking to Meta or sealing secrets (``connectors.notify``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from hub.domain.booking import ChangedBy
from hub.domain.errors import ValidationError
from hub.domain.model import Business
from hub.services.calendars import get_business
from hub.services.events import record_audit
from hub.services.notification_settings import MESSAGE_KINDS
from hub.services.ports import UnitOfWork

_GRAPH_ID = re.compile(r"^[0-9]{5,32}$")  # Graph node ids are numeric
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
_STATUSES = frozenset({"APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "MISSING", ""})
SECRETS = ("token", "app_secret", "verify_token")


@dataclass(frozen=True, slots=True)
class WhatsAppChange:
    """What the admin typed. ``None`` (or a blank secret) keeps the value stored."""

    phone_number_id: str | None = None
    waba_id: str | None = None
    token: str | None = None
    app_secret: str | None = None
    verify_token: str | None = None
    # The message kinds that do not go by WhatsApp (None: as stored). Email is not affected.
    messages_off: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class TemplateSetting:
    """The template one message kind goes as in one language (``key``: "reminder.es")."""

    key: str
    name: str
    language: str
    status: str = ""
    reason: str = ""
    # A business's own text as a template: the placeholder each {{n}} stands for, in order
    # (empty: our shipped template's four parameters).
    params: tuple[str, ...] = ()


MAX_PARAMS = 20
_PARAM = re.compile(r"^[a-z_]{1,40}$")


def messages_off(business: Business) -> tuple[str, ...]:
    """The message kinds the business does not send by WhatsApp."""
    off = _config(business).get("messages_off") or ()
    return tuple(str(k) for k in off if k in MESSAGE_KINDS)


def _config(business: Business) -> dict[str, Any]:
    config = business.settings.get("whatsapp")
    return dict(config) if isinstance(config, Mapping) else {}


def _store(
    uow: UnitOfWork,
    business: Business,
    config: dict[str, Any],
    *,
    action: str,
    data: dict[str, Any],
    by: ChangedBy,
    now: datetime,
) -> Business:
    updated = replace(business, settings={**business.settings, "whatsapp": config})
    uow.businesses.update(updated)
    record_audit(
        uow,
        business_id=business.id,
        entity="business",
        entity_id=business.id,
        action=action,
        by=by,
        now=now,
        data=data,
    )
    uow.commit()
    return updated


def save_whatsapp(
    uow: UnitOfWork, business_id: str, change: WhatsAppChange, *, by: ChangedBy, now: datetime
) -> Business:
    """Store the number, account and credentials; refuses ids that are not Graph ids and a
    number without its access token."""
    for field in ("phone_number_id", "waba_id"):
        value = getattr(change, field)
        if value and not _GRAPH_ID.match(value):
            raise ValidationError(f"the {field.replace('_', ' ')} is a number", field=field)
    with uow:
        business = get_business(uow, business_id)
        config = _config(business)
        changed = []
        for field in ("phone_number_id", "waba_id"):
            value = getattr(change, field)
            if value is not None and value != config.get(field):
                config[field] = value
                changed.append(field)
        for field in SECRETS:
            value = getattr(change, field)
            if value:
                config[field] = value
                changed.append(field)
        if change.messages_off is not None:
            unknown = sorted(set(change.messages_off) - set(MESSAGE_KINDS))
            if unknown:
                raise ValidationError(
                    f"unknown message kind {unknown[0]!r}", field="messages_off", kinds=unknown
                )
            off = [k for k in MESSAGE_KINDS if k in change.messages_off]
            if off != list(config.get("messages_off") or []):
                config["messages_off"] = off
                changed.append("messages_off")
        if config.get("phone_number_id") and not config.get("token"):
            raise ValidationError("the access token is needed to send", field="token")
        return _store(
            uow,
            business,
            config,
            action="whatsapp_updated",
            data={"changed": changed},
            by=by,
            now=now,
        )


def save_templates(
    uow: UnitOfWork,
    business_id: str,
    templates: list[TemplateSetting],
    *,
    by: ChangedBy,
    now: datetime,
) -> Business:
    """Record which template each kind goes as and its review status (merged over what is
    stored; a kind not named keeps its choice)."""
    for item in templates:
        if len(item.params) > MAX_PARAMS or not all(_PARAM.match(p) for p in item.params):
            raise ValidationError("a template's placeholders are names", field="params")
        if not _TEMPLATE_NAME.match(item.name):
            raise ValidationError(f"{item.name!r} is not a template name", field="name")
        if not _LANGUAGE.match(item.language) or item.status not in _STATUSES:
            raise ValidationError(f"{item.language!r} is not a language code", field="language")
    with uow:
        business = get_business(uow, business_id)
        config = _config(business)
        chosen = dict(config.get("templates") or {})
        for item in templates:
            before = chosen.get(item.key) or {}
            params = list(item.params)
            if not params and before.get("name") == item.name:
                params = list(before.get("params") or [])  # a status refresh keeps them
            chosen[item.key] = {
                "name": item.name,
                "language": item.language,
                "status": item.status,
                "reason": item.reason[:200],
                "params": params,
            }
        config["templates"] = chosen
        return _store(
            uow,
            business,
            config,
            action="whatsapp_templates",
            data={t.key: t.status for t in templates},
            by=by,
            now=now,
        )
