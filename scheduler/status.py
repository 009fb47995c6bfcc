"""What the operator sees of the background work: ``queue_status(settings)`` (``turnero
queue status``) and a booking's notification log.

Reads only: the Huey queue sizes, delivery records by status (with the latest failures),
reminders still to fire, and the last run of each periodic task.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.persistence.uow import SqlDatabase
from scheduler.config import SchedulerConfig
from scheduler.models import DeliveryRow, NotificationLogRow, ReminderRow
from scheduler.queue import build_huey
from scheduler.runs import last_runs
from scheduler.tasks import PERIODIC


@dataclass(frozen=True, slots=True)
class PeriodicRun:
    name: str
    last_started_at: datetime | None
    last_finished_at: datetime | None
    status: str
    summary: str
    runs: int


@dataclass(frozen=True, slots=True)
class FailedDelivery:
    consumer: str
    event_type: str
    aggregate_id: str
    attempts: int
    error: str
    finished_at: datetime | None
    id: str = ""  # the delivery record's, to retry or dismiss it


@dataclass(frozen=True, slots=True)
class QueueStatus:
    backend: str  # "sqlite" | "redis"
    queue_name: str
    queued_tasks: int  # waiting in the Huey queue now
    scheduled_tasks: int  # waiting for their time (retries)
    pending_deliveries: int
    failed_deliveries: int
    done_deliveries: int
    pending_reminders: int
    periodic: tuple[PeriodicRun, ...]
    recent_failures: tuple[FailedDelivery, ...]

    @property
    def pending(self) -> int:
        return self.queued_tasks + self.pending_deliveries

    def render(self) -> str:
        lines = [
            f"queue      {self.queue_name} ({self.backend})",
            f"tasks      {self.queued_tasks} queued, {self.scheduled_tasks} scheduled",
            f"deliveries {self.pending_deliveries} pending, {self.failed_deliveries} failed, "
            f"{self.done_deliveries} done",
            f"reminders  {self.pending_reminders} waiting",
            "",
            f"{'periodic task':<20} {'last run (UTC)':<20} {'status':<8} {'runs':>6}  result",
        ]
        for run in self.periodic:
            when = (
                run.last_started_at.strftime("%Y-%m-%d %H:%M:%S")
                if run.last_started_at
                else "never"
            )
            lines.append(f"{run.name:<20} {when:<20} {run.status:<8} {run.runs:>6}  {run.summary}")
        if self.recent_failures:
            lines += ["", "recent failures:"]
            for f in self.recent_failures:
                lines.append(
                    f"  {f.consumer} {f.event_type} {f.aggregate_id} "
                    f"after {f.attempts} attempts: {f.error}"
                )
        return "\n".join(lines)


def read_status(
    session: Session, backend: str, queue_name: str, queued: int, scheduled: int
) -> QueueStatus:
    rows = session.execute(
        select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)
    ).all()
    counts: dict[str, int] = dict(rows)
    reminders = session.scalar(
        select(func.count()).select_from(ReminderRow).where(ReminderRow.status == "pending")
    )
    runs = {r.name: r for r in last_runs(session)}
    periodic = tuple(
        PeriodicRun(
            name,
            runs[name].last_started_at if name in runs else None,
            runs[name].last_finished_at if name in runs else None,
            runs[name].last_status if name in runs else "never",
            runs[name].last_summary if name in runs else "",
            runs[name].runs if name in runs else 0,
        )
        for name in PERIODIC
    )
    failures = session.scalars(
        select(DeliveryRow)
        .where(DeliveryRow.status == "failed")
        .order_by(DeliveryRow.finished_at.desc())
        .limit(10)
    )
    return QueueStatus(
        backend=backend,
        queue_name=queue_name,
        queued_tasks=queued,
        scheduled_tasks=scheduled,
        pending_deliveries=counts.get("pending", 0),
        failed_deliveries=counts.get("failed", 0),
        done_deliveries=counts.get("done", 0),
        pending_reminders=reminders or 0,
        periodic=periodic,
        recent_failures=tuple(
            FailedDelivery(
                f.consumer, f.event_type, f.aggregate_id, f.attempts, f.last_error, f.finished_at
            )
            for f in failures
        ),
    )


def queue_status(settings: Settings, *, queue_name: str | None = None) -> QueueStatus:
    """``turnero queue status``: read the queue and the delivery tables."""
    config = SchedulerConfig.from_settings(settings)
    huey = build_huey(config, name=queue_name)
    database = SqlDatabase(settings.database_url)
    try:
        queued, scheduled = huey.pending_count(), huey.scheduled_count()
        with database.sessions() as session:
            return read_status(
                session,
                "redis" if config.redis_url else "sqlite",
                huey.name,
                queued,
                scheduled,
            )
    finally:
        database.dispose()
        huey.storage.close()


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    at: datetime
    channel: str
    kind: str
    recipient: str
    status: str
    error: str


def notification_log(
    session: Session, business_id: str, booking_id: str
) -> list[NotificationRecord]:
    """What was sent about a booking, oldest first (scoped by business)."""
    rows = session.scalars(
        select(NotificationLogRow)
        .where(
            NotificationLogRow.business_id == business_id,
            NotificationLogRow.booking_id == booking_id,
        )
        .order_by(NotificationLogRow.at, NotificationLogRow.id)
    )
    return [
        NotificationRecord(r.at, r.channel, r.kind, r.recipient, r.status, r.error) for r in rows
    ]
