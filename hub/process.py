"""What one process hands its entry points: ``Hub`` (settings, database, clock, the bound use
cases ``core``, the API's stores) — its type only. The composition root that builds it and
registers the busy sources is ``hub.bootstrap.build_hub``; this module imports no adapter, so
the API (and anything else inside ``hub``) can name the type without importing the root.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import text

from hub.api.idempotency import IdempotencyStore
from hub.api.metrics import Metrics
from hub.api.ratelimit import Rate, TokenBucket
from hub.config import Settings
from hub.domain.model import Business
from hub.persistence.uow import SqlDatabase
from hub.services.accounts import AccountsUnitOfWork
from hub.services.bound import Services
from hub.services.email_domains import DomainVerification
from hub.services.history_codes import CodeSender, HistoryThrottles
from hub.services.login_throttle import LoginThrottle
from hub.services.password_links import PasswordLink
from hub.services.payment_ports import PaymentsUnitOfWork
from hub.services.ports import AfterCommit, BusySource, Geocoder, TravelTimes, UnitOfWork
from hub.services.travel_times import STRAIGHT_LINE

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Hub:
    """Everything an entry point needs, built once per process."""

    settings: Settings
    database: SqlDatabase
    clock: Clock = system_clock
    metrics: Metrics = field(default_factory=Metrics)
    public_writes: TokenBucket = field(default_factory=lambda: TokenBucket(Rate()))
    # Registered at wiring time (CalDAV personal calendars here, Google by its connector);
    # entry points never read it: ``core`` hands it to every use case.
    busy_sources: list[BusySource] = field(default_factory=list)
    geocoders: list[Geocoder] = field(default_factory=list)  # from the settings, if any
    # How a set-password link reaches its user (email, in the business's language); the
    # composition root sets it, so the API can invite staff without knowing the mail.
    mail_password_link: Callable[[PasswordLink, Business], None] | None = None
    # How a claimed email domain's verification link reaches the address at that domain.
    mail_domain_link: Callable[[DomainVerification, Business], None] | None = None
    # Driving times for at-address visits: a routing engine chosen by the settings
    # (``build_hub``), else each business's straight-line model.
    travel_times: TravelTimes = STRAIGHT_LINE
    # Who delivers client-history codes (WhatsApp, else email): registered by the root.
    code_senders: list[CodeSender] = field(default_factory=list)
    idempotency: IdempotencyStore = field(init=False)
    login_throttle: LoginThrottle = field(init=False)  # every password check goes through it
    core: Services = field(init=False)  # the use cases, with uow, clock and busy time bound

    def __post_init__(self) -> None:
        self.idempotency = IdempotencyStore(self.database.engine)
        self.login_throttle = LoginThrottle(self.database.login_failures)
        self.core = Services(
            self.uow,
            self.now,
            self.busy_sources,
            self.geocoders,
            self.travel_times,
            history_throttles=HistoryThrottles.over(self.database.login_failures),
            code_senders=self.code_senders,
            new_accounts_uow=self.accounts_uow,
            payments_uow=self.payments_uow,
        )

    def uow(self) -> UnitOfWork:
        """A new unit of work (use it as ``with hub.uow() as uow:``, or hand it to a use case,
        which opens it)."""
        # SqlUnitOfWork implements the port; its repositories are typed as the concrete
        # classes, which mypy holds against the Protocol's (invariant) attributes.
        return cast(UnitOfWork, self.database.unit_of_work())

    def accounts_uow(self, *, autocommit: bool = False) -> AccountsUnitOfWork:
        """The same unit of work, typed for the accounts use cases (users, API keys).
        ``autocommit``: each statement commits on its own (no BEGIN/ROLLBACK round trips),
        for a use case that reads one row and at most writes one back."""
        return cast(AccountsUnitOfWork, self.database.unit_of_work(autocommit=autocommit))

    def payments_uow(self) -> PaymentsUnitOfWork:
        """The same unit of work, typed for the deposits' use cases (it carries payments)."""
        return cast(PaymentsUnitOfWork, self.database.unit_of_work())

    def now(self) -> datetime:
        return self.clock()

    def on_commit(self, callback: AfterCommit) -> None:
        """Run ``callback(outbox_event_ids)`` after every commit that wrote outbox events."""
        self.database.after_commit.append(callback)

    def check_database(self) -> bool:
        try:
            with self.database.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def close(self) -> None:
        self.database.dispose()
