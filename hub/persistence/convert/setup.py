"""Conversions of a business's setup: businesses, branches, resources, groups, services,
customers, and the JSON shapes of their value objects (weekly rules, deposit rules).

Bookings and the records the core writes as it runs are in ``convert.bookings``.
"""

from __future__ import annotations

import dataclasses
from datetime import date, time
from typing import Any

from sqlalchemy import Row

from hub.domain.geo import CoverageMode, GeoPoint, TravelModel
from hub.domain.model import (
    Branch,
    Business,
    Customer,
    DateException,
    PricingStrategy,
    Resource,
    ResourceGroup,
    ResourceKind,
    Service,
    WeeklyInterval,
)
from hub.domain.policies import BookingPolicy, DepositKind, DepositRule, RefundRule
from hub.persistence.models import (
    BranchRow,
    BusinessRow,
    CustomerRow,
    GroupRow,
    ResourceRow,
    ServiceRow,
)

# -- value objects -----------------------------------------------------------------------


def rules_to_json(
    weekly: tuple[WeeklyInterval, ...], exceptions: tuple[DateException, ...]
) -> dict[str, Any]:
    return {
        "weekly": [[w.weekday, w.start.isoformat(), w.end.isoformat()] for w in weekly],
        "exceptions": [
            {
                "id": e.id,
                "start_date": e.start_date.isoformat(),
                "end_date": e.end_date.isoformat(),
                "intervals": [[s.isoformat(), t.isoformat()] for s, t in e.intervals],
                "reason": e.reason,
            }
            for e in exceptions
        ],
    }


def rules_from_json(
    data: dict[str, Any],
) -> tuple[tuple[WeeklyInterval, ...], tuple[DateException, ...]]:
    weekly = tuple(
        WeeklyInterval(int(d), time.fromisoformat(s), time.fromisoformat(e))
        for d, s, e in data.get("weekly", [])
    )
    exceptions = tuple(
        DateException(
            start_date=date.fromisoformat(e["start_date"]),
            end_date=date.fromisoformat(e["end_date"]),
            intervals=tuple(
                (time.fromisoformat(s), time.fromisoformat(t)) for s, t in e["intervals"]
            ),
            reason=e.get("reason", ""),
            id=e["id"],
        )
        for e in data.get("exceptions", [])
    )
    return weekly, exceptions


def deposit_to_json(rule: DepositRule) -> dict[str, Any]:
    return {"kind": rule.kind.value, "value": rule.value, "provider": rule.provider}


def deposit_from_json(data: dict[str, Any]) -> DepositRule:
    return DepositRule(DepositKind(data["kind"]), int(data["value"]), data.get("provider"))


# -- setup -------------------------------------------------------------------------------


def business_to_row(b: Business, row: BusinessRow | None = None) -> BusinessRow:
    row = row or BusinessRow(id=b.id, version=b.version)
    row.slug, row.name, row.timezone = b.slug, b.name, b.timezone
    row.currency, row.language, row.country = b.currency, b.language, b.country
    row.policy = dataclasses.asdict(b.policy)
    row.deposit = deposit_to_json(b.deposit)
    row.refund = dataclasses.asdict(b.refund)
    row.whatsapp_contact = b.whatsapp_contact
    row.settings = dict(b.settings)
    row.travel_detour = b.travel.detour
    row.travel_speed_kmh = b.travel.speed_kmh
    row.travel_overhead_minutes = b.travel.overhead_minutes
    return row


def business_from_row(row: BusinessRow) -> Business:
    return Business(
        slug=row.slug,
        name=row.name,
        timezone=row.timezone,
        currency=row.currency,
        language=row.language,
        country=row.country,
        policy=BookingPolicy(**row.policy),
        deposit=deposit_from_json(row.deposit),
        refund=RefundRule(**row.refund),
        whatsapp_contact=row.whatsapp_contact,
        settings=dict(row.settings),
        travel=TravelModel(row.travel_detour, row.travel_speed_kmh, row.travel_overhead_minutes),
        id=row.id,
        version=row.version,
    )


def branch_to_row(b: Branch, row: BranchRow | None = None) -> BranchRow:
    row = row or BranchRow(id=b.id, business_id=b.business_id, version=b.version)
    row.name, row.address, row.lat, row.lng = b.name, b.address, b.lat, b.lng
    row.coverage_km, row.coverage_mode = b.coverage_km, b.coverage_mode.value
    # Archiving keeps the row (bookings name it); the flag rides with the branch's rules.
    row.rules = rules_to_json(b.hours, b.exceptions) | ({} if b.active else {"archived": True})
    return row


def branch_from_row(row: BranchRow) -> Branch:
    hours, exceptions = rules_from_json(row.rules)
    return Branch(
        business_id=row.business_id,
        name=row.name,
        address=row.address,
        lat=row.lat,
        lng=row.lng,
        coverage_km=row.coverage_km,
        coverage_mode=CoverageMode(row.coverage_mode),
        hours=hours,
        exceptions=exceptions,
        active=not row.rules.get("archived", False),
        id=row.id,
        version=row.version,
    )


def resource_to_row(r: Resource, row: ResourceRow | None = None) -> ResourceRow:
    row = row or ResourceRow(id=r.id, business_id=r.business_id, version=r.version)
    row.name, row.kind, row.capacity = r.name, r.kind.value, r.capacity
    row.branch_ids = list(r.branch_ids)
    row.rules = rules_to_json(r.weekly, r.exceptions)
    row.color, row.price_minor, row.active = r.color, r.price_minor, r.active
    row.base_lat = r.base.lat if r.base is not None else None
    row.base_lng = r.base.lng if r.base is not None else None
    return row


def resource_from_row(row: ResourceRow | Row[Any]) -> Resource:
    weekly, exceptions = rules_from_json(row.rules)
    return Resource(
        business_id=row.business_id,
        name=row.name,
        kind=ResourceKind(row.kind),
        capacity=row.capacity,
        branch_ids=tuple(row.branch_ids),
        weekly=weekly,
        exceptions=exceptions,
        color=row.color,
        price_minor=row.price_minor,
        active=row.active,
        base=GeoPoint.maybe(row.base_lat, row.base_lng),
        id=row.id,
        version=row.version,
    )


def group_to_row(g: ResourceGroup, row: GroupRow | None = None) -> GroupRow:
    row = row or GroupRow(id=g.id, business_id=g.business_id)
    row.name, row.resource_ids = g.name, list(g.resource_ids)
    return row


def group_from_row(row: GroupRow) -> ResourceGroup:
    return ResourceGroup(row.business_id, row.name, tuple(row.resource_ids), id=row.id)


def service_to_row(s: Service, row: ServiceRow | None = None) -> ServiceRow:
    row = row or ServiceRow(id=s.id, business_id=s.business_id, version=s.version)
    row.name, row.duration_minutes, row.price_minor = s.name, s.duration_minutes, s.price_minor
    row.pricing = s.pricing.value
    row.buffer_before_minutes = s.buffer_before_minutes
    row.buffer_after_minutes = s.buffer_after_minutes
    row.deposit = deposit_to_json(s.deposit) if s.deposit is not None else None
    row.at_client_address, row.video_meeting = s.at_client_address, s.video_meeting
    row.links = {"resource_ids": list(s.resource_ids), "group_ids": list(s.group_ids)}
    row.max_persons, row.description, row.active = s.max_persons, s.description, s.active
    return row


def service_from_row(row: ServiceRow) -> Service:
    return Service(
        business_id=row.business_id,
        name=row.name,
        duration_minutes=row.duration_minutes,
        price_minor=row.price_minor,
        pricing=PricingStrategy(row.pricing),
        buffer_before_minutes=row.buffer_before_minutes,
        buffer_after_minutes=row.buffer_after_minutes,
        deposit=deposit_from_json(row.deposit) if row.deposit is not None else None,
        at_client_address=row.at_client_address,
        video_meeting=row.video_meeting,
        resource_ids=tuple(row.links.get("resource_ids", ())),
        group_ids=tuple(row.links.get("group_ids", ())),
        max_persons=row.max_persons,
        description=row.description,
        active=row.active,
        id=row.id,
        version=row.version,
    )


def customer_to_row(c: Customer, row: CustomerRow | None = None) -> CustomerRow:
    row = row or CustomerRow(id=c.id, business_id=c.business_id, version=c.version)
    row.name, row.phone, row.email, row.address = c.name, c.phone, c.email, c.address
    return row


def customer_from_row(row: CustomerRow | Row[Any]) -> Customer:
    return Customer(
        row.business_id,
        row.name,
        row.phone,
        row.email,
        row.address,
        id=row.id,
        version=row.version,
    )
