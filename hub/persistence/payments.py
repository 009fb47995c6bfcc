"""SQL rows and repository of deposit payments (``hub.domain.payments.Payment``).

One row per booking and provider; refunds are kept on the row as a JSON list (a handful at
most). The schema is created by the Alembic revision ``payments_0001`` (branch ``payments``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.domain.payments import Payment, PaymentStatus, Refund
from hub.persistence.columns import json_type, money_type
from hub.persistence.models import ID, Base


class PaymentRow(Base):
    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("booking_id", "provider", name="uq_payments_booking"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID, ForeignKey("businesses.id"), index=True)
    booking_id: Mapped[str] = mapped_column(ID, ForeignKey("bookings.id"))
    provider: Mapped[str] = mapped_column(String(32))
    amount_minor: Mapped[int] = mapped_column(money_type())
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    checkout_id: Mapped[str | None] = mapped_column(String(255))
    checkout_url: Mapped[str | None] = mapped_column(Text)
    provider_payment_id: Mapped[str | None] = mapped_column(String(255))
    paid_at: Mapped[datetime | None]
    refunds: Mapped[list[dict[str, Any]]] = mapped_column(json_type())
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]


def _domain(row: PaymentRow) -> Payment:
    return Payment(
        id=row.id,
        business_id=row.business_id,
        booking_id=row.booking_id,
        provider=row.provider,
        amount_minor=row.amount_minor,
        currency=row.currency,
        status=PaymentStatus(row.status),
        checkout_id=row.checkout_id,
        checkout_url=row.checkout_url,
        provider_payment_id=row.provider_payment_id,
        paid_at=row.paid_at,
        refunds=tuple(
            Refund(
                provider_refund_id=str(r["id"]),
                amount_minor=int(r["amount_minor"]),
                at=datetime.fromisoformat(str(r["at"])),
                reason=str(r.get("reason", "")),
            )
            for r in row.refunds or ()
        ),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _fill(row: PaymentRow, payment: Payment) -> PaymentRow:
    row.business_id = payment.business_id
    row.booking_id = payment.booking_id
    row.provider = payment.provider
    row.amount_minor = payment.amount_minor
    row.currency = payment.currency
    row.status = payment.status.value
    row.checkout_id = payment.checkout_id
    row.checkout_url = payment.checkout_url
    row.provider_payment_id = payment.provider_payment_id
    row.paid_at = payment.paid_at
    row.refunds = [
        {
            "id": r.provider_refund_id,
            "amount_minor": r.amount_minor,
            "at": r.at.isoformat(),
            "reason": r.reason,
        }
        for r in payment.refunds
    ]
    row.created_at = payment.created_at
    row.updated_at = payment.updated_at
    return row


class SqlPaymentRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, payment: Payment) -> None:
        self._s.add(_fill(PaymentRow(id=payment.id), payment))
        self._s.flush()  # rows have no relationship(): flush in FK order

    def get(self, business_id: str, payment_id: str) -> Payment | None:
        row = self._s.get(PaymentRow, payment_id)
        return _domain(row) if row is not None and row.business_id == business_id else None

    def for_booking(self, business_id: str, booking_id: str) -> Payment | None:
        row = self._s.scalar(
            select(PaymentRow)
            .where(PaymentRow.business_id == business_id, PaymentRow.booking_id == booking_id)
            .order_by(PaymentRow.created_at.desc(), PaymentRow.id)
            .limit(1)
        )
        return _domain(row) if row is not None else None

    def by_provider_payment(
        self, business_id: str, provider: str, provider_payment_id: str
    ) -> Payment | None:
        row = self._s.scalar(
            select(PaymentRow)
            .where(
                PaymentRow.business_id == business_id,
                PaymentRow.provider == provider,
                PaymentRow.provider_payment_id == provider_payment_id,
            )
            .limit(1)
        )
        return _domain(row) if row is not None else None

    def update(self, payment: Payment) -> None:
        row = self._s.get(PaymentRow, payment.id)
        if row is None:
            raise KeyError(payment.id)
        _fill(row, payment)
        self._s.flush()
