"""Conversions between ORM rows and domain objects (and the JSON shapes of value objects).

No queries here; repositories call these. The ``*_from_row`` readers also take a Core
``Row`` of the table's columns (bulk readers skip building ORM objects). Split by what is
converted: a business's setup (``setup``), and bookings with the records the core writes as
it runs (``bookings``); callers use the names re-exported here.
"""

from hub.persistence.convert.bookings import (
    audit_from_row,
    block_from_row,
    block_to_row,
    booking_from_row,
    booking_to_row,
    booking_values,
    invitees_from_json,
    invitees_to_json,
    outbox_from_row,
    outbox_to_row,
    record_from_row,
    record_to_row,
    record_values,
)
from hub.persistence.convert.setup import (
    branch_from_row,
    branch_to_row,
    business_from_row,
    business_to_row,
    customer_from_row,
    customer_to_row,
    deposit_from_json,
    deposit_to_json,
    group_from_row,
    group_to_row,
    resource_from_row,
    resource_to_row,
    rules_from_json,
    rules_to_json,
    service_from_row,
    service_to_row,
)

__all__ = [
    "audit_from_row",
    "block_from_row",
    "block_to_row",
    "booking_from_row",
    "booking_to_row",
    "booking_values",
    "branch_from_row",
    "branch_to_row",
    "business_from_row",
    "business_to_row",
    "customer_from_row",
    "customer_to_row",
    "deposit_from_json",
    "deposit_to_json",
    "group_from_row",
    "group_to_row",
    "invitees_from_json",
    "invitees_to_json",
    "outbox_from_row",
    "outbox_to_row",
    "record_from_row",
    "record_to_row",
    "record_values",
    "resource_from_row",
    "resource_to_row",
    "rules_from_json",
    "rules_to_json",
    "service_from_row",
    "service_to_row",
]
