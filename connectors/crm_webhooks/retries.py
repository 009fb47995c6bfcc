"""The webhooks' retry schedule, and when an endpoint is switched off. The computing is the
one backoff policy's (``scheduler.backoff``); these are its values for webhooks.

The delays follow the issue's table (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts
over about 28 hours) with up to +20 % jitter, never less, so a receiver that is down for a
whole day still gets every event once it is back, and workers retrying after an outage do
not all hit it in the same second.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler.backoff import Backoff

RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
RETRIES = Backoff(steps=RETRY_DELAYS, jitter=(1.0, 1.2), max_attempts=MAX_ATTEMPTS)
DISABLE_AFTER = timedelta(hours=24)


def should_disable(failing_since: datetime | None, now: datetime) -> bool:
    """An endpoint that has failed every attempt for ``DISABLE_AFTER`` is switched off."""
    return failing_since is not None and now - failing_since >= DISABLE_AFTER
