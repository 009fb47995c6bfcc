"""What every write of a client shares: who makes it (an operator over CalDAV), a unit of
work, and the CalDAV answer to a use case's error (``refusal``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy.orm import Session

from caldav_server import read_model
from caldav_server.refusals import RefusedError, refuse
from hub.domain.accounts import User
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.errors import (
    ConflictError,
    DomainError,
    IllegalTransitionError,
    NotFoundError,
    PermissionDeniedError,
    PolicyViolationError,
    SlotTakenError,
    StaleVersionError,
    ValidationError,
)
from hub.persistence.uow import SqlDatabase, SqlUnitOfWork
from hub.services.blocks import delete_block
from hub.services.bound import Services
from hub.services.ports import UnitOfWork


def refusal(exc: DomainError) -> RefusedError:
    """The CalDAV answer to a use case's error."""
    if isinstance(exc, SlotTakenError):
        return refuse("no-overlapping-booking", exc.message)
    if isinstance(exc, PolicyViolationError):
        return refuse("booking-policy", exc.message)
    if isinstance(exc, IllegalTransitionError):
        return refuse("booking-state", exc.message)
    if isinstance(exc, StaleVersionError):
        return refuse("booking-version", exc.message, status=412)
    if isinstance(exc, NotFoundError):
        return refuse("not-found", exc.message, status=404)
    if isinstance(exc, PermissionDeniedError):
        return RefusedError(403, "DAV:", "need-privileges", exc.message)
    if isinstance(exc, ConflictError):
        return refuse("conflict", exc.message, status=409)
    if isinstance(exc, ValidationError):
        return refuse("valid-booking", exc.message)
    return refuse("booking-rule", exc.message)


def own_block(session: Session, resource_id: str, block_id: str) -> None:
    """Refuse changing, from one resource's calendar, a block of its whole branch."""
    found = read_model.block(session, block_id)
    if found is not None and found.resource_id != resource_id:
        raise refuse("branch-block", "this block closes the whole branch; change it in Turnero")


@dataclass
class WriterBase:
    """Whose writes these are (``user``, at ``clock()``), and the bound use cases."""

    database: SqlDatabase
    clock: Callable[[], datetime]
    user: User
    core: Services  # reschedules and reassignments, with the root's clock and busy time

    @property
    def by(self) -> ChangedBy:
        return ChangedBy(Actor.OPERATOR, Channel.CALDAV, self.user.id)

    def _uow(self) -> SqlUnitOfWork:
        return self.database.unit_of_work()

    def _run(self, action: Callable[[UnitOfWork], object]) -> None:
        try:
            action(cast(UnitOfWork, self._uow()))
        except DomainError as exc:
            raise refusal(exc) from exc

    def _delete_blocks(self, business_id: str, block_ids: Sequence[str], now: datetime) -> None:
        for block_id in dict.fromkeys(block_ids):
            try:
                delete_block(
                    cast(UnitOfWork, self._uow()), business_id, block_id, by=self.by, now=now
                )
            except NotFoundError:
                continue
            except DomainError as exc:
                raise refusal(exc) from exc
