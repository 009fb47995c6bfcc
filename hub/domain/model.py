"""Entities of a business's setup: businesses, branches, resources, groups, services, blocks,
customers, and the records the core keeps (service records, audit entries, outbox events).

Bookings and their state machine live in ``hub.domain.booking``.
"""

from __future__ import annotations

import enum
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hub.domain.errors import ValidationError
from hub.domain.geo import CoverageMode, GeoPoint, TravelModel
from hub.domain.policies import BookingPolicy, DepositRule, RefundRule

SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")


def new_id() -> str:
    """Opaque, unguessable-enough identifier for every entity (UUID4, hex with dashes)."""
    return str(uuid.uuid4())


def new_token() -> str:
    """Unguessable public token (for the client's manage link, feeds)."""
    return secrets.token_urlsafe(24)


def require_aware(value: datetime, field_name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(f"{field_name} must carry a timezone offset", field=field_name)
    return value


# Calendar arithmetic (the day after, a week either side, local midnight in UTC) must stay
# inside what ``datetime`` can hold; nothing is booked outside these days.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9000, 12, 31)


def require_day_in_range(value: date, field_name: str) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValidationError(
            f"{field_name} must be between {FIRST_DAY} and {LAST_DAY}", field=field_name
        )
    return value


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"unknown timezone {name!r}", field="timezone") from exc
    return name


class Weekday(enum.IntEnum):
    MON = 0
    TUE = 1
    WED = 2
    THU = 3
    FRI = 4
    SAT = 5
    SUN = 6


@dataclass(frozen=True, slots=True)
class WeeklyInterval:
    """Open from ``start`` to ``end`` (wall clock, business timezone) on ``weekday``."""

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValidationError("weekday must be 0 (Monday) to 6 (Sunday)", field="weekday")
        if self.end <= self.start and self.end != time(0):
            raise ValidationError("an interval must end after it starts", field="end")


@dataclass(frozen=True, slots=True)
class DateException:
    """Closed from ``start_date`` to ``end_date`` inclusive (holiday, vacation) when
    ``intervals`` is empty; otherwise those are the opening hours on each of those dates
    (extra or different opening)."""

    start_date: date
    end_date: date
    intervals: tuple[tuple[time, time], ...] = ()
    reason: str = ""
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if self.end_date < self.start_date:
            raise ValidationError("an exception must end on or after its start", field="end_date")
        for start, end in self.intervals:
            if end <= start and end != time(0):
                raise ValidationError("an interval must end after it starts", field="intervals")

    @property
    def closed(self) -> bool:
        return not self.intervals


class PricingStrategy(enum.StrEnum):
    FIXED = "fixed"
    PER_RESOURCE = "per_resource"
    PER_PERSON = "per_person"


@dataclass(slots=True)
class Business:
    slug: str
    name: str
    timezone: str = "UTC"
    currency: str = "USD"
    language: str = "en"
    country: str | None = None  # ISO 3166 alpha-2, the default region for phone numbers
    policy: BookingPolicy = field(default_factory=BookingPolicy)
    deposit: DepositRule = field(default_factory=DepositRule)
    refund: RefundRule = field(default_factory=RefundRule)
    whatsapp_contact: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    travel: TravelModel = field(default_factory=TravelModel)  # at-address services
    id: str = field(default_factory=new_id)
    version: int = field(default=1, compare=False)  # the stored row's; persistence bumps it

    def __post_init__(self) -> None:
        check_timezone(self.timezone)
        if (
            not self.slug
            or not self.slug.replace("-", "").isalnum()
            or self.slug != self.slug.lower()
        ):
            raise ValidationError(
                "a slug is lowercase letters, digits and dashes", field="slug", value=self.slug
            )
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValidationError("currency must be an ISO 4217 code", field="currency")
        self.currency = self.currency.upper()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(slots=True)
class Branch:
    business_id: str
    name: str
    address: str = ""
    lat: float | None = None
    lng: float | None = None
    coverage_km: float | None = None  # at-address services: how far from the base it goes
    coverage_mode: CoverageMode = CoverageMode.REFUSE  # outside coverage: refuse or flag
    hours: tuple[WeeklyInterval, ...] = ()  # empty: no branch-level restriction
    exceptions: tuple[DateException, ...] = ()
    active: bool = True  # archived: no longer offered to clients; its history stays
    id: str = field(default_factory=new_id)
    version: int = field(default=1, compare=False)  # the stored row's; persistence bumps it

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValidationError("a branch needs a name", field="name")
        if (self.lat is None) != (self.lng is None):
            raise ValidationError("give both latitude and longitude, or neither", field="lat")
        if self.lat is not None and not -90 <= self.lat <= 90:
            raise ValidationError("latitude is between -90 and 90", field="lat")
        if self.lng is not None and not -180 <= self.lng <= 180:
            raise ValidationError("longitude is between -180 and 180", field="lng")
        if self.coverage_km is not None and not 0 <= self.coverage_km <= 20000:
            raise ValidationError("coverage is 0 to 20000 km", field="coverage_km")

    @property
    def base(self) -> GeoPoint | None:
        return GeoPoint.maybe(self.lat, self.lng)


class ResourceKind(enum.StrEnum):
    PERSON = "person"
    ROOM = "room"
    VEHICLE = "vehicle"
    EQUIPMENT = "equipment"


@dataclass(slots=True)
class Resource:
    business_id: str
    name: str
    kind: ResourceKind = ResourceKind.PERSON
    capacity: int = 1
    branch_ids: tuple[str, ...] = ()
    weekly: tuple[WeeklyInterval, ...] = ()
    exceptions: tuple[DateException, ...] = ()
    color: str = "#3a87ad"
    price_minor: int | None = None  # for per-resource pricing
    active: bool = True
    base: GeoPoint | None = None  # where an at-address worker starts and ends the day
    id: str = field(default_factory=new_id)
    version: int = field(default=1, compare=False)  # the stored row's; persistence bumps it

    def __post_init__(self) -> None:
        if self.capacity < 1:
            raise ValidationError("capacity must be at least 1", field="capacity")
        if not self.name.strip():
            raise ValidationError("a resource needs a name", field="name")
        if self.price_minor is not None and self.price_minor < 0:
            raise ValidationError("price cannot be negative", field="price_minor")


@dataclass(slots=True)
class ResourceGroup:
    business_id: str
    name: str
    resource_ids: tuple[str, ...] = ()
    id: str = field(default_factory=new_id)


@dataclass(slots=True)
class Service:
    business_id: str
    name: str
    duration_minutes: int
    price_minor: int = 0
    pricing: PricingStrategy = PricingStrategy.FIXED
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    deposit: DepositRule | None = None  # None: the business's rule
    at_client_address: bool = False
    video_meeting: bool = False
    resource_ids: tuple[str, ...] = ()
    group_ids: tuple[str, ...] = ()
    max_persons: int = 1
    description: str = ""
    active: bool = True
    id: str = field(default_factory=new_id)
    version: int = field(default=1, compare=False)  # the stored row's; persistence bumps it

    def __post_init__(self) -> None:
        if self.duration_minutes <= 0:
            raise ValidationError("duration must be positive", field="duration_minutes")
        if self.price_minor < 0:
            raise ValidationError("price cannot be negative", field="price_minor")
        if self.buffer_before_minutes < 0 or self.buffer_after_minutes < 0:
            raise ValidationError("buffers cannot be negative", field="buffer_before_minutes")
        if self.max_persons < 1:
            raise ValidationError("max_persons must be at least 1", field="max_persons")
        if not self.name.strip():
            raise ValidationError("a service needs a name", field="name")

    def price_for(self, persons: int, resource: Resource | None) -> int:
        if self.pricing is PricingStrategy.PER_PERSON:
            return self.price_minor * persons
        if self.pricing is PricingStrategy.PER_RESOURCE and resource is not None:
            return resource.price_minor if resource.price_minor is not None else self.price_minor
        return self.price_minor

    def deposit_rule(self, business: Business) -> DepositRule:
        return self.deposit if self.deposit is not None else business.deposit


@dataclass(slots=True)
class Block:
    """A busy interval on a resource (or a whole branch when ``resource_id`` is None)."""

    business_id: str
    start: datetime
    end: datetime
    reason: str = ""
    resource_id: str | None = None
    branch_id: str | None = None
    source: str = "console"  # console | api | caldav | import | google
    series_id: str | None = None
    external_uid: str | None = None
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        require_aware(self.start, "start")
        require_aware(self.end, "end")
        if self.end <= self.start:
            raise ValidationError("a block must end after it starts", field="end")
        if self.resource_id is None and self.branch_id is None:
            raise ValidationError("a block needs a resource or a branch", field="resource_id")


@dataclass(slots=True)
class Customer:
    business_id: str
    name: str
    phone: str | None = None  # E.164
    email: str | None = None
    address: str | None = None
    id: str = field(default_factory=new_id)
    version: int = field(default=1, compare=False)  # the stored row's; persistence bumps it


@dataclass(slots=True)
class ServiceRecord:
    """What was done and charged when a booking completed (the car wash's "registro")."""

    business_id: str
    booking_id: str
    service_id: str
    resource_id: str
    customer_id: str
    performed_at: datetime
    charged_minor: int
    currency: str
    notes: str = ""
    id: str = field(default_factory=new_id)


@dataclass(slots=True)
class AuditEntry:
    business_id: str
    entity: str
    entity_id: str
    action: str
    actor: str
    channel: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    actor_id: str | None = None
    id: str = field(default_factory=new_id)


@dataclass(slots=True)
class OutboxEvent:
    """A side effect to carry out after commit (email, WhatsApp, Google, webhooks)."""

    business_id: str
    type: str  # booking.created, booking.rescheduled, …
    aggregate_id: str
    payload: dict[str, Any]
    created_at: datetime
    id: str = field(default_factory=new_id)
    dispatched_at: datetime | None = None
