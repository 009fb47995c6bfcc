"""When to try a failed delivery again, and when to stop: exponential backoff with full
jitter (so a recovering server is not hit by every worker at once), bounded by a give-up
time counted from the first attempt. Pure: the time and the random source are arguments."""

from __future__ import annotations

import random
from datetime import datetime, timedelta


def retry_delay(
    attempts: int, base: timedelta, cap: timedelta, rng: random.Random | None = None
) -> timedelta:
    """Delay before attempt ``attempts + 1``: uniformly between half and all of
    ``min(cap, base * 2**(attempts-1))``."""
    exponent = max(0, attempts - 1)
    ceiling = min(cap.total_seconds(), base.total_seconds() * (2 ** min(exponent, 32)))
    draw = (rng or random).uniform(0.5, 1.0)
    return timedelta(seconds=ceiling * draw)


def next_attempt(
    attempts: int,
    *,
    now: datetime,
    first_at: datetime,
    base: timedelta,
    cap: timedelta,
    give_up_after: timedelta,
    rng: random.Random | None = None,
) -> datetime | None:
    """When to try again, or ``None`` to give up (the next try would fall past the bound)."""
    at = now + retry_delay(attempts, base, cap, rng)
    if at - first_at > give_up_after:
        return None
    return at
