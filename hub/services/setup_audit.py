"""What every setup use case shares: storing a business's entity (added or replaced) with
its audit entry, auditing any other setup change, and "not found" for a missing one.
Not here: the use cases (``setup``, ``resource_setup``, ``customer_setup``, ``zones``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, TypeVar

from hub.domain.booking import ChangedBy
from hub.domain.errors import NotFoundError
from hub.services.events import record_audit
from hub.services.ports import UnitOfWork

T = TypeVar("T")


class Entity(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def business_id(self) -> str: ...


E = TypeVar("E", bound=Entity)


class Stored(Protocol[E]):
    """A repository of one kind of setup entity (branches, resources, groups, services)."""

    def add(self, item: E, /) -> None: ...
    def get(self, business_id: str, item_id: str, /) -> E | None: ...
    def update(self, item: E, /) -> None: ...


def store(
    uow: UnitOfWork, repo: Stored[E], item: E, kind: str, *, by: ChangedBy, now: datetime
) -> None:
    """Add ``item``, or replace the stored one with its id; audited as created or updated."""
    exists = repo.get(item.business_id, item.id) is not None
    (repo.update if exists else repo.add)(item)
    action = "updated" if exists else "created"
    audit_setup(uow, item.business_id, kind, item.id, action, by=by, now=now)


def audit_setup(
    uow: UnitOfWork,
    business_id: str,
    entity: str,
    entity_id: str,
    action: str,
    *,
    by: ChangedBy,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> None:
    """Audit a change to a business's setup (its entity, e.g. "zone", and action)."""
    record_audit(
        uow,
        business_id=business_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        by=by,
        now=now,
        data=data,
    )


def found(value: T | None, entity: str, entity_id: str) -> T:
    if value is None:
        raise NotFoundError(f"no such {entity}", entity=entity, id=entity_id)
    return value
