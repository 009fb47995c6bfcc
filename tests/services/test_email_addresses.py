"""Email addresses with line breaks or other control characters are refused at the core, on
every way in (a customer's, an invitee's on booking and on edit, a staff member's), and
nothing is written — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.domain.accounts import Role
from hub.domain.contacts import normalise_email
from hub.domain.errors import ValidationError
from hub.services import accounts
from hub.services.booking_create import NewBooking, create_booking
from hub.services.booking_moves import edit_booking
from hub.services.customers import CustomerDetails
from tests.services.conftest import NOW, OPERATOR, World, local

# Each of these ends a line for some mail program; the "Bcc:" after it has no space, so
# a check for spaces alone lets it through.
BREAKS = ["\r\n", "\n", "\r", "\x00", "\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\x1e"]
HOSTILE = [f"maria@example.com{b}Bcc:evil@attacker.example" for b in BREAKS]


@given(
    local_part=st.from_regex(r"[a-z0-9._+-]{1,20}", fullmatch=True),
    cut=st.integers(min_value=0, max_value=40),
    breaker=st.sampled_from(BREAKS),
)
def test_no_address_with_a_control_character_gets_through(
    local_part: str, cut: int, breaker: str
) -> None:
    address = f"{local_part}@example.com"
    cut = min(cut, len(address))
    with pytest.raises(ValidationError) as refused:
        normalise_email(address[:cut] + breaker + address[cut:])
    assert refused.value.field == "email"


def _request(world: World, **changes: object) -> NewBooking:
    values: dict[str, object] = {
        "business_id": world.business.id,
        "service_id": world.wash.id,
        "start": local(5, 10),
        "customer": CustomerDetails("María López", "+5491123456789"),
    }
    values.update(changes)
    return NewBooking(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("address", HOSTILE[:4])
def test_a_customer_email_with_a_line_break_is_refused_and_nothing_is_booked(
    any_world: World, address: str
) -> None:
    request = _request(
        any_world, customer=CustomerDetails("María López", "+5491123456789", address)
    )
    with pytest.raises(ValidationError) as refused:
        create_booking(any_world.uow(), request, by=OPERATOR, now=NOW)
    assert refused.value.field == "email"
    assert any_world.count("bookings") == 0
    assert any_world.count("customers") == 0


@pytest.mark.parametrize("address", HOSTILE[:4])
def test_invitee_emails_with_a_line_break_are_refused_on_booking_and_on_edit(
    any_world: World, address: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        create_booking(
            any_world.uow(),
            _request(any_world, invitees=("ok@example.com", address)),
            by=OPERATOR,
            now=NOW,
        )
    assert refused.value.field == "invitees"
    assert any_world.count("bookings") == 0

    booking = create_booking(
        any_world.uow(), _request(any_world, invitees=("ok@example.com",)), by=OPERATOR, now=NOW
    )
    with pytest.raises(ValidationError) as refused:
        edit_booking(
            any_world.uow(),
            any_world.business.id,
            booking.id,
            by=OPERATOR,
            now=NOW,
            invitees=["ok@example.com", address],
        )
    assert refused.value.field == "invitees"
    with any_world.uow() as uow:
        stored = uow.bookings.get(any_world.business.id, booking.id)
    assert stored is not None and stored.version == booking.version


@pytest.mark.parametrize("address", HOSTILE[:4])
def test_a_staff_email_with_a_line_break_is_refused(any_world: World, address: str) -> None:
    with pytest.raises(ValidationError) as refused:
        accounts.create_user(
            any_world.uow(),
            business_id=any_world.business.id,
            email=address,
            role=Role.BUSINESS_ADMIN,
            now=NOW,
        )
    assert refused.value.field == "email"
    assert accounts.list_users(any_world.uow(), any_world.business.id) == []
