"""When to try a failed webhook again, and when to give up or switch an endpoint off. Pure:
the time and the random source are arguments.

The delays follow the issue's table (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts
over about 28 hours) with up to +20 % jitter, never less, so a receiver that is down for a
whole day still gets every event once it is back, and workers retrying after an outage do
not all hit it in the same second.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

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
JITTER = 0.2
DISABLE_AFTER = timedelta(hours=24)


def next_attempt_at(
    attempts: int, now: datetime, rng: random.Random | None = None
) -> datetime | None:
    """After ``attempts`` failed tries (1 for the first), when to try again; ``None`` when
    the schedule is exhausted and the delivery is failed."""
    if attempts < 1 or attempts > len(RETRY_DELAYS):
        return None
    delay = RETRY_DELAYS[attempts - 1]
    return now + delay * (1 + (rng or random).uniform(0, JITTER))


def should_disable(failing_since: datetime | None, now: datetime) -> bool:
    """An endpoint that has failed every attempt for ``DISABLE_AFTER`` is switched off."""
    return failing_since is not None and now - failing_since >= DISABLE_AFTER
