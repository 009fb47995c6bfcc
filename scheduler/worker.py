"""Running the tasks: ``consumer_for`` (the ``turnero worker`` and ``python -m scheduler
worker`` processes) and ``EmbeddedConsumer`` (the consumer ``turnero serve`` runs in its own
process by default).

Both use Huey's consumer with worker threads; its scheduler asks for the periodic tasks
every ``tick_seconds`` (Huey's own default is a minute; tests use a shorter tick). A worker
starting up runs them at once, so whatever a killed worker left behind is picked up.
"""

from __future__ import annotations

import logging
from typing import Any

from huey import Huey
from huey.consumer import Consumer, Scheduler

from scheduler.runtime import Scheduler as BackgroundWork

log = logging.getLogger(__name__)


class TurneroConsumer(Consumer):  # type: ignore[misc]
    """Huey's consumer, with the periodic tasks asked for every ``tick_seconds``."""

    def __init__(self, huey: Huey, *, tick_seconds: float = 60.0, **options: Any) -> None:
        self.tick_seconds = tick_seconds
        options.setdefault("scheduler_interval", 1)
        super().__init__(huey, **options)

    def _create_scheduler(self) -> Scheduler:
        scheduler = super()._create_scheduler()
        scheduler.periodic_task_seconds = self.tick_seconds
        return scheduler


def consumer_for(work: BackgroundWork, workers: int | None = None) -> TurneroConsumer:
    return TurneroConsumer(
        work.huey,
        tick_seconds=work.config.tick_seconds,
        workers=workers or work.config.workers,
        periodic=True,
        initial_delay=min(0.05, work.config.poll_seconds),
        max_delay=work.config.poll_seconds,
        backoff=1.5,
        check_worker_health=True,
        health_check_interval=5,
    )


class _QuietConsumer(TurneroConsumer):
    """A consumer that leaves signals to its host (it may not be in the main thread)."""

    def _set_signal_handlers(self) -> None:
        return None


class EmbeddedConsumer:
    """A consumer running in threads of the current process (``turnero serve``).

    ``start()`` returns at once; ``stop()`` lets the tasks in hand finish."""

    def __init__(self, work: BackgroundWork, workers: int = 2) -> None:
        self.work = work
        self.workers = workers
        self._consumer: _QuietConsumer | None = None

    @property
    def running(self) -> bool:
        return self._consumer is not None

    def start(self) -> None:
        if self._consumer is not None:
            return
        consumer = _QuietConsumer(
            self.work.huey,
            tick_seconds=self.work.config.tick_seconds,
            workers=self.workers,
            periodic=True,
            initial_delay=min(0.05, self.work.config.poll_seconds),
            max_delay=self.work.config.poll_seconds,
            backoff=1.5,
            check_worker_health=False,
        )
        consumer.start()
        self._consumer = consumer

    def stop(self, timeout: float = 10.0) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is None:
            return
        consumer.shutdown_timeout = timeout
        consumer.stop(graceful=True)
        consumer.huey.notify_interrupted_tasks()
