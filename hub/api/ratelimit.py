"""A per-client token bucket for public writes (booking, cancelling, rescheduling).

In-process: each web process keeps its own buckets, so with N processes a client gets up to N
times the rate. That is enough to stop a script hammering one process; a shared limiter
(Redis) can replace this class behind the same ``allow`` method when it matters.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rate:
    burst: int = 20  # requests allowed at once
    per_second: float = 0.2  # refill: one request every 5 s after the burst


class TokenBucket:
    """``allow(key, now)`` → seconds to wait (0.0 when the request may go ahead)."""

    def __init__(self, rate: Rate, max_keys: int = 100_000) -> None:
        self.rate = rate
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, at)
        self._lock = threading.Lock()

    def allow(self, key: str, now: float) -> float:
        with self._lock:
            tokens, at = self._buckets.get(key, (float(self.rate.burst), now))
            tokens = min(float(self.rate.burst), tokens + (now - at) * self.rate.per_second)
            if tokens >= 1.0:
                self._remember(key, tokens - 1.0, now)
                return 0.0
            self._remember(key, tokens, now)
            return (1.0 - tokens) / self.rate.per_second if self.rate.per_second else 3600.0

    def _remember(self, key: str, tokens: float, now: float) -> None:
        if len(self._buckets) >= self._max_keys and key not in self._buckets:
            self._buckets.clear()  # crude bound on memory; a full bucket is the default
        self._buckets[key] = (tokens, now)
