"""The one Huey instance, built from configuration: SqliteHuey beside the database by default,
RedisHuey when ``TURNERO_REDIS_URL`` is set.

Nothing connects at import time; ``build_huey`` is called by the worker, the embedded consumer
and the web process (which only enqueues). Tasks are registered by ``scheduler.tasks``.
"""

from __future__ import annotations

from huey import Huey, RedisHuey, SqliteHuey

from scheduler.config import SchedulerConfig


def build_huey(config: SchedulerConfig, *, name: str | None = None) -> Huey:
    """A Huey instance for ``config``. ``name`` overrides the queue name (tests use a unique
    one per test on a shared Redis). Results are not stored: every task records what it did
    in the database, where the operator looks."""
    queue = name or config.queue_name
    if config.redis_url:
        return RedisHuey(queue, url=config.redis_url, results=False)
    config.queue_path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(queue, filename=str(config.queue_path), results=False, timeout=30)
