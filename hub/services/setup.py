"""Setup use cases: businesses, branches and services, and reads of every setup entity —
so entry points call these, not repositories. Resources and groups are in
``resource_setup``, customers in ``customer_setup``, zones in ``zones``; what they share
(storing with an audit entry) in ``setup_audit``.

Every reference (a branch's resources, a service's resources and groups) must belong to
the same business. Services that bookings point to are deactivated rather than deleted.
Each change writes an AuditEntry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from hub.domain.booking import ChangedBy
from hub.domain.errors import ConflictError, ValidationError
from hub.domain.model import (
    Branch,
    Business,
    Resource,
    ResourceGroup,
    Service,
)
from hub.services.calendars import get_business
from hub.services.ports import UnitOfWork
from hub.services.setup_audit import audit_setup, found, store

# -- businesses --------------------------------------------------------------------------


def create_business(
    uow: UnitOfWork, business: Business, *, by: ChangedBy, now: datetime
) -> Business:
    with uow:
        if uow.businesses.get_by_slug(business.slug) is not None:
            raise ConflictError("that slug is taken", field="slug", slug=business.slug)
        uow.businesses.add(business)
        audit_setup(uow, business.id, "business", business.id, "created", by=by, now=now)
        uow.commit()
    return business


def update_business(
    uow: UnitOfWork, business: Business, *, by: ChangedBy, now: datetime
) -> Business:
    with uow:
        current = get_business(uow, business.id)
        other = uow.businesses.get_by_slug(business.slug)
        if other is not None and other.id != business.id:
            raise ConflictError("that slug is taken", field="slug", slug=business.slug)
        uow.businesses.update(business)
        audit_setup(
            uow,
            business.id,
            "business",
            business.id,
            "updated",
            by=by,
            now=now,
            data={"slug": [current.slug, business.slug]},
        )
        uow.commit()
    return business


def find_business(
    uow: UnitOfWork, *, business_id: str | None = None, slug: str | None = None
) -> Business:
    with uow:
        if business_id is not None:
            return get_business(uow, business_id)
        return found(uow.businesses.get_by_slug(slug or ""), "business", slug or "")


# -- branches ----------------------------------------------------------------------------


def save_branch(uow: UnitOfWork, branch: Branch, *, by: ChangedBy, now: datetime) -> Branch:
    """Create the branch, or replace it if it exists (same id)."""
    with uow:
        get_business(uow, branch.business_id)
        store(uow, uow.branches, branch, "branch", by=by, now=now)
        uow.commit()
    return branch


def set_branch_resources(
    uow: UnitOfWork,
    business_id: str,
    branch_id: str,
    resource_ids: Sequence[str],
    *,
    by: ChangedBy,
    now: datetime,
) -> Branch:
    """Which of the business's resources work at the branch (others are taken off it; a
    resource may work at several branches)."""
    with uow:
        branch = found(uow.branches.get(business_id, branch_id), "branch", branch_id)
        wanted = set(resource_ids)
        resources = uow.resources.list(business_id)
        if not wanted <= {r.id for r in resources}:
            raise ValidationError(
                "every resource must belong to this business", field="resource_ids"
            )
        for resource in resources:
            works_here = branch_id in resource.branch_ids
            if resource.id in wanted and not works_here:
                resource.branch_ids = (*resource.branch_ids, branch_id)
            elif resource.id not in wanted and works_here:
                resource.branch_ids = tuple(b for b in resource.branch_ids if b != branch_id)
            else:
                continue
            uow.resources.update(resource)
        audit_setup(
            uow,
            business_id,
            "branch",
            branch_id,
            "resources_set",
            by=by,
            now=now,
            data={"resource_ids": sorted(wanted)},
        )
        uow.commit()
    return branch


def get_branch(uow: UnitOfWork, business_id: str, branch_id: str) -> Branch:
    with uow:
        return found(uow.branches.get(business_id, branch_id), "branch", branch_id)


def delete_branch(
    uow: UnitOfWork, business_id: str, branch_id: str, *, by: ChangedBy, now: datetime
) -> None:
    with uow:
        found(uow.branches.get(business_id, branch_id), "branch", branch_id)
        for resource in uow.resources.list(business_id):
            if branch_id in resource.branch_ids:
                resource.branch_ids = tuple(b for b in resource.branch_ids if b != branch_id)
                uow.resources.update(resource)
        uow.branches.delete(business_id, branch_id)
        audit_setup(uow, business_id, "branch", branch_id, "deleted", by=by, now=now)
        uow.commit()


# -- services ----------------------------------------------------------------------------


def save_service(
    uow: UnitOfWork,
    service: Service,
    *,
    by: ChangedBy,
    now: datetime,
    resource_prices: Mapping[str, int | None] | None = None,
) -> Service:
    """Create the service, or replace it. ``resource_prices``: in the same transaction, the
    price of each of those resources of the business for services priced per resource
    (None: the service's own price)."""
    with uow:
        for resource_id, price in (resource_prices or {}).items():
            resource = uow.resources.get(service.business_id, resource_id)
            if resource is None:
                raise ValidationError(
                    "every resource must belong to this business", field="resource_prices"
                )
            if resource.price_minor != price:
                resource = replace(resource, price_minor=price)  # validated as it is built
                uow.resources.update(resource)
                audit_setup(
                    uow, service.business_id, "resource", resource.id, "price", by=by, now=now
                )
        get_business(uow, service.business_id)
        if len(uow.resources.get_many(service.business_id, service.resource_ids)) != len(
            set(service.resource_ids)
        ):
            raise ValidationError(
                "every resource must belong to this business", field="resource_ids"
            )
        for group_id in service.group_ids:
            if uow.groups.get(service.business_id, group_id) is None:
                raise ValidationError("every group must belong to this business", field="group_ids")
        store(uow, uow.services, service, "service", by=by, now=now)
        uow.commit()
    return service


def deactivate_service(
    uow: UnitOfWork, business_id: str, service_id: str, *, by: ChangedBy, now: datetime
) -> Service:
    with uow:
        service = found(uow.services.get(business_id, service_id), "service", service_id)
        service.active = False
        uow.services.update(service)
        audit_setup(uow, business_id, "service", service_id, "deactivated", by=by, now=now)
        uow.commit()
    return service


# -- reads -------------------------------------------------------------------------------


def list_branches(uow: UnitOfWork, business_id: str, *, active_only: bool = False) -> list[Branch]:
    with uow:
        branches = uow.branches.list(business_id)
    return [b for b in branches if b.active or not active_only]


def list_resources(uow: UnitOfWork, business_id: str) -> list[Resource]:
    with uow:
        return uow.resources.list(business_id)


def list_groups(uow: UnitOfWork, business_id: str) -> list[ResourceGroup]:
    with uow:
        return uow.groups.list(business_id)


def list_services(uow: UnitOfWork, business_id: str, *, active_only: bool = False) -> list[Service]:
    with uow:
        services = uow.services.list(business_id)
    return [s for s in services if s.active or not active_only]


def get_resource(uow: UnitOfWork, business_id: str, resource_id: str) -> Resource:
    with uow:
        return found(uow.resources.get(business_id, resource_id), "resource", resource_id)


def get_service(uow: UnitOfWork, business_id: str, service_id: str) -> Service:
    with uow:
        return found(uow.services.get(business_id, service_id), "service", service_id)
