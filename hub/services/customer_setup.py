"""Setup use cases of a business's customers: saved by phone or email (normalised, one
record each), updated without taking another's phone or email, listed and read.
Not here: matching a booking's client to a record (``customers``).
"""

from __future__ import annotations

from datetime import datetime

from hub.domain.booking import ChangedBy
from hub.domain.errors import ConflictError
from hub.domain.model import (
    Customer,
)
from hub.services.calendars import get_business
from hub.services.customers import (
    CustomerDetails,
    clean_details,
    find_by_phone,
    find_or_create_customer,
)
from hub.services.ports import UnitOfWork
from hub.services.setup_audit import audit_setup, found

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
        customer = found(uow.customers.get(business_id, customer_id), "customer", customer_id)
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


def get_customer(uow: UnitOfWork, business_id: str, customer_id: str) -> Customer:
    with uow:
        return found(uow.customers.get(business_id, customer_id), "customer", customer_id)
