"""The Huey tasks, registered on a Huey instance by ``register_tasks`` (never at import).

Tasks take ids, never objects, and are named explicitly; each one only calls into the
``Scheduler`` of its process. Periodic tasks run every ``tick_seconds`` (their validator
always says yes; the consumer's scheduler decides how often it asks, see
``scheduler.worker``); every worker may run them at once, since all of them are idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from huey import Huey
from huey.api import TaskWrapper

if TYPE_CHECKING:
    from scheduler.runtime import Scheduler

DISPATCH = "dispatch_outbox"
DELIVER = "deliver"
SWEEP = "sweep_outbox"
REMINDERS = "send_due_reminders"
EXPIRE = "expire_holds"
NO_SHOWS = "mark_no_shows"
PERIODIC = (SWEEP, REMINDERS, EXPIRE, NO_SHOWS)


@dataclass(frozen=True, slots=True)
class Tasks:
    dispatch: TaskWrapper
    deliver: TaskWrapper
    sweep: TaskWrapper
    reminders: TaskWrapper
    expire: TaskWrapper
    no_shows: TaskWrapper


class HueyEnqueue:
    """The dispatcher's way to ask for more work, through the queue."""

    def __init__(self, huey: Huey, tasks: Tasks) -> None:
        self._huey = huey
        self._tasks = tasks

    def backlog(self) -> int:
        return int(self._huey.pending_count())

    def deliver(self, delivery_ids: Sequence[str], eta: datetime | None = None) -> None:
        if eta is None:
            self._tasks.deliver(list(delivery_ids))
        else:
            self._tasks.deliver.schedule(args=(list(delivery_ids),), eta=eta)


def _always(_: datetime) -> bool:
    return True


def register_tasks(huey: Huey, scheduler: Scheduler) -> Tasks:
    """Register the tasks of ``scheduler`` on ``huey``."""

    def dispatch_outbox(event_ids: list[str]) -> None:
        scheduler.dispatcher.dispatch(event_ids)

    def deliver(delivery_ids: list[str]) -> None:
        scheduler.dispatcher.deliver(delivery_ids)

    def sweep_outbox() -> None:
        scheduler.run_periodic(SWEEP)

    def send_due_reminders() -> None:
        scheduler.run_periodic(REMINDERS)

    def expire_holds() -> None:
        scheduler.run_periodic(EXPIRE)

    def mark_no_shows() -> None:
        scheduler.run_periodic(NO_SHOWS)

    periodic = huey.periodic_task
    wrappers: dict[str, Any] = {
        "dispatch": huey.task(name=DISPATCH)(dispatch_outbox),
        "deliver": huey.task(name=DELIVER)(deliver),
        "sweep": periodic(_always, name=SWEEP)(sweep_outbox),
        "reminders": periodic(_always, name=REMINDERS)(send_due_reminders),
        "expire": periodic(_always, name=EXPIRE)(expire_holds),
        "no_shows": periodic(_always, name=NO_SHOWS)(mark_no_shows),
    }
    return Tasks(**wrappers)
