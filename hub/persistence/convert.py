"""Conversions between ORM rows and domain objects (and the JSON shapes of value objects).

No queries here; repositories call these. The ``*_from_row`` readers also take a Core
``Row`` of the table's columns (bulk readers skip building ORM objects). Booking history
(transitions) is not stored on the row: the audit log keeps it.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Row

from hub.domain.booking import Actor, Booking, BookingStatus, Invitee, InviteeResponse
from hub.domain.contacts import Contact
from hub.domain.geo import CoverageMode, GeoPoint, TravelModel
from hub.domain.model import (
    AuditEntry,
    Block,
    Branch,
    Business,
    Customer,
    DateException,
    OutboxEvent,
    PricingStrategy,
    Resource,
    ResourceGroup,
    ResourceKind,
    Service,
    ServiceRecord,
    WeeklyInterval,
)
from hub.domain.policies import BookingPolicy, DepositKind, DepositRule, RefundRule
from hub.persistence.models import (
    AuditRow,
    BlockRow,
    BookingRow,
    BranchRow,
    BusinessRow,
    CustomerRow,
    GroupRow,
    OutboxRow,
    ResourceRow,
    ServiceRecordRow,
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


# -- bookings and records ------------------------------------------------------------------

_BOOKING_SAME = [
    "business_id",
    "service_id",
    "resource_id",
    "customer_id",
    "branch_id",
    "group_id",
    "persons",
    "price_minor",
    "deposit_minor",
    "currency",
    "address",
    "zone_id",
    "needs_review",
    "notes",
    "external_ref",
    "video_meeting",
    "meeting_url",
    "google_event_id",
    "series_id",
    "organizer_id",
    "exclusive",
    "at_client_address",
    "hold_until",
    "created_at",
    "updated_at",
    "confirmed_at",
    "started_at",
    "completed_at",
    "cancelled_at",
    "expired_at",
    "no_show_at",
    "client_confirmed_at",
    "cancel_reason",
    "reschedule_count",
    "sequence",
    "token",
    "version",
]


def invitees_to_json(invitees: tuple[Invitee, ...]) -> list[dict[str, Any]]:
    return [
        {
            "id": i.id,
            "email": i.email,
            "name": i.name,
            "response": i.response.value,
            "responded_at": i.responded_at.isoformat() if i.responded_at else None,
            "token": i.token,
        }
        for i in invitees
    ]


def invitees_from_json(items: list[Any]) -> tuple[Invitee, ...]:
    found = []
    for item in items:
        if isinstance(item, str):  # written before invitees had links: no link to match
            found.append(Invitee(email=item, token="", id=f"legacy-{item}"))
            continue
        answered = item.get("responded_at")
        found.append(
            Invitee(
                email=item["email"],
                name=item.get("name", ""),
                response=InviteeResponse(item.get("response", "needs_action")),
                responded_at=datetime.fromisoformat(answered) if answered else None,
                token=item.get("token", ""),
                id=item["id"],
            )
        )
    return tuple(found)


def _contact_columns(b: Booking) -> dict[str, str | None]:
    contact = b.contact
    return {
        "contact_name": contact.name if contact else None,
        "contact_phone": contact.phone if contact else None,
        "contact_email": contact.email if contact else None,
    }


def _contact(row: BookingRow | Row[Any]) -> Contact | None:
    if row.contact_name is None:
        return None
    return Contact(row.contact_name, row.contact_phone, row.contact_email)


def _location_columns(b: Booking) -> dict[str, float | None]:
    where = b.location
    return {
        "latitude": where.lat if where is not None else None,
        "longitude": where.lng if where is not None else None,
    }


def booking_to_row(b: Booking, row: BookingRow | None = None) -> BookingRow:
    row = row or BookingRow(id=b.id)
    for name in _BOOKING_SAME:
        setattr(row, name, getattr(b, name))
    for name, coordinate in _location_columns(b).items():
        setattr(row, name, coordinate)
    row.start_at, row.end_at = b.start, b.end
    row.occupied_start, row.occupied_end = b.occupied_start, b.occupied_end
    row.status = b.status.value
    row.invitees = invitees_to_json(b.invitees)
    for name, value in _contact_columns(b).items():
        setattr(row, name, value)
    row.cancelled_by = b.cancelled_by.value if b.cancelled_by is not None else None
    return row


def booking_values(b: Booking) -> dict[str, Any]:
    """The booking as column values, for an INSERT that skips the ORM's unit of work."""
    values = {name: getattr(b, name) for name in _BOOKING_SAME}
    values.update(
        id=b.id,
        start_at=b.start,
        end_at=b.end,
        occupied_start=b.occupied_start,
        occupied_end=b.occupied_end,
        status=b.status.value,
        invitees=invitees_to_json(b.invitees),
        cancelled_by=b.cancelled_by.value if b.cancelled_by is not None else None,
        **_contact_columns(b),
        **_location_columns(b),
    )
    return values


def booking_from_row(row: BookingRow | Row[Any]) -> Booking:
    values = {name: getattr(row, name) for name in _BOOKING_SAME}
    return Booking(
        start=row.start_at,
        end=row.end_at,
        status=BookingStatus(row.status),
        invitees=invitees_from_json(row.invitees),
        contact=_contact(row),
        location=GeoPoint.maybe(row.latitude, row.longitude),
        cancelled_by=Actor(row.cancelled_by) if row.cancelled_by is not None else None,
        buffer_before=row.start_at - row.occupied_start,
        buffer_after=row.occupied_end - row.end_at,
        id=row.id,
        **values,
    )


def block_to_row(b: Block) -> BlockRow:
    return BlockRow(
        id=b.id,
        business_id=b.business_id,
        resource_id=b.resource_id,
        branch_id=b.branch_id,
        start_at=b.start,
        end_at=b.end,
        reason=b.reason,
        source=b.source,
        series_id=b.series_id,
        external_uid=b.external_uid,
    )


def block_from_row(row: BlockRow | Row[Any]) -> Block:
    return Block(
        business_id=row.business_id,
        start=row.start_at,
        end=row.end_at,
        reason=row.reason,
        resource_id=row.resource_id,
        branch_id=row.branch_id,
        source=row.source,
        series_id=row.series_id,
        external_uid=row.external_uid,
        id=row.id,
    )


def record_to_row(r: ServiceRecord) -> ServiceRecordRow:
    return ServiceRecordRow(**dataclasses.asdict(r))


def record_from_row(row: ServiceRecordRow) -> ServiceRecord:
    return ServiceRecord(
        business_id=row.business_id,
        booking_id=row.booking_id,
        service_id=row.service_id,
        resource_id=row.resource_id,
        customer_id=row.customer_id,
        performed_at=row.performed_at,
        charged_minor=row.charged_minor,
        currency=row.currency,
        notes=row.notes,
        id=row.id,
    )


def record_values(e: AuditEntry | OutboxEvent) -> dict[str, Any]:
    """An audit entry or outbox event as column values (``seq`` is the database's)."""
    return {f.name: getattr(e, f.name) for f in dataclasses.fields(e)}


def audit_from_row(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        business_id=row.business_id,
        entity=row.entity,
        entity_id=row.entity_id,
        action=row.action,
        actor=row.actor,
        channel=row.channel,
        at=row.at,
        data=dict(row.data),
        actor_id=row.actor_id,
        id=row.id,
    )


def outbox_to_row(e: OutboxEvent) -> OutboxRow:
    return OutboxRow(**dataclasses.asdict(e))  # seq is the database's


def outbox_from_row(row: OutboxRow | Row[Any]) -> OutboxEvent:
    return OutboxEvent(
        business_id=row.business_id,
        type=row.type,
        aggregate_id=row.aggregate_id,
        payload=dict(row.payload),
        created_at=row.created_at,
        id=row.id,
        dispatched_at=row.dispatched_at,
    )
