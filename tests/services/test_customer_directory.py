"""Finding customers with their bookings count and last visit, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from hub.domain.errors import NotFoundError
from hub.services.booking_create import NewBooking, create_booking
from hub.services.booking_status import cancel_booking
from hub.services.customer_directory import customer_bookings, find_customers
from hub.services.customers import CustomerDetails
from tests.services.conftest import NOW, OPERATOR, World, local


def _book(world: World, name: str, phone: str, washer: str, day: int, hour: int) -> str:
    return create_booking(
        world.uow(),
        NewBooking(
            world.business.id,
            world.wash.id,
            local(day, hour),
            customer=CustomerDetails(name, phone),
            resource_id=washer,
            force=True,
        ),
        by=OPERATOR,
        now=NOW,
    ).id


def test_counts_last_visits_and_scope(any_world: World) -> None:
    w = any_world
    a, b = w.washer_a.id, w.washer_b.id
    for day in (5, 6):
        _book(w, "María López", "+54 9 11 4000-1111", a, day, 10)
    late = _book(w, "María López", "+54 9 11 4000-1111", b, 8, 10)
    cancel_booking(w.uow(), w.business.id, late, by=OPERATOR, now=NOW)
    _book(w, "Ana Pérez", "+54 9 11 4000-2222", b, 12, 10)
    then = local(10, 12)  # after María's visits, before Ana's

    (maria, ana) = find_customers(w.uow(), w.business.id, "", now=then)
    assert (maria.customer.name, maria.bookings, maria.last_visit) == (
        "María López",
        3,
        local(6, 10),
    )
    assert (ana.customer.name, ana.bookings, ana.last_visit) == ("Ana Pérez", 1, None)
    assert [
        line.customer.name for line in find_customers(w.uow(), w.business.id, "MARIA", now=then)
    ] == ["María López"]
    assert [
        line.customer.name
        for line in find_customers(w.uow(), w.business.id, "(11) 4000 2222", now=then)
    ] == ["Ana Pérez"]
    assert find_customers(w.uow(), w.business.id, "4000-3", now=then) == []

    only_a = find_customers(w.uow(), w.business.id, "", now=then, resource_ids=[a])
    assert [(line.customer.name, line.bookings) for line in only_a] == [("María López", 2)]
    _, theirs = customer_bookings(w.uow(), w.business.id, maria.customer.id, resource_ids=[a])
    assert len(theirs) == 2 and all(b.resource_id == a for b in theirs)
    with pytest.raises(NotFoundError):
        customer_bookings(w.uow(), w.business.id, ana.customer.id, resource_ids=[a])
    with pytest.raises(NotFoundError):
        customer_bookings(w.uow(), "another-business", maria.customer.id)
