"""The scheduler's own knobs, read from ``Settings.extra`` (``TURNERO_*`` variables).

| variable | default | meaning |
| --- | --- | --- |
| ``TURNERO_WORKERS`` | 4 | worker threads of one ``turnero worker`` |
| ``TURNERO_QUEUE_NAME`` | ``turnero`` | Huey queue name (one per deployment) |
| ``TURNERO_TICK_SECONDS`` | 60 | how often the periodic tasks run |
| ``TURNERO_QUEUE_POLL_SECONDS`` | 0.1 | longest wait for an idle thread to see a task (SQLite) |
| ``TURNERO_DELIVERY_LEASE_SECONDS`` | 120 | how long a claim on a delivery lasts |
| ``TURNERO_DELIVERY_BATCH`` | 100 | deliveries per ``deliver`` task |
| ``TURNERO_SWEEP_GRACE_SECONDS`` | 30 | age before the sweep re-dispatches something |
| ``TURNERO_RETRY_BASE_SECONDS`` | 30 | first retry delay (doubles each attempt) |
| ``TURNERO_RETRY_MAX_SECONDS`` | 3600 | longest delay between two attempts |
| ``TURNERO_GIVE_UP_HOURS`` | 24 | how long a failing delivery is retried |

Nothing here reads the clock or connects anywhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from hub.config import ConfigurationError, Settings


def _number(extra: Mapping[str, str], name: str, default: float) -> float:
    raw = extra.get(name, "")
    if not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, not {raw!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ConfigurationError(f"{name} must be a number of zero or more, not {raw!r}")
    return value


@dataclass(frozen=True, slots=True)
class SchedulerConfig:
    queue_name: str = "turnero"
    queue_path: Path = Path("turnero-queue.db")
    redis_url: str | None = None
    workers: int = 4
    tick_seconds: float = 60.0
    poll_seconds: float = 0.1
    lease: timedelta = timedelta(seconds=120)
    batch_size: int = 100
    sweep_grace: timedelta = timedelta(seconds=30)
    retry_base: timedelta = timedelta(seconds=30)
    retry_max: timedelta = timedelta(hours=1)
    give_up_after: timedelta = timedelta(hours=24)

    @classmethod
    def from_settings(cls, settings: Settings) -> SchedulerConfig:
        extra = settings.extra
        return cls(
            queue_name=extra.get("TURNERO_QUEUE_NAME", "").strip() or "turnero",
            queue_path=settings.data_dir / "turnero-queue.db",
            redis_url=settings.redis_url,
            workers=max(1, int(_number(extra, "TURNERO_WORKERS", 4))),
            tick_seconds=max(0.2, _number(extra, "TURNERO_TICK_SECONDS", 60)),
            poll_seconds=min(10.0, max(0.01, _number(extra, "TURNERO_QUEUE_POLL_SECONDS", 0.1))),
            lease=timedelta(
                seconds=max(1.0, _number(extra, "TURNERO_DELIVERY_LEASE_SECONDS", 120))
            ),
            batch_size=max(1, int(_number(extra, "TURNERO_DELIVERY_BATCH", 100))),
            sweep_grace=timedelta(seconds=_number(extra, "TURNERO_SWEEP_GRACE_SECONDS", 30)),
            retry_base=timedelta(seconds=_number(extra, "TURNERO_RETRY_BASE_SECONDS", 30)),
            retry_max=timedelta(seconds=_number(extra, "TURNERO_RETRY_MAX_SECONDS", 3600)),
            give_up_after=timedelta(hours=_number(extra, "TURNERO_GIVE_UP_HOURS", 24)),
        )
