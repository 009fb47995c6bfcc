"""Setup use cases of what can be booked: resources (with weekly rules and date exceptions,
deactivated rather than deleted once bookings point to them) and resource groups. Every
reference must belong to the same business; each change writes an AuditEntry.
Not here: businesses, branches and services (``setup``), customers (``customer_setup``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hub.domain.booking import ChangedBy
from hub.domain.errors import ConflictError, NotFoundError, ValidationError
from hub.domain.model import (
    DateException,
    Resource,
    ResourceGroup,
    WeeklyInterval,
)
from hub.services.calendars import get_business
from hub.services.ports import UnitOfWork
from hub.services.setup_audit import audit_setup, found, store

# -- resources ---------------------------------------------------------------------------


def save_resource(uow: UnitOfWork, resource: Resource, *, by: ChangedBy, now: datetime) -> Resource:
    """Create the resource, or replace it (rules, exceptions, branches, capacity…)."""
    with uow:
        get_business(uow, resource.business_id)
        for branch_id in resource.branch_ids:
            found(uow.branches.get(resource.business_id, branch_id), "branch", branch_id)
        store(uow, uow.resources, resource, "resource", by=by, now=now)
        uow.commit()
    return resource


def set_weekly_rules(
    uow: UnitOfWork,
    business_id: str,
    resource_id: str,
    weekly: Sequence[WeeklyInterval],
    *,
    by: ChangedBy,
    now: datetime,
) -> Resource:
    with uow:
        resource = found(uow.resources.get(business_id, resource_id), "resource", resource_id)
        resource.weekly = tuple(sorted(weekly, key=lambda w: (w.weekday, w.start)))
        uow.resources.update(resource)
        audit_setup(uow, business_id, "resource", resource_id, "weekly_rules", by=by, now=now)
        uow.commit()
    return resource


def add_exception(
    uow: UnitOfWork,
    business_id: str,
    resource_id: str,
    exception: DateException,
    *,
    by: ChangedBy,
    now: datetime,
) -> Resource:
    """A holiday or vacation (no intervals: closed) or different hours on some dates."""
    with uow:
        resource = found(uow.resources.get(business_id, resource_id), "resource", resource_id)
        resource.exceptions = (*resource.exceptions, exception)
        uow.resources.update(resource)
        audit_setup(
            uow,
            business_id,
            "resource",
            resource_id,
            "exception_added",
            by=by,
            now=now,
            data={"exception_id": exception.id},
        )
        uow.commit()
    return resource


def remove_exception(
    uow: UnitOfWork,
    business_id: str,
    resource_id: str,
    exception_id: str,
    *,
    by: ChangedBy,
    now: datetime,
) -> Resource:
    with uow:
        resource = found(uow.resources.get(business_id, resource_id), "resource", resource_id)
        kept = tuple(e for e in resource.exceptions if e.id != exception_id)
        if len(kept) == len(resource.exceptions):
            raise NotFoundError("no such exception", entity="exception", id=exception_id)
        resource.exceptions = kept
        uow.resources.update(resource)
        audit_setup(
            uow,
            business_id,
            "resource",
            resource_id,
            "exception_removed",
            by=by,
            now=now,
            data={"exception_id": exception_id},
        )
        uow.commit()
    return resource


def deactivate_resource(
    uow: UnitOfWork, business_id: str, resource_id: str, *, by: ChangedBy, now: datetime
) -> Resource:
    """Stop offering the resource; its bookings and history stay."""
    with uow:
        resource = found(uow.resources.get(business_id, resource_id), "resource", resource_id)
        resource.active = False
        uow.resources.update(resource)
        audit_setup(uow, business_id, "resource", resource_id, "deactivated", by=by, now=now)
        uow.commit()
    return resource


# -- groups ------------------------------------------------------------------------------


def save_group(
    uow: UnitOfWork, group: ResourceGroup, *, by: ChangedBy, now: datetime
) -> ResourceGroup:
    with uow:
        get_business(uow, group.business_id)
        members = uow.resources.get_many(group.business_id, group.resource_ids)
        if len(members) != len(set(group.resource_ids)):
            raise ValidationError(
                "every member must be a resource of this business", field="resource_ids"
            )
        store(uow, uow.groups, group, "group", by=by, now=now)
        uow.commit()
    return group


def delete_group(
    uow: UnitOfWork, business_id: str, group_id: str, *, by: ChangedBy, now: datetime
) -> None:
    with uow:
        found(uow.groups.get(business_id, group_id), "group", group_id)
        for service in uow.services.list(business_id):
            if group_id in service.group_ids:
                raise ConflictError(
                    "a service still uses this group", field="group_id", service_id=service.id
                )
        uow.groups.delete(business_id, group_id)
        audit_setup(uow, business_id, "group", group_id, "deleted", by=by, now=now)
        uow.commit()
