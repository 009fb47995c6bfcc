"""Tables of the background work, on the core's declarative Base: one delivery record per
(outbox event, consumer), the per-booking notification log, reminders due at a time, and the
last run of each periodic task.

The schema is created by the Alembic revision ``scheduler_0001`` (branch ``scheduler``).
Queries live in ``scheduler.deliveries`` (on the one ``scheduler.delivery_queue``),
``scheduler.reminders`` and ``scheduler.status``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from hub.persistence.models import Base

ID = String(36)


class DeliveryRow(Base):
    """``pending`` until a consumer carried the event out (``done``), refused it for good or
    ran out of retries (``failed``). A worker owns a pending row while ``claimed_until`` is in
    the future; ``claim_token`` says which claim that was."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "consumer", name="uq_deliveries_event_consumer"),
        Index(
            "ix_deliveries_pending_due",
            "next_attempt_at",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_deliveries_status", "status"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    event_id: Mapped[str] = mapped_column(ID)
    consumer: Mapped[str] = mapped_column(String(64))
    business_id: Mapped[str] = mapped_column(ID)
    aggregate_id: Mapped[str] = mapped_column(ID)
    event_type: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(36))
    last_error: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class NotificationLogRow(Base):
    """What was sent to whom about a booking, or why it was not."""

    __tablename__ = "notification_log"
    __table_args__ = (
        Index("ix_notification_log_booking", "business_id", "booking_id", "at"),
        Index("ix_notification_log_provider", "provider_id"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID)
    booking_id: Mapped[str] = mapped_column(ID)
    event_id: Mapped[str | None] = mapped_column(ID)
    channel: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    # The provider's message id (WhatsApp ``wamid``): its later statuses update this line.
    provider_id: Mapped[str | None] = mapped_column(String(128))


class ReminderRow(Base):
    """One reminder of one booking on one channel, ``minutes_before`` its start.

    ``pending`` rows are found by due time through a partial index; firing one turns it into a
    ``booking.reminder`` outbox event (``fired``). ``start_at`` is the start it was computed
    for, so a reschedule is noticed even before its event is handled."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("booking_id", "channel", "minutes_before", name="uq_reminders_slot"),
        Index(
            "ix_reminders_pending_due",
            "due_at",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID)
    booking_id: Mapped[str] = mapped_column(ID)
    channel: Mapped[str] = mapped_column(String(32))
    minutes_before: Mapped[int] = mapped_column(Integer)
    start_at: Mapped[datetime]
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    fired_at: Mapped[datetime | None]
    event_id: Mapped[str | None] = mapped_column(ID)


class PeriodicRunRow(Base):
    """The last run of a periodic task, for ``turnero queue status``."""

    __tablename__ = "periodic_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_started_at: Mapped[datetime]
    last_finished_at: Mapped[datetime | None]
    last_status: Mapped[str] = mapped_column(String(16))
    last_summary: Mapped[str] = mapped_column(Text)
    runs: Mapped[int] = mapped_column(Integer)
