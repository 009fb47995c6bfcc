"""Conversions of bookings (with their invitees and contact), blocks, service records, audit
entries and outbox events between ORM rows and domain objects.

Booking history (transitions) is not stored on the row: the audit log keeps it. Setup
entities are in ``convert.setup``.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from hub.domain.booking import Actor, Booking, BookingStatus, Invitee, InviteeResponse
from hub.domain.contacts import Contact
from hub.domain.geo import GeoPoint
from hub.domain.model import AuditEntry, Block, OutboxEvent, ServiceRecord
from hub.persistence.models import AuditRow, BlockRow, BookingRow, OutboxRow, ServiceRecordRow

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
    "title",
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
