"""Tables of the webhooks connector, on the core's declarative Base: subscriptions (with the
secret and, during a rotation, the previous one and when it stops being used), one delivery
per (subscription, event) and one log line per attempt.

The schema is created by the Alembic revision ``webhooks_0001`` (branch ``webhooks``).
Queries live in ``connectors.crm_webhooks.store``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from hub.persistence.models import Base

ID = String(36)


class SubscriptionRow(Base):
    __tablename__ = "webhook_subscriptions"
    __table_args__ = (Index("ix_webhook_subscriptions_business", "business_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID)
    url: Mapped[str] = mapped_column(Text)
    event_types: Mapped[list[str]]  # empty: every event type
    description: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean)
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None]
    failing_since: Mapped[datetime | None]  # first failed attempt since the last success
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DeliveryRow(Base):
    """``pending`` until a 2xx (``delivered``) or until the retries run out or the endpoint
    is disabled (``failed``). A worker owns a pending row while ``claimed_until`` is in the
    future; ``claim_token`` says which claim that was. ``id`` is the ``webhook-id`` header,
    the same on every attempt and replay."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_event"),
        Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_webhook_deliveries_subscription", "subscription_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(ID)
    business_id: Mapped[str] = mapped_column(ID)
    event_id: Mapped[str] = mapped_column(ID)
    event_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)  # the exact JSON sent, frozen at fan-out
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(36))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class AttemptRow(Base):
    """One line of a subscription's delivery log."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        Index("ix_webhook_attempts_delivery", "delivery_id", "attempt"),
        Index("ix_webhook_attempts_subscription", "subscription_id", "at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(64))
    subscription_id: Mapped[str] = mapped_column(ID)
    business_id: Mapped[str] = mapped_column(ID)
    event_type: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int] = mapped_column(Integer)
    response_head: Mapped[str] = mapped_column(Text)  # the first KB of the answer
    error: Mapped[str] = mapped_column(Text)
