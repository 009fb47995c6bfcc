"""The resource modules that make up API v1, in the order their paths are matched
(literal paths such as ``/bookings/search-users`` before ``/bookings/{id}``)."""

from __future__ import annotations

from connectors.crm_webhooks import api as webhooks
from connectors.notify import api as whatsapp
from hub.api import (
    booking_actions,
    bookings,
    business,
    calendar_setup,
    people,
    public,
    records,
    setup,
)
from hub.api.registry import Operations, Registry


def groups() -> list[Operations]:
    return [
        public.ops,
        booking_actions.ops,
        records.ops,
        bookings.ops,
        business.ops,
        setup.ops,
        calendar_setup.ops,
        people.ops,
        # Routes of connectors, declared in their own packages with this registry.
        webhooks.ops,
        whatsapp.ops,
    ]


def registry() -> Registry:
    return Registry(groups())
