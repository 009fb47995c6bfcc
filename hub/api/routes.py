"""The resource modules that make up API v1, in the order their paths are matched
(literal paths such as ``/bookings/search-users`` before ``/bookings/{id}``).

Connectors declare their routes with the same ``Operations`` in their own packages; the
composition root (``hub.app.api_registry``) adds them after these, so the API imports no
connector."""

from __future__ import annotations

from collections.abc import Sequence

from hub.api import (
    analytics,
    booking_actions,
    bookings,
    business,
    calendar_setup,
    day_route,
    domains,
    geo,
    people,
    public,
    public_bookings,
    records,
    series,
    setup,
    staff,
)
from hub.api.registry import Operations, Registry


def groups() -> list[Operations]:
    return [
        public.ops,
        public_bookings.ops,
        booking_actions.ops,
        records.ops,
        analytics.ops,
        day_route.ops,
        bookings.ops,
        series.ops,
        business.ops,
        setup.ops,
        geo.ops,
        calendar_setup.ops,
        people.ops,
        staff.ops,
        domains.ops,
    ]


def registry(connectors: Sequence[Operations] = ()) -> Registry:
    """The core's operations, then ``connectors``' (the root passes them)."""
    return Registry([*groups(), *connectors])
