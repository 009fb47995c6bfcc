"""The resource modules that make up API v1, in the order their paths are matched
(literal paths such as ``/bookings/search-users`` before ``/bookings/{id}``)."""

from __future__ import annotations

from hub.api import bookings, calendar_setup, people, public, setup
from hub.api.registry import Operations, Registry


def groups() -> list[Operations]:
    return [public.ops, bookings.ops, setup.ops, calendar_setup.ops, people.ops]


def registry() -> Registry:
    return Registry(groups())
