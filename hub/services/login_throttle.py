"""Throttling of password guesses, for every way staff sign in (console password, calendar
app passwords): one ``LoginThrottle``, shared by the web processes through its store.

Failures are counted under three keys, each with its own allowance and exponential backoff:

- the pair (source address, account): five wrong passwords from one address against one
  email block that address, for that email only, for a minute, then 2, 4, 8… up to 15
  minutes. A stranger's failures never block the account's owner, who signs in from
  elsewhere;
- the source address (an IPv6 address counts by its /64), against any accounts: a hundred
  failures block it, so one machine cannot spray guesses across many accounts;
- the account, from every address: a ceiling (five hundred failures) that one attacker
  cannot reach (the pair and source blocks hold them far below it), so only a many-address
  attack slows the account's own sign-in.

A blocked attempt is refused before the password is checked (``TooManyAttemptsError``, with
the seconds to wait) and costs one indexed read — or nothing, when this process already
knows of the block. Nobody waits on a sleeping thread. Keys depend on the email as typed,
never on whether such a user exists, so known and unknown emails are answered alike. Keys
are stored as hashes: the table holds no address and no email.
"""

from __future__ import annotations

import hashlib
import ipaddress
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from hub.domain.errors import TooManyAttemptsError


class FailureStore(Protocol):
    """Failed-login counters, shared by every process of the hub."""

    def blocked_until(self, keys: Sequence[str], now: datetime) -> datetime | None:
        """The latest end of a block on any of ``keys`` that still runs at ``now``."""
        ...

    def add_failure(
        self, keys: Sequence[str], now: datetime, forget_before: datetime
    ) -> Mapping[str, int]:
        """One more failure on each key (a count whose last failure came before
        ``forget_before`` starts again); the counts after it."""
        ...

    def block(self, until: Mapping[str, datetime]) -> None:
        """Block each key until its time (a later block already there stays)."""
        ...

    def forget(self, keys: Sequence[str]) -> None: ...

    def purge(self, forget_before: datetime, now: datetime) -> int:
        """Drop counters idle since ``forget_before`` and not blocked at ``now``."""
        ...


@dataclass(frozen=True, slots=True)
class Limit:
    free: int  # failures before the first block
    first_block: timedelta  # doubled by each further failure…
    longest_block: timedelta  # …up to this

    def block_for(self, failures: int) -> timedelta | None:
        if failures < self.free:
            return None
        doublings = min(failures - self.free, 20)
        block: timedelta = min(self.first_block * (2**doublings), self.longest_block)
        return block


@dataclass(frozen=True, slots=True)
class ThrottleRules:
    pair: Limit = Limit(5, timedelta(minutes=1), timedelta(minutes=15))
    source: Limit = Limit(100, timedelta(minutes=1), timedelta(hours=1))
    account: Limit = Limit(500, timedelta(minutes=5), timedelta(minutes=30))
    forget_after: timedelta = timedelta(hours=6)  # a counter idle this long starts again
    purge_every: timedelta = timedelta(minutes=10)


def source_of(address: str) -> str:
    """The address a limit counts by: IPv4 as is, IPv6 by its /64 (one host's share)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:64] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def account_of(login: str) -> str:
    """The account a limit counts by: the email as typed, trimmed and lower-cased."""
    return login.strip().lower()[:254]


def _key(kind: str, *parts: str) -> str:
    return hashlib.sha256("\0".join((kind, *parts)).encode()).hexdigest()


@dataclass(slots=True)
class _Keys:
    pair: str
    source: str
    account: str

    def all(self) -> list[str]:
        return [self.pair, self.source, self.account]


@dataclass
class LoginThrottle:
    """``check`` before a password is verified, then ``failed`` or ``succeeded``."""

    store: FailureStore
    rules: ThrottleRules = field(default_factory=ThrottleRules)
    max_known_blocks: int = 100_000
    # Keeps another throttle's counters over the same store apart from the sign-ins' (the
    # one-time codes of client history count sends and wrong codes with their own rules).
    namespace: str = ""
    _known: dict[str, datetime] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _purged_at: datetime | None = field(default=None, init=False, repr=False)

    def _keys(self, address: str, login: str) -> _Keys:
        source, account = source_of(address), account_of(login)
        ns = self.namespace
        return _Keys(
            _key(ns + "pair", source, account),
            _key(ns + "source", source),
            _key(ns + "account", account),
        )

    def check(self, address: str, login: str, now: datetime) -> None:
        """Raise ``TooManyAttemptsError`` if a guess from ``address`` at ``login`` must wait."""
        keys = self._keys(address, login).all()
        with self._lock:
            known = [self._known[k] for k in keys if k in self._known]
        until = max((u for u in known if u > now), default=None)
        if until is None:
            until = self.store.blocked_until(keys, now)
            if until is not None:
                self._remember(dict.fromkeys(keys[:1], until))  # refused again without a read
        if until is not None and until > now:
            seconds = max(1, int((until - now).total_seconds() + 0.999))
            raise TooManyAttemptsError("too many failed attempts; try again later", seconds)

    def failed(self, address: str, login: str, now: datetime) -> None:
        keys = self._keys(address, login)
        counts = self.store.add_failure(keys.all(), now, now - self.rules.forget_after)
        blocks: dict[str, datetime] = {}
        for key, limit in (
            (keys.pair, self.rules.pair),
            (keys.source, self.rules.source),
            (keys.account, self.rules.account),
        ):
            duration = limit.block_for(counts.get(key, 0))
            if duration is not None:
                blocks[key] = now + duration
        if blocks:
            self.store.block(blocks)
            self._remember(blocks)

    def succeeded(self, address: str, login: str, now: datetime) -> None:
        """The right password: this address's failures at this account are forgotten (not
        the address's own count, or one valid account would reset a sprayer's)."""
        keys = self._keys(address, login)
        self.store.forget([keys.pair, keys.account])
        with self._lock:
            self._known.pop(keys.pair, None)
            self._known.pop(keys.account, None)
            due = self._purged_at is None or now - self._purged_at >= self.rules.purge_every
            if due:
                self._purged_at = now
        if due:
            self.store.purge(now - self.rules.forget_after, now)

    def _remember(self, blocks: Mapping[str, datetime]) -> None:
        with self._lock:
            if len(self._known) >= self.max_known_blocks:
                self._known.clear()  # crude bound on memory; the store still knows
            for key, until in blocks.items():
                if until > self._known.get(key, until - timedelta(seconds=1)):
                    self._known[key] = until
