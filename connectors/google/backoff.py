"""Per-connection backoff after Google said "slow down" (403 rate limit, 429) or failed
(5xx, unreachable): exponential with full jitter (AWS Architecture Blog, "Exponential
Backoff And Jitter"), kept per Google account so one busy user never slows the others.

Process-local on purpose: it spares Google calls this process would make in vain; the
outbox's own retry schedule is what keeps every intent until Google takes it.
"""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta

BASE = timedelta(seconds=15)
CAP = timedelta(minutes=30)


class Backoff:
    def __init__(
        self, base: timedelta = BASE, cap: timedelta = CAP, rng: random.Random | None = None
    ) -> None:
        self.base = base
        self.cap = cap
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._state: dict[str, tuple[int, datetime]] = {}  # key → (failures, wait until)

    def until(self, key: str, now: datetime) -> datetime | None:
        """When ``key`` may call Google again, if that is later than ``now``."""
        with self._lock:
            state = self._state.get(key)
        return state[1] if state is not None and state[1] > now else None

    def failed(self, key: str, now: datetime) -> datetime:
        with self._lock:
            failures = self._state.get(key, (0, now))[0] + 1
            ceiling = min(self.cap, self.base * (1 << min(failures - 1, 20)))
            until = now + ceiling * self._rng.random()
            self._state[key] = (failures, until)
        return until

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._state.pop(key, None)
