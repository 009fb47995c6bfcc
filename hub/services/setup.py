"""Setup use cases: businesses, branches, resources (with weekly rules and date exceptions),
resource groups, services and customers — so entry points call these, not repositories.

Every reference (a resource's branches, a group's members, a service's resources and groups)
must belong to the same business. Resources and services that bookings point to are
deactivated rather than deleted. Each change writes an AuditEntry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol, TypeVar

from hub.domain.booking import ChangedBy
from hub.domain.errors import ConflictError, NotFoundError, ValidationError
from hub.domain.model import (
    Branch,
    Business,
    Customer,
    DateException,
    Resource,
    ResourceGroup,
    Service,
    WeeklyInterval,
)
from hub.services.calendars import get_business
from hub.services.customers import (
    CustomerDetails,
    clean_details,
    find_by_phone,
    find_or_create_customer,
)
from hub.services.events import record_audit
from hub.services.ports import UnitOfWork

T = TypeVar("T")


class _Entity(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def business_id(self) -> str: ...


E = TypeVar("E", bound=_Entity)


class _Stored(Protocol[E]):
    """A repository of one kind of setup entity (branches, resources, groups, services)."""

    def add(self, item: E, /) -> None: ...
    def get(self, business_id: str, item_id: str, /) -> E | None: ...
    def update(self, item: E, /) -> None: ...


def _store(
    uow: UnitOfWork, repo: _Stored[E], item: E, kind: str, *, by: ChangedBy, now: datetime
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


def _found(value: T | None, entity: str, entity_id: str) -> T:
    if value is None:
        raise NotFoundError(f"no such {entity}", entity=entity, id=entity_id)
    return value


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
        return _found(uow.businesses.get_by_slug(slug or ""), "business", slug or "")


# -- branches ----------------------------------------------------------------------------


def save_branch(uow: UnitOfWork, branch: Branch, *, by: ChangedBy, now: datetime) -> Branch:
    """Create the branch, or replace it if it exists (same id)."""
    with uow:
        get_business(uow, branch.business_id)
        _store(uow, uow.branches, branch, "branch", by=by, now=now)
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
        branch = _found(uow.branches.get(business_id, branch_id), "branch", branch_id)
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
        return _found(uow.branches.get(business_id, branch_id), "branch", branch_id)


def delete_branch(
    uow: UnitOfWork, business_id: str, branch_id: str, *, by: ChangedBy, now: datetime
) -> None:
    with uow:
        _found(uow.branches.get(business_id, branch_id), "branch", branch_id)
        for resource in uow.resources.list(business_id):
            if branch_id in resource.branch_ids:
                resource.branch_ids = tuple(b for b in resource.branch_ids if b != branch_id)
                uow.resources.update(resource)
        uow.branches.delete(business_id, branch_id)
        audit_setup(uow, business_id, "branch", branch_id, "deleted", by=by, now=now)
        uow.commit()


# -- resources ---------------------------------------------------------------------------


def save_resource(uow: UnitOfWork, resource: Resource, *, by: ChangedBy, now: datetime) -> Resource:
    """Create the resource, or replace it (rules, exceptions, branches, capacity…)."""
    with uow:
        get_business(uow, resource.business_id)
        for branch_id in resource.branch_ids:
            _found(uow.branches.get(resource.business_id, branch_id), "branch", branch_id)
        _store(uow, uow.resources, resource, "resource", by=by, now=now)
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
        resource = _found(uow.resources.get(business_id, resource_id), "resource", resource_id)
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
        resource = _found(uow.resources.get(business_id, resource_id), "resource", resource_id)
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
        resource = _found(uow.resources.get(business_id, resource_id), "resource", resource_id)
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
        resource = _found(uow.resources.get(business_id, resource_id), "resource", resource_id)
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
        _store(uow, uow.groups, group, "group", by=by, now=now)
        uow.commit()
    return group


def delete_group(
    uow: UnitOfWork, business_id: str, group_id: str, *, by: ChangedBy, now: datetime
) -> None:
    with uow:
        _found(uow.groups.get(business_id, group_id), "group", group_id)
        for service in uow.services.list(business_id):
            if group_id in service.group_ids:
                raise ConflictError(
                    "a service still uses this group", field="group_id", service_id=service.id
                )
        uow.groups.delete(business_id, group_id)
        audit_setup(uow, business_id, "group", group_id, "deleted", by=by, now=now)
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
        _store(uow, uow.services, service, "service", by=by, now=now)
        uow.commit()
    return service


def deactivate_service(
    uow: UnitOfWork, business_id: str, service_id: str, *, by: ChangedBy, now: datetime
) -> Service:
    with uow:
        service = _found(uow.services.get(business_id, service_id), "service", service_id)
        service.active = False
        uow.services.update(service)
        audit_setup(uow, business_id, "service", service_id, "deactivated", by=by, now=now)
        uow.commit()
    return service


# -- customers ---------------------------------------------------------------------------


def upsert_customer(
    uow: UnitOfWork, business_id: str, details: CustomerDetails, *, by: ChangedBy, now: datetime
) -> Customer:
    """The customer with this phone/email, created if new (phone normalised to E.164)."""
    with uow:
        business = get_business(uow, business_id)
        customer = find_or_create_customer(uow, business, details)
        audit_setup(uow, business_id, "customer", customer.id, "saved", by=by, now=now)
        uow.commit()
    return customer


def update_customer(
    uow: UnitOfWork,
    business_id: str,
    customer_id: str,
    details: CustomerDetails,
    *,
    by: ChangedBy,
    now: datetime,
) -> Customer:
    with uow:
        business = get_business(uow, business_id)
        customer = _found(uow.customers.get(business_id, customer_id), "customer", customer_id)
        clean = clean_details(details, business)
        for field, finder in (
            ("phone", lambda business_id, phone: find_by_phone(uow, business_id, phone)),
            ("email", uow.customers.find_by_email),
        ):
            value = getattr(clean, field)
            other = finder(business_id, value) if value else None
            if other is not None and other.id != customer_id:
                raise ConflictError(f"another customer has that {field}", field=field)
        customer.name, customer.phone, customer.email = clean.name, clean.phone, clean.email
        customer.address = clean.address
        uow.customers.update(customer)
        audit_setup(uow, business_id, "customer", customer_id, "updated", by=by, now=now)
        uow.commit()
    return customer


def list_customers(
    uow: UnitOfWork, business_id: str, limit: int = 100, offset: int = 0
) -> list[Customer]:
    with uow:
        get_business(uow, business_id)
        return uow.customers.list(business_id, limit, offset)


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
        return _found(uow.resources.get(business_id, resource_id), "resource", resource_id)


def get_service(uow: UnitOfWork, business_id: str, service_id: str) -> Service:
    with uow:
        return _found(uow.services.get(business_id, service_id), "service", service_id)


def get_customer(uow: UnitOfWork, business_id: str, customer_id: str) -> Customer:
    with uow:
        return _found(uow.customers.get(business_id, customer_id), "customer", customer_id)
