"""Domain objects as API JSON, and the response schemas that describe them.

Instants are rendered in the business's timezone (RFC 3339 with its offset). Each
``*_SCHEMA`` sits next to the function that produces that shape so the two change together.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from hub.api.schemas import DATE, DATE_TIME, ID, Schema, array, nullable, obj
from hub.domain.accounts import ApiKey
from hub.domain.booking import Booking
from hub.domain.model import (
    Block,
    Branch,
    Business,
    Customer,
    DateException,
    Resource,
    ResourceGroup,
    Service,
    WeeklyInterval,
)

STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
BOOL: Schema = {"type": "boolean"}
NUM: Schema = {"type": "number"}


def at(value: datetime | None, tz: str) -> str | None:
    return None if value is None else value.astimezone(ZoneInfo(tz)).isoformat()


def hhmm(value: time) -> str:
    return value.strftime("%H:%M")


INTERVAL_SCHEMA = obj(
    {"weekday": INT, "start": STR, "end": STR}, ("weekday", "start", "end"), closed=False
)


def interval(rule: WeeklyInterval) -> dict[str, Any]:
    return {"weekday": rule.weekday, "start": hhmm(rule.start), "end": hhmm(rule.end)}


EXCEPTION_SCHEMA = obj(
    {
        "id": ID,
        "start_date": DATE,
        "end_date": DATE,
        "intervals": array(obj({"start": STR, "end": STR}, closed=False)),
        "reason": STR,
        "closed": BOOL,
    },
    ("id", "start_date", "end_date", "intervals", "closed"),
    closed=False,
)


def exception(item: DateException, **owner: str | None) -> dict[str, Any]:
    return {
        "id": item.id,
        **owner,
        "start_date": item.start_date.isoformat(),
        "end_date": item.end_date.isoformat(),
        "intervals": [{"start": hhmm(s), "end": hhmm(e)} for s, e in item.intervals],
        "reason": item.reason,
        "closed": item.closed,
    }


BRANCH_SCHEMA = obj(
    {
        "id": ID,
        "name": STR,
        "address": STR,
        "lat": nullable(NUM),
        "lng": nullable(NUM),
        "coverage_km": nullable(NUM),
        "coverage_mode": STR,
        "hours": array(INTERVAL_SCHEMA),
        "exceptions": array(EXCEPTION_SCHEMA),
        "active": BOOL,
    },
    ("id", "name"),
    closed=False,
)


def branch(item: Branch) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "address": item.address,
        "lat": item.lat,
        "lng": item.lng,
        "coverage_km": item.coverage_km,
        "coverage_mode": item.coverage_mode.value,
        "hours": [interval(r) for r in item.hours],
        "exceptions": [exception(e) for e in item.exceptions],
        "active": item.active,
    }


RESOURCE_SCHEMA = obj(
    {
        "id": ID,
        "name": STR,
        "kind": STR,
        "capacity": INT,
        "branch_ids": array(STR),
        "weekly": array(INTERVAL_SCHEMA),
        "color": STR,
        "price_minor": nullable(INT),
        "active": BOOL,
        "base": nullable(obj({"lat": NUM, "lng": NUM}, ("lat", "lng"), closed=False)),
    },
    ("id", "name", "kind", "capacity"),
    closed=False,
)


def resource(item: Resource) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "kind": item.kind.value,
        "capacity": item.capacity,
        "branch_ids": list(item.branch_ids),
        "weekly": [interval(r) for r in item.weekly],
        "color": item.color,
        "price_minor": item.price_minor,
        "active": item.active,
        "base": None if item.base is None else {"lat": item.base.lat, "lng": item.base.lng},
    }


PUBLIC_RESOURCE_SCHEMA = obj({"id": ID, "name": STR, "kind": STR}, ("id", "name"), closed=False)


def public_resource(item: Resource) -> dict[str, Any]:
    return {"id": item.id, "name": item.name, "kind": item.kind.value}


GROUP_SCHEMA = obj(
    {"id": ID, "name": STR, "resource_ids": array(STR)},
    ("id", "name", "resource_ids"),
    closed=False,
)


def group(item: ResourceGroup) -> dict[str, Any]:
    return {"id": item.id, "name": item.name, "resource_ids": list(item.resource_ids)}


SERVICE_SCHEMA = obj(
    {
        "id": ID,
        "name": STR,
        "description": STR,
        "duration_minutes": INT,
        "price_minor": INT,
        "currency": STR,
        "pricing": STR,
        "buffer_before_minutes": INT,
        "buffer_after_minutes": INT,
        "at_client_address": BOOL,
        "video_meeting": BOOL,
        "resource_ids": array(STR),
        "group_ids": array(STR),
        "max_persons": INT,
        "active": BOOL,
    },
    ("id", "name", "duration_minutes", "price_minor"),
    closed=False,
)


def service(item: Service, business: Business) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "description": item.description,
        "duration_minutes": item.duration_minutes,
        "price_minor": item.price_minor,
        "currency": business.currency,
        "pricing": item.pricing.value,
        "buffer_before_minutes": item.buffer_before_minutes,
        "buffer_after_minutes": item.buffer_after_minutes,
        "at_client_address": item.at_client_address,
        "video_meeting": item.video_meeting,
        "resource_ids": list(item.resource_ids),
        "group_ids": list(item.group_ids),
        "max_persons": item.max_persons,
        "active": item.active,
    }


BLOCK_SCHEMA = obj(
    {
        "id": ID,
        "start": DATE_TIME,
        "end": DATE_TIME,
        "reason": STR,
        "resource_id": nullable(STR),
        "branch_id": nullable(STR),
        "source": STR,
    },
    ("id", "start", "end"),
    closed=False,
)


def block(item: Block, tz: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "start": at(item.start, tz),
        "end": at(item.end, tz),
        "reason": item.reason,
        "resource_id": item.resource_id,
        "branch_id": item.branch_id,
        "source": item.source,
    }


CUSTOMER_SCHEMA = obj(
    {
        "id": ID,
        "name": STR,
        "phone": nullable(STR),
        "email": nullable(STR),
        "address": nullable(STR),
    },
    ("id", "name"),
    closed=False,
)


def customer(item: Customer) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "phone": item.phone,
        "email": item.email,
        "address": item.address,
    }


API_KEY_SCHEMA = obj(
    {
        "id": ID,
        "name": STR,
        "prefix": STR,
        "created_at": DATE_TIME,
        "last_used_at": nullable(DATE_TIME),
        "revoked_at": nullable(DATE_TIME),
        "active": BOOL,
    },
    ("id", "name", "prefix", "active"),
    closed=False,
)


def api_key(item: ApiKey, tz: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "prefix": item.prefix,
        "created_at": at(item.created_at, tz),
        "last_used_at": at(item.last_used_at, tz),
        "revoked_at": at(item.revoked_at, tz),
        "active": item.active,
    }


def etag(booking: Booking) -> str:
    return f'"{booking.id}.{booking.version}"'
