"""When to try again after a failure, and when to stop: the one backoff policy of every
delivery (email, WhatsApp, Google, webhooks) and of the pace kept per Google account.

A ``Backoff`` says how long to wait after the n-th failure: a fixed table of delays
(``steps``) or a delay doubling from ``base`` up to ``cap``, multiplied by a random draw in
``jitter`` (so a recovering server is not hit by every worker at once: AWS Architecture
Blog, "Exponential Backoff And Jitter"), and when to give up (after ``max_attempts`` tries,
or once the next try would fall more than ``give_up_after`` past the first one). Pure: the
time and the random source are arguments. ``KeyedBackoff`` remembers failures per key
(a Google account) in this process.

Not here: claiming and finishing deliveries (``scheduler.delivery_queue``).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Backoff:
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    jitter: tuple[float, float] = (0.5, 1.0)  # the delay is multiplied by a draw in this range
    steps: tuple[timedelta, ...] = ()  # fixed delays after the 1st, 2nd, … failure
    max_attempts: int | None = None  # tries in all, the first one included
    give_up_after: timedelta | None = None  # counted from the first try

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """The wait after ``attempts`` failed tries (1 for the first)."""
        if self.steps:
            nominal = self.steps[min(max(attempts, 1), len(self.steps)) - 1].total_seconds()
        else:
            exponent = min(max(0, attempts - 1), 32)
            nominal = min(self.cap.total_seconds(), self.base.total_seconds() * 2**exponent)
        return timedelta(seconds=nominal * (rng or random).uniform(*self.jitter))

    def next_attempt(
        self,
        attempts: int,
        *,
        now: datetime,
        first_at: datetime | None = None,
        rng: random.Random | None = None,
    ) -> datetime | None:
        """When to try again after ``attempts`` failed tries, or ``None`` to give up."""
        if attempts < 1 or (self.max_attempts is not None and attempts >= self.max_attempts):
            return None
        at = now + self.delay(attempts, rng)
        limit = self.give_up_after
        if limit is not None and first_at is not None and at - first_at > limit:
            return None
        return at


class KeyedBackoff:
    """Failures counted per key (thread-safe, process-local): after each failure the key
    waits ``policy.delay(failures)``; a success forgets it."""

    def __init__(self, policy: Backoff, rng: random.Random | None = None) -> None:
        self.policy = policy
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._state: dict[str, tuple[int, datetime]] = {}  # key → (failures, wait until)

    def until(self, key: str, now: datetime) -> datetime | None:
        """When ``key`` may try again, if that is later than ``now``."""
        with self._lock:
            state = self._state.get(key)
        return state[1] if state is not None and state[1] > now else None

    def failed(self, key: str, now: datetime) -> datetime:
        with self._lock:
            failures = self._state.get(key, (0, now))[0] + 1
            until = now + self.policy.delay(failures, self._rng)
            self._state[key] = (failures, until)
        return until

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._state.pop(key, None)
