"""Client messages received on a business's WhatsApp number, kept per business: every
message of a known customer is logged once (its WhatsApp id makes webhook retries harmless),
with what was done about it; those nobody could act on (anything but a clear CANCELAR /
CONFIRMAR, or an answer the rules refused) wait for the operator.

The table is created by the Alembic revision ``whatsapp_0001`` (branch ``whatsapp``).
Functions take an open SQLAlchemy session and never commit. Not here: the webhook
(``connectors.notify.web``), reading a reply (``whatsapp_webhook``), the use cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.persistence.models import Base

ID = String(36)

CANCELLED = "cancelled"
CONFIRMED = "confirmed"
FOR_OPERATOR = "for_operator"


class InboundRow(Base):
    """One message a customer sent. ``outcome`` is ``cancelled``, ``confirmed`` or
    ``for_operator``; ``note`` says why a person has to look at it."""

    __tablename__ = "whatsapp_inbound"
    __table_args__ = (
        UniqueConstraint("business_id", "message_id", name="uq_whatsapp_inbound_message"),
        Index("ix_whatsapp_inbound_operator", "business_id", "needs_operator", "received_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID)
    message_id: Mapped[str] = mapped_column(String(255))
    from_number: Mapped[str] = mapped_column(String(32))
    profile_name: Mapped[str | None] = mapped_column(String(255))
    customer_id: Mapped[str | None] = mapped_column(ID)
    booking_id: Mapped[str | None] = mapped_column(ID)
    type: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[str | None] = mapped_column(String(255))
    intent: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    needs_operator: Mapped[bool] = mapped_column(Boolean)
    received_at: Mapped[datetime]
    created_at: Mapped[datetime]
    handled_at: Mapped[datetime | None]


@dataclass(frozen=True, slots=True)
class InboundRecord:
    id: str
    message_id: str
    from_number: str
    profile_name: str | None
    customer_id: str | None
    booking_id: str | None
    text: str | None
    intent: str
    outcome: str
    note: str
    received_at: datetime


def _record(row: InboundRow) -> InboundRecord:
    return InboundRecord(
        id=row.id,
        message_id=row.message_id,
        from_number=row.from_number,
        profile_name=row.profile_name,
        customer_id=row.customer_id,
        booking_id=row.booking_id,
        text=row.text,
        intent=row.intent,
        outcome=row.outcome,
        note=row.note,
        received_at=row.received_at,
    )


def seen(session: Session, business_id: str, message_id: str) -> bool:
    """Whether this WhatsApp message was already logged (a webhook retry)."""
    found = session.scalar(
        select(InboundRow.id).where(
            InboundRow.business_id == business_id, InboundRow.message_id == message_id
        )
    )
    return found is not None


def for_operator(session: Session, business_id: str, limit: int = 100) -> list[InboundRecord]:
    """Messages of this business waiting for a person, newest first."""
    rows = session.scalars(
        select(InboundRow)
        .where(
            InboundRow.business_id == business_id,
            InboundRow.needs_operator.is_(True),
            InboundRow.handled_at.is_(None),
        )
        .order_by(InboundRow.received_at.desc(), InboundRow.id)
        .limit(limit)
    )
    return [_record(row) for row in rows]


def log(session: Session, business_id: str) -> list[InboundRecord]:
    """Every logged message of this business, oldest first."""
    rows = session.scalars(
        select(InboundRow)
        .where(InboundRow.business_id == business_id)
        .order_by(InboundRow.received_at, InboundRow.id)
    )
    return [_record(row) for row in rows]


def mark_handled(session: Session, business_id: str, inbound_id: str, now: datetime) -> bool:
    """The operator dealt with a message; ``False`` if it is not this business's."""
    row = session.get(InboundRow, inbound_id)
    if row is None or row.business_id != business_id:
        return False
    row.handled_at = now
    return True


def last_received(session: Session, business_id: str, customer_id: str) -> datetime | None:
    """When the customer last wrote to the business's number (opens WhatsApp's 24-hour
    customer service window), if ever."""
    return session.scalar(
        select(InboundRow.received_at)
        .where(InboundRow.business_id == business_id, InboundRow.customer_id == customer_id)
        .order_by(InboundRow.received_at.desc())
        .limit(1)
    )
