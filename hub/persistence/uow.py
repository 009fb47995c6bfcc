"""The SQL unit of work: one session, one transaction, the repositories bound to it.

Database errors that mean "taken" (the PostgreSQL exclusion constraint) become
``SlotTakenError``; other integrity errors become ``ConflictError``; a lost optimistic update
becomes ``StaleVersionError``. After a successful commit the registered callbacks get the ids
of the OutboxEvents committed (the scheduler enqueues their dispatch there; if that fails, its
periodic sweep still finds them).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from types import TracebackType
from typing import Self, cast

from sqlalchemy import Engine, Table, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from hub.domain.errors import ConflictError, DomainError, SlotTakenError, StaleVersionError
from hub.persistence.accounts import (
    SqlApiKeyRepository,
    SqlAppPasswordRepository,
    SqlConsoleSessionRepository,
    SqlUserRepository,
)
from hub.persistence.booking_repos import SqlBookingRepository
from hub.persistence.database import create_engine_for, is_sqlite, session_factory
from hub.persistence.email_domains import SqlEmailDomainRepository
from hub.persistence.feeds import SqlFeedTokenRepository
from hub.persistence.history_codes import SqlClientHistoryRepository
from hub.persistence.login_failures import SqlLoginFailures
from hub.persistence.models import ResourceRow
from hub.persistence.payments import SqlPaymentRepository
from hub.persistence.plans import SqlPlanRepository
from hub.persistence.record_repos import (
    SqlAuditRepository,
    SqlBlockRepository,
    SqlOutboxRepository,
    SqlServiceRecordRepository,
)
from hub.persistence.setup_repos import (
    SqlBranchRepository,
    SqlBusinessRepository,
    SqlCustomerRepository,
    SqlGroupRepository,
    SqlResourceRepository,
    SqlServiceRepository,
    SqlZoneRepository,
)
from hub.services.ports import AfterCommit, UnitOfWork

log = logging.getLogger(__name__)

EXCLUSION_VIOLATION = "23P01"  # PostgreSQL SQLSTATE exclusion_violation
_RESOURCE_ID = cast(Table, ResourceRow.__table__).c.id
_LOCK_RESOURCES = (
    select(_RESOURCE_ID)
    .where(_RESOURCE_ID.in_(bindparam("ids", expanding=True)))
    .order_by(_RESOURCE_ID)  # one lock order: no deadlocks between writers
    .with_for_update()
)


def translate(exc: Exception) -> DomainError | None:
    """The domain error a database error stands for, if any."""
    if isinstance(exc, StaleDataError):
        return StaleVersionError("the booking changed since you read it")
    if isinstance(exc, IntegrityError):
        if getattr(exc.orig, "sqlstate", None) == EXCLUSION_VIOLATION:
            return SlotTakenError("that time is already taken on this resource")
        return ConflictError("that conflicts with existing data", detail=str(exc.orig))
    return None


class SqlUnitOfWork:
    """``UnitOfWork`` over SQLAlchemy. Re-enterable; not to be shared between threads."""

    def __init__(
        self, sessions: sessionmaker[Session], after_commit: Sequence[AfterCommit] = ()
    ) -> None:
        self._sessions = sessions
        self._after_commit = list(after_commit)
        self._session: Session | None = None
        self._outbox_ids: list[str] = []
        self._depth = 0

    def add_after_commit(self, callback: AfterCommit) -> None:
        self._after_commit.append(callback)

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open (use `with uow:`)")
        return self._session

    def __enter__(self) -> Self:
        # Nested ``with`` on an open unit of work joins its transaction, so a use case that
        # opens its own can also be called by an adapter that already holds one open.
        self._depth += 1
        if self._session is None:
            session = self._sessions()
            self._session = session
            self._outbox_ids = []
            self._open_repositories(session)
        return self

    def _open_repositories(self, session: Session) -> None:
        """Bind the repositories to ``session``; subclasses that add tables extend this."""
        self.businesses = SqlBusinessRepository(session)
        self.branches = SqlBranchRepository(session)
        self.resources = SqlResourceRepository(session)
        self.groups = SqlGroupRepository(session)
        self.services = SqlServiceRepository(session)
        self.zones = SqlZoneRepository(session)
        self.customers = SqlCustomerRepository(session)
        self.bookings = SqlBookingRepository(session)
        self.blocks = SqlBlockRepository(session)
        self.service_records = SqlServiceRecordRepository(session)
        self.audit = SqlAuditRepository(session)
        self.outbox = SqlOutboxRepository(session, self._outbox_ids)
        self.users = SqlUserRepository(session)
        self.api_keys = SqlApiKeyRepository(session)
        self.app_passwords = SqlAppPasswordRepository(session)
        self.console_sessions = SqlConsoleSessionRepository(session)
        self.email_domains = SqlEmailDomainRepository(session)
        self.feed_tokens = SqlFeedTokenRepository(session)
        self.payments = SqlPaymentRepository(session)
        self.plans = SqlPlanRepository(session)
        self.client_history = SqlClientHistoryRepository(session)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth > 0:
            return
        session, self._session = self._session, None
        if session is not None:
            try:
                session.rollback()  # a no-op after commit; drops whatever was not committed
            finally:
                session.close()
        if isinstance(exc, Exception):
            domain = translate(exc)
            if domain is not None:
                raise domain from exc

    def commit(self) -> None:
        session = self.session
        try:
            session.commit()
        except (IntegrityError, StaleDataError) as exc:
            session.rollback()
            domain = translate(exc)
            assert domain is not None
            raise domain from exc
        ids, self._outbox_ids[:] = list(self._outbox_ids), []
        if ids:
            self._notify(ids)

    def _notify(self, ids: Sequence[str]) -> None:
        for callback in self._after_commit:
            try:
                callback(ids)
            except Exception:  # the commit stands; the outbox sweep re-dispatches
                log.exception("after-commit callback failed for outbox events %s", ids)

    def rollback(self) -> None:
        self.session.rollback()
        self._outbox_ids[:] = []

    def lock_resources(self, resource_ids: Sequence[str]) -> None:
        session = self.session
        if session.get_bind().dialect.name == "sqlite" or not resource_ids:
            return  # BEGIN IMMEDIATE already serialises every writer on SQLite
        session.execute(_LOCK_RESOURCES, {"ids": sorted(set(resource_ids))})


class SqlDatabase:
    """The engine and session factory for one database URL; hands out units of work.

    Creating it connects to nothing. ``after_commit`` callbacks are given to every unit of
    work it makes (the scheduler registers its enqueue there, at bootstrap).
    """

    def __init__(self, database_url: str, after_commit: Sequence[AfterCommit] = ()) -> None:
        self.url = database_url
        self.engine: Engine = create_engine_for(database_url)
        self.sessions = session_factory(self.engine)
        # Sessions whose every statement is its own transaction: for a lookup or two that
        # need no transaction around them, they save the BEGIN and ROLLBACK round trips.
        # SQLite keeps its serialised transactions (``database`` explains why).
        self.autocommit_sessions = (
            self.sessions
            if is_sqlite(self.engine)
            else session_factory(self.engine.execution_options(isolation_level="AUTOCOMMIT"))
        )
        self.after_commit: list[AfterCommit] = list(after_commit)
        self.login_failures = SqlLoginFailures(self.engine)

    def unit_of_work(self, *, autocommit: bool = False) -> SqlUnitOfWork:
        sessions = self.autocommit_sessions if autocommit else self.sessions
        return SqlUnitOfWork(sessions, self.after_commit)

    def dispose(self) -> None:
        self.engine.dispose()


def _implements_the_port(uow: SqlUnitOfWork) -> UnitOfWork:
    return uow  # mypy checks that SqlUnitOfWork satisfies the UnitOfWork port
