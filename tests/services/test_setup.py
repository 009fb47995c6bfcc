"""Setup use cases keep every reference inside the business and audit each change."""

from __future__ import annotations

from datetime import date

import pytest

from hub.domain.errors import ConflictError, NotFoundError, SlotNotOfferedError, ValidationError
from hub.domain.model import Branch, Business, DateException, Resource, ResourceGroup, Service
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customer_setup import update_customer, upsert_customer
from hub.services.customers import CustomerDetails
from hub.services.resource_setup import (
    add_exception,
    deactivate_resource,
    delete_group,
    remove_exception,
    save_group,
    save_resource,
)
from hub.services.setup import create_business, find_business, list_resources, save_service
from tests.services.conftest import CLIENT, NOW, OPERATOR, World, local


def test_business_slugs_are_unique(world: World) -> None:
    with pytest.raises(ConflictError):
        create_business(world.uow(), Business(slug="lavadero", name="Copy"), by=OPERATOR, now=NOW)
    other = create_business(world.uow(), Business(slug="otro", name="Otro"), by=OPERATOR, now=NOW)
    assert find_business(world.uow(), slug="otro") == other


def test_references_stay_inside_the_business(world: World) -> None:
    w = world
    other = create_business(w.uow(), Business(slug="otro", name="Otro"), by=OPERATOR, now=NOW)
    foreign_branch = Branch(other.id, "Elsewhere")
    with pytest.raises(NotFoundError):
        save_resource(
            w.uow(),
            Resource(w.business.id, "X", branch_ids=(foreign_branch.id,)),
            by=OPERATOR,
            now=NOW,
        )
    with pytest.raises(ValidationError):
        save_group(
            w.uow(), ResourceGroup(other.id, "Stolen", (w.washer_a.id,)), by=OPERATOR, now=NOW
        )
    with pytest.raises(ValidationError):
        save_service(
            w.uow(), Service(other.id, "S", 30, resource_ids=(w.washer_a.id,)), by=OPERATOR, now=NOW
        )
    assert list_resources(w.uow(), other.id) == []


def test_a_group_in_use_cannot_be_deleted(world: World) -> None:
    with pytest.raises(ConflictError):
        delete_group(world.uow(), world.business.id, world.washers.id, by=OPERATOR, now=NOW)


def test_holidays_close_and_deactivated_resources_are_not_offered(world: World) -> None:
    w = world
    holiday = DateException(date(2030, 3, 5), date(2030, 3, 5), reason="Carnival")
    add_exception(w.uow(), w.business.id, w.washer_a.id, holiday, by=OPERATOR, now=NOW)
    request = NewBooking(
        w.business.id,
        w.wash.id,
        local(5, 10),
        customer=CustomerDetails("J", phone="+5491123456789"),
        resource_id=w.washer_a.id,
    )
    with pytest.raises(SlotNotOfferedError):
        create_booking(w.uow(), request, by=CLIENT, now=NOW)
    remove_exception(w.uow(), w.business.id, w.washer_a.id, holiday.id, by=OPERATOR, now=NOW)
    deactivate_resource(w.uow(), w.business.id, w.washer_b.id, by=OPERATOR, now=NOW)
    booked = create_booking(w.uow(), request, by=CLIENT, now=NOW)
    assert booked.resource_id == w.washer_a.id
    with pytest.raises(NotFoundError):
        create_booking(
            w.uow(),
            NewBooking(**{**_fields(request), "resource_id": w.washer_b.id}),
            by=CLIENT,
            now=NOW,
        )
    uow = w.uow()
    with uow:
        actions = [a.action for a in uow.audit.for_entity(w.business.id, "resource", w.washer_a.id)]
    assert actions == ["exception_added", "exception_removed"]


def _fields(request: NewBooking) -> dict[str, object]:
    return {name: getattr(request, name) for name in NewBooking.__dataclass_fields__}


def test_customers_are_found_by_phone_and_email_not_duplicated(world: World) -> None:
    w = world
    juana = upsert_customer(
        w.uow(),
        w.business.id,
        CustomerDetails("Juana", phone="011 15 2345-6789"),
        by=OPERATOR,
        now=NOW,
    )
    again = upsert_customer(
        w.uow(),
        w.business.id,
        CustomerDetails("Juana P", phone="+54 9 11 2345 6789", email="j@x.com"),
        by=OPERATOR,
        now=NOW,
    )
    assert again.id == juana.id and again.email == "j@x.com"
    pedro = upsert_customer(
        w.uow(), w.business.id, CustomerDetails("Pedro", email="p@x.com"), by=OPERATOR, now=NOW
    )
    with pytest.raises(ConflictError):
        update_customer(
            w.uow(),
            w.business.id,
            pedro.id,
            CustomerDetails("Pedro", email="j@x.com"),
            by=OPERATOR,
            now=NOW,
        )
