"""Repository contract: the same cases on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hub.domain.booking import Booking, BookingStatus, Invitee
from hub.domain.errors import ConflictError, SlotTakenError, StaleVersionError
from hub.domain.model import (
    AuditEntry,
    Block,
    Branch,
    Business,
    Customer,
    DateException,
    OutboxEvent,
    Resource,
    ResourceGroup,
    Service,
    WeeklyInterval,
)
from hub.domain.policies import BookingPolicy, DepositKind, DepositRule
from hub.persistence.uow import SqlDatabase

T0 = datetime(2030, 3, 5, 13, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _setup(db: SqlDatabase, slug: str = "acme") -> tuple[Business, Resource, Service, Customer]:
    business = Business(
        slug=slug,
        name="Acme",
        timezone="America/Argentina/Buenos_Aires",
        country="AR",
        policy=BookingPolicy(min_notice_minutes=30, slot_step_minutes=15),
        deposit=DepositRule(DepositKind.PERCENT, 20, "stripe"),
        settings={"theme": "blue"},
    )
    branch = Branch(business.id, "Centro", hours=(WeeklyInterval(0, time(8), time(20)),))
    resource = Resource(
        business.id,
        "Ana",
        branch_ids=(branch.id,),
        weekly=(WeeklyInterval(0, time(9), time(13)), WeeklyInterval(0, time(14), time(0))),
        exceptions=(DateException(date(2030, 5, 1), date(2030, 5, 1), reason="Labour day"),),
    )
    service = Service(business.id, "Cut", 30, price_minor=5000, resource_ids=(resource.id,))
    customer = Customer(business.id, "Juana", phone="+5491123456789", email="j@example.com")
    uow = db.unit_of_work()
    with uow:
        uow.businesses.add(business)
        uow.branches.add(branch)
        uow.resources.add(resource)
        uow.services.add(service)
        uow.customers.add(customer)
        uow.commit()
    return business, resource, service, customer


def _booking(
    b: Business, r: Resource, s: Service, c: Customer, start: datetime, **kw: object
) -> Booking:
    return Booking(b.id, s.id, r.id, c.id, start, start + HOUR, BookingStatus.CONFIRMED, T0, **kw)  # type: ignore[arg-type]


def test_setup_entities_round_trip(db: SqlDatabase) -> None:
    business, resource, service, customer = _setup(db)
    group = ResourceGroup(business.id, "All", (resource.id,))
    uow = db.unit_of_work()
    with uow:
        uow.groups.add(group)
        uow.commit()
    with uow:
        assert uow.businesses.get(business.id) == business
        assert uow.businesses.get_by_slug("acme") == business
        assert uow.resources.get(business.id, resource.id) == resource
        assert uow.services.get(business.id, service.id) == service
        assert uow.groups.get(business.id, group.id) == group
        assert uow.customers.find_by_phone(business.id, "+5491123456789") == customer
        assert uow.customers.find_by_email(business.id, "j@example.com") == customer
        (branch,) = uow.branches.list(business.id)
        assert branch.hours == (WeeklyInterval(0, time(8), time(20)),)


def test_setup_rows_get_a_new_version_when_changed_and_keep_it_when_saved_unchanged(
    db: SqlDatabase,
) -> None:
    """Calendar events are rendered from these rows and their ETags derive from the versions."""
    business, resource, service, customer = _setup(db)
    with db.unit_of_work() as uow:
        branch = uow.branches.list(business.id)[0]
    renamed: list[tuple[str, object]] = [
        ("businesses", replace(business, name="Acme SA")),
        ("branches", replace(branch, address="Av. Corrientes 1234")),
        ("resources", replace(resource, name="Ana María")),
        ("services", replace(service, name="Corte")),
        ("customers", replace(customer, name="Juana Pérez")),
    ]
    for repo, entity in renamed:
        for change, version in ((entity, 2), (entity, 2), (replace(entity), 2)):
            with db.unit_of_work() as uow:
                getattr(uow, repo).update(change)
                uow.commit()
            with db.unit_of_work() as uow:
                ident: Any = change
                got = (
                    uow.businesses.get(ident.id)
                    if repo == "businesses"
                    else getattr(uow, repo).get(business.id, ident.id)
                )
            assert got.version == version, repo


def test_tenants_never_see_each_other(db: SqlDatabase) -> None:
    a, resource, service, customer = _setup(db, "a")
    b, *_ = _setup(db, "b")
    booking = _booking(a, resource, service, customer, T0)
    uow = db.unit_of_work()
    with uow:
        uow.bookings.add(booking)
        uow.commit()
    with uow:
        assert uow.resources.get(b.id, resource.id) is None
        assert uow.services.get(b.id, service.id) is None
        assert uow.customers.get(b.id, customer.id) is None
        theirs = uow.customers.find_by_phone(b.id, customer.phone or "")  # b's own Juana
        assert theirs is not None and theirs.id != customer.id
        assert uow.bookings.get(b.id, booking.id) is None
        assert uow.bookings.list_range(b.id, T0 - HOUR, T0 + HOUR) == []
        assert uow.resources.delete(b.id, resource.id) is False


def test_bookings_come_back_aware_and_equal(db: SqlDatabase) -> None:
    business, resource, service, customer = _setup(db)
    local_start = datetime(2030, 3, 5, 10, 0, tzinfo=ZoneInfo("America/Argentina/Buenos_Aires"))
    booking = _booking(
        business,
        resource,
        service,
        customer,
        local_start,
        invitees=(Invitee("a@example.com", "Ana"),),
        buffer_after=timedelta(minutes=15),
        hold_until=T0,
    )
    uow = db.unit_of_work()
    with uow:
        uow.bookings.add(booking)
        uow.commit()
    with uow:
        loaded = uow.bookings.get(business.id, booking.id)
        assert loaded is not None
        assert loaded.start == local_start and loaded.start.tzinfo is not None
        assert loaded.start.utcoffset() == timedelta(0)
        assert loaded.occupied_end == local_start + HOUR + timedelta(minutes=15)
        assert loaded.invitees == booking.invitees and loaded.invitees[0].token
        assert uow.bookings.get_by_token(booking.token) == loaded
        loaded.history = booking.history
        assert loaded == booking


def test_occupying_uses_buffers_and_status(db: SqlDatabase) -> None:
    business, resource, service, customer = _setup(db)
    kept = _booking(business, resource, service, customer, T0, buffer_after=timedelta(minutes=30))
    gone = _booking(business, resource, service, customer, T0 + 3 * HOUR)
    gone.status = BookingStatus.CANCELLED
    uow = db.unit_of_work()
    with uow:
        uow.bookings.add(kept)
        uow.bookings.add(gone)
        uow.commit()
    with uow:
        # The after-buffer keeps [T0+1h, T0+1h30) busy; the cancelled booking is not busy.
        assert [b.id for b in uow.bookings.occupying([resource.id], T0 + HOUR, T0 + 2 * HOUR)] == [
            kept.id
        ]
        assert uow.bookings.occupying([resource.id], T0 + 3 * HOUR, T0 + 4 * HOUR) == []
        assert len(uow.bookings.list_range(business.id, T0, T0 + 5 * HOUR)) == 2


def test_due_holds(db: SqlDatabase) -> None:
    business, resource, service, customer = _setup(db)
    held = _booking(business, resource, service, customer, T0, hold_until=T0 - HOUR)
    held.status = BookingStatus.PENDING
    later = _booking(business, resource, service, customer, T0 + 2 * HOUR, hold_until=T0 + HOUR)
    later.status = BookingStatus.PENDING
    uow = db.unit_of_work()
    with uow:
        uow.bookings.add(held)
        uow.bookings.add(later)
        uow.commit()
    with uow:
        assert [b.id for b in uow.bookings.due_holds(T0)] == [held.id]


def test_optimistic_version(db: SqlDatabase) -> None:
    """Two transactions change the same booking; the later commit loses. (On SQLite the
    second writer cannot even start while the first is open: writers serialise.)"""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers: no interleaved transactions to test")
    business, resource, service, customer = _setup(db)
    booking = _booking(business, resource, service, customer, T0)
    first, second = db.unit_of_work(), db.unit_of_work()
    with first:
        first.bookings.add(booking)
        first.commit()
    with first:
        mine = first.bookings.get(business.id, booking.id)
        assert mine is not None
        with second:
            theirs = second.bookings.get(business.id, booking.id)
            assert theirs is not None
            theirs.edit(T0, notes="theirs")
            second.bookings.update(theirs)
            second.commit()
        mine.edit(T0, notes="mine")
        first.bookings.update(mine)
        with pytest.raises(StaleVersionError):
            first.commit()


def test_blocks_by_resource_and_branch(db: SqlDatabase) -> None:
    business, resource, _, _ = _setup(db)
    (branch_id,) = resource.branch_ids
    on_resource = Block(business.id, T0, T0 + HOUR, resource_id=resource.id, series_id="s")
    on_branch = Block(business.id, T0, T0 + HOUR, branch_id=branch_id)
    uow = db.unit_of_work()
    with uow:
        uow.blocks.add(on_resource)
        uow.blocks.add(on_branch)
        uow.commit()
    with uow:
        found = uow.blocks.overlapping(business.id, T0, T0 + HOUR, [resource.id], [branch_id])
        assert {b.id for b in found} == {on_resource.id, on_branch.id}
        assert uow.blocks.overlapping(business.id, T0 + HOUR, T0 + 2 * HOUR, [resource.id]) == []
        assert uow.blocks.delete_series(business.id, "s") == 1
        uow.commit()
    with uow:
        assert uow.blocks.get(business.id, on_resource.id) is None


def test_outbox_and_after_commit_hook(db: SqlDatabase) -> None:
    business, *_ = _setup(db)
    seen: list[list[str]] = []
    db.after_commit.append(lambda ids: seen.append(list(ids)))
    event = OutboxEvent(business.id, "booking.created", "b1", {"x": 1}, T0)
    uow = db.unit_of_work()
    with uow:
        uow.outbox.add(event)
        uow.audit.add(AuditEntry(business.id, "booking", "b1", "created", "client", "page", T0))
        uow.commit()
    assert seen == [[event.id]]
    with uow:
        uow.outbox.add(OutboxEvent(business.id, "booking.updated", "b1", {}, T0))
        # not committed: rolled back, nobody told
    assert seen == [[event.id]]
    with uow:
        assert [e.id for e in uow.outbox.undispatched()] == [event.id]
        uow.outbox.mark_dispatched([event.id], T0 + HOUR)
        uow.commit()
    with uow:
        assert uow.outbox.undispatched() == []
        assert uow.outbox.get(event.id).dispatched_at == T0 + HOUR  # type: ignore[union-attr]
        assert len(uow.audit.for_entity(business.id, "booking", "b1")) == 1


def test_a_failing_after_commit_hook_does_not_undo_the_commit(db: SqlDatabase) -> None:
    business, *_ = _setup(db)

    def broken(ids: object) -> None:
        raise RuntimeError("queue down")

    db.after_commit.append(broken)
    uow = db.unit_of_work()
    with uow:
        uow.outbox.add(OutboxEvent(business.id, "booking.created", "b1", {}, T0))
        uow.commit()
    with uow:
        assert len(uow.outbox.undispatched()) == 1


def test_duplicate_slug_is_a_conflict(db: SqlDatabase) -> None:
    _setup(db)
    uow = db.unit_of_work()
    with pytest.raises(ConflictError), uow:
        uow.businesses.add(Business(slug="acme", name="Other"))
        uow.commit()


def test_overlap_on_an_exclusive_resource_is_refused_by_the_database_on_postgres(
    db: SqlDatabase,
) -> None:
    """Bypassing the use cases (no lock, no check): PostgreSQL itself refuses; SQLite relies
    on the use cases' serialised check, so there the rows go in."""
    business, resource, service, customer = _setup(db)
    uow = db.unit_of_work()
    with uow:
        uow.bookings.add(_booking(business, resource, service, customer, T0))
        uow.commit()
    clash = _booking(business, resource, service, customer, T0 + HOUR / 2)
    if db.engine.dialect.name == "postgresql":
        with pytest.raises(SlotTakenError), uow:
            uow.bookings.add(clash)
            uow.commit()
    else:
        with uow:
            uow.bookings.add(clash)
            uow.commit()
