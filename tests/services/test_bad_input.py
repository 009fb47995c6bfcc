"""Bad input gets a typed error and changes nothing (DESIGN §3.5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from hub.domain.errors import DomainError, NotFoundError, ValidationError
from hub.services.availability import AvailabilityQuery, find_availability
from hub.services.blocks import NewBlock, create_block
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from tests.services.conftest import CLIENT, NOW, OPERATOR, World, local

TABLES = ("bookings", "customers", "audit_entries", "outbox_events", "blocks")
JUANA = CustomerDetails("Juana", phone="+5491123456789")


def _booking(w: World, **changes: object) -> Callable[[], object]:
    fields: dict[str, object] = {
        "business_id": w.business.id,
        "service_id": w.wash.id,
        "start": local(5, 10),
        "customer": JUANA,
    }
    fields.update(changes)
    return lambda: create_booking(w.uow(), NewBooking(**fields), by=CLIENT, now=NOW)  # type: ignore[arg-type]


CASES: dict[str, tuple[type[DomainError], Callable[[World], Callable[[], object]]]] = {
    "unknown service": (NotFoundError, lambda w: _booking(w, service_id="nope")),
    "unknown business": (NotFoundError, lambda w: _booking(w, business_id="nope")),
    "past time": (ValidationError, lambda w: _booking(w, start=NOW - timedelta(hours=1))),
    "naive time": (ValidationError, lambda w: _booking(w, start=datetime(2030, 3, 5, 10))),
    "not a phone": (
        ValidationError,
        lambda w: _booking(w, customer=CustomerDetails("J", phone="12")),
    ),
    "letters for a phone": (
        ValidationError,
        lambda w: _booking(w, customer=CustomerDetails("J", phone="call me maybe")),
    ),
    "not an email": (
        ValidationError,
        lambda w: _booking(w, customer=CustomerDetails("J", email="x@y")),
    ),
    "no contact": (ValidationError, lambda w: _booking(w, customer=CustomerDetails("Juana"))),
    "no customer": (ValidationError, lambda w: _booking(w, customer=None)),
    "too many persons": (ValidationError, lambda w: _booking(w, persons=2)),
    "resource outside the service": (ValidationError, lambda w: _booking(w, resource_id=w.bay.id)),
    "unknown resource": (ValidationError, lambda w: _booking(w, resource_id="nope")),
    "block ends before it starts": (
        ValidationError,
        lambda w: (
            lambda: create_block(
                w.uow(),
                NewBlock(w.business.id, local(5, 12), local(5, 11), resource_id=w.washer_a.id),
                by=OPERATOR,
                now=NOW,
            )
        ),
    ),
    "block on an unknown resource": (
        NotFoundError,
        lambda w: (
            lambda: create_block(
                w.uow(),
                NewBlock(w.business.id, local(5, 11), local(5, 12), resource_id="nope"),
                by=OPERATOR,
                now=NOW,
            )
        ),
    ),
    "availability backwards": (
        ValidationError,
        lambda w: (
            lambda: find_availability(
                w.uow(),
                AvailabilityQuery(w.business.id, w.wash.id, local(6, 0).date(), local(5, 0).date()),
                by=CLIENT,
                now=NOW,
            )
        ),
    ),
}


def test_bad_input_raises_a_typed_error_and_writes_nothing(any_world: World) -> None:
    # One database per backend for all cases (a fresh PostgreSQL database each is slow).
    w = any_world
    for case, (error, make) in CASES.items():
        before = {t: w.count(t) for t in TABLES}
        with pytest.raises(error) as caught:
            make(w)()
        assert caught.value.code in {"validation_error", "not_found"}, case
        assert {t: w.count(t) for t in TABLES} == before, case


def test_a_bad_phone_names_the_field(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        _booking(world, customer=CustomerDetails("J", phone="12"))()
    assert caught.value.field == "phone"
