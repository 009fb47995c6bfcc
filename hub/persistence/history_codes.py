"""SQL row and repository for client history by a one-time code: the codes (hashed, with
the hash of the contact they went to) and the read of a business's bookings made with one
phone or email.

Not here: making, checking and sending codes (``hub.services.history_codes``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.domain.booking import Booking
from hub.domain.model import Customer
from hub.persistence import convert
from hub.persistence.models import ID, Base, BookingRow, CustomerRow
from hub.services.history_codes import HistoryCode


class HistoryCodeRow(Base):
    __tablename__ = "history_codes"
    __table_args__ = (
        Index("ix_history_codes_contact", "business_id", "contact_key", "created_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID, ForeignKey("businesses.id"))
    contact_key: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    used_at: Mapped[datetime | None]


def _code(row: HistoryCodeRow) -> HistoryCode:
    return HistoryCode(
        id=row.id,
        business_id=row.business_id,
        contact_key=row.contact_key,
        code_hash=row.code_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        attempts=row.attempts,
        used_at=row.used_at,
    )


class SqlClientHistoryRepository:
    """``ClientHistoryStore`` over the hub's database."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def add_code(self, code: HistoryCode) -> None:
        self._s.add(
            HistoryCodeRow(
                id=code.id,
                business_id=code.business_id,
                contact_key=code.contact_key,
                code_hash=code.code_hash,
                created_at=code.created_at,
                expires_at=code.expires_at,
                attempts=code.attempts,
                used_at=code.used_at,
            )
        )
        self._s.flush()

    def retire_codes(self, business_id: str, contact_key: str, now: datetime) -> None:
        self._s.execute(
            update(HistoryCodeRow)
            .where(
                HistoryCodeRow.business_id == business_id,
                HistoryCodeRow.contact_key == contact_key,
                HistoryCodeRow.used_at.is_(None),
            )
            .values(used_at=now)
        )

    def open_code(
        self, business_id: str, contact_key: str, now: datetime, max_attempts: int
    ) -> HistoryCode | None:
        row = self._s.scalars(
            select(HistoryCodeRow)
            .where(
                HistoryCodeRow.business_id == business_id,
                HistoryCodeRow.contact_key == contact_key,
                HistoryCodeRow.used_at.is_(None),
                HistoryCodeRow.expires_at > now,
                HistoryCodeRow.attempts < max_attempts,
            )
            .order_by(HistoryCodeRow.created_at.desc())
            .limit(1)
            .with_for_update()
        ).first()
        return _code(row) if row is not None else None

    def save_code(self, code: HistoryCode) -> None:
        self._s.execute(
            update(HistoryCodeRow)
            .where(HistoryCodeRow.id == code.id)
            .values(attempts=code.attempts, used_at=code.used_at)
        )

    def forget_codes(self, expired_before: datetime) -> None:
        self._s.execute(delete(HistoryCodeRow).where(HistoryCodeRow.expires_at < expired_before))

    def bookings_with_contact(
        self, business_id: str, phones: Sequence[str], email: str | None, limit: int
    ) -> list[tuple[Booking, Customer]]:
        phones = list(phones)
        own: list[ColumnElement[bool]] = [BookingRow.contact_phone.in_(phones)]
        record: list[ColumnElement[bool]] = [CustomerRow.phone.in_(phones)]
        if email:
            own.append(func.lower(BookingRow.contact_email) == email)
            record.append(func.lower(CustomerRow.email) == email)
        wanted_customers = select(CustomerRow.id).where(
            CustomerRow.business_id == business_id, or_(*record)
        )
        rows = self._s.execute(
            select(BookingRow, CustomerRow)
            .join(CustomerRow, CustomerRow.id == BookingRow.customer_id)
            .where(
                BookingRow.business_id == business_id,
                CustomerRow.business_id == business_id,
                or_(*own, BookingRow.customer_id.in_(wanted_customers)),
            )
            .order_by(BookingRow.start_at.desc(), BookingRow.id)
            .limit(limit)
        ).all()
        return [(convert.booking_from_row(b), convert.customer_from_row(c)) for b, c in rows]
