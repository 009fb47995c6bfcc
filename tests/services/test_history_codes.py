"""Client history by a one-time code, at the use-case level on SQLite and PostgreSQL: who
gets a code, how it is kept, how it stops working, and whose bookings it opens."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import pytest
from sqlalchemy import text

from hub.domain.errors import AuthenticationError, TooManyAttemptsError, ValidationError
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from hub.services.history import contact_history
from hub.services.history_codes import (
    CodeMessage,
    HistoryThrottles,
    HistoryUnitOfWork,
    check_code,
    read_contact,
    request_code,
)
from hub.services.history_pass import open_pass, seal_pass
from tests.services.conftest import CLIENT, NOW, World, local

IP = "203.0.113.7"


def _uow(world: World) -> HistoryUnitOfWork:
    return cast(HistoryUnitOfWork, world.uow())


def _throttles(world: World) -> HistoryThrottles:
    return HistoryThrottles.over(world.db.login_failures)


def _book(world: World, name: str, phone: str, email: str | None, day: int, hour: int) -> str:
    booking = create_booking(
        world.uow(),
        NewBooking(
            world.business.id,
            world.wash.id,
            local(day, hour),
            customer=CustomerDetails(name, phone, email),
        ),
        by=CLIENT,
        now=NOW,
    )
    return booking.id


def _ask(world: World, contact: str, *, source: str = IP) -> CodeMessage | None:
    return request_code(
        _uow(world),
        _throttles(world),
        world.business.id,
        contact,
        source=source,
        language="es",
        now=NOW,
    )


def _check(world: World, contact: str, code: str, *, after: timedelta = timedelta()) -> None:
    check_code(
        _uow(world),
        _throttles(world),
        world.business.id,
        contact,
        code,
        source=IP,
        now=NOW + after,
    )


def test_a_phone_written_any_way_gets_one_code_kept_only_as_a_hash(any_world: World) -> None:
    w = any_world
    _book(w, "Ana", "+54 9 11 2345-6789", "ana@example.com", 5, 10)
    message = _ask(w, "011 2345-6789")  # the same line, without the mobile 9
    assert message is not None and len(message.code) == 6 and message.code.isdigit()
    assert message.phone is not None and message.phone.endswith("1123456789")
    assert message.email == "ana@example.com"
    with w.db.engine.connect() as conn:
        stored = conn.execute(text("SELECT code_hash, contact_key FROM history_codes")).all()
    assert len(stored) == 1
    assert message.code not in stored[0][0] and "2345" not in stored[0][1]
    _check(w, "+54 9 11 2345 6789", message.code)


def test_an_email_compares_without_case(any_world: World) -> None:
    w = any_world
    _book(w, "Ana", "+54 9 11 2345-6789", "ana@example.com", 5, 10)
    message = _ask(w, "  ANA@Example.COM ")
    assert message is not None and message.phone is None and message.email == "ana@example.com"
    _check(w, "ana@EXAMPLE.com", message.code)


def test_an_unknown_contact_gets_nothing_stored_or_sent(any_world: World) -> None:
    w = any_world
    _book(w, "Ana", "+54 9 11 2345-6789", None, 5, 10)
    assert _ask(w, "+54 9 11 3456-7890") is None
    assert _ask(w, "nadie@example.com") is None
    assert w.count("history_codes") == 0
    with pytest.raises(AuthenticationError):
        _check(w, "+54 9 11 3456-7890", "123456")


def test_five_wrong_tries_burn_the_code_and_a_code_works_once(world: World) -> None:
    _book(world, "Ana", "+54 9 11 2345-6789", None, 5, 10)
    message = _ask(world, "11 2345-6789")
    assert message is not None
    wrong = "000000" if message.code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            _check(world, "11 2345-6789", wrong)
    with pytest.raises(AuthenticationError):
        _check(world, "11 2345-6789", message.code)
    again = _ask(world, "11 2345-6789")
    assert again is not None
    _check(world, "11 2345-6789", again.code)
    with pytest.raises(AuthenticationError):
        _check(world, "11 2345-6789", again.code)


def test_a_code_expires_after_ten_minutes_and_a_new_one_replaces_it(world: World) -> None:
    _book(world, "Ana", "+54 9 11 2345-6789", None, 5, 10)
    first = _ask(world, "11 2345-6789")
    second = _ask(world, "11 2345-6789")
    assert first is not None and second is not None
    if first.code != second.code:
        with pytest.raises(AuthenticationError):
            _check(world, "11 2345-6789", first.code)
    with pytest.raises(AuthenticationError):
        _check(world, "11 2345-6789", second.code, after=timedelta(minutes=10, seconds=1))


def test_requests_are_throttled_per_contact_and_per_address(world: World) -> None:
    _book(world, "Ana", "+54 9 11 2345-6789", None, 5, 10)
    for _ in range(3):
        _ask(world, "11 2345-6789")
    with pytest.raises(TooManyAttemptsError):
        _ask(world, "11 2345-6789")
    # Unknown contacts count the same (the throttle never tells who is a client).
    for _ in range(3):
        _ask(world, "11 3456-7890")
    with pytest.raises(TooManyAttemptsError):
        _ask(world, "11 3456-7890")
    # From elsewhere the contact is still allowed, up to its own ceiling.
    for source in ("198.51.100.1", "198.51.100.2"):
        _ask(world, "11 2345-6789", source=source)
    with pytest.raises(TooManyAttemptsError):
        _ask(world, "11 2345-6789", source="198.51.100.3")


@pytest.mark.parametrize("raw", ["", "hola", "x" * 300, "ana@", "+54 11", "ana@ex ample.com"])
def test_garbage_contacts_are_refused(world: World, raw: str) -> None:
    with pytest.raises(ValidationError) as refused:
        read_contact(raw, "AR")
    assert refused.value.field == "contact"
    with pytest.raises(ValidationError):
        _ask(world, raw)
    assert world.count("history_codes") == 0


def test_the_history_lists_only_what_that_contact_booked(any_world: World) -> None:
    w = any_world
    mine = _book(w, "Ana", "+54 9 11 2345-6789", "ana@example.com", 5, 10)
    earlier = _book(w, "Ana", "+54 9 11 2345-6789", None, 4, 15)
    other = _book(w, "Beto", "+54 9 11 7777-0000", "beto@example.com", 5, 11)
    # Beto books with Ana's email but his own phone: her phone does not open his booking.
    shared = _book(w, "Beto", "+54 9 11 7777-0000", "ana@example.com", 6, 11)
    contact = read_contact("11 2345-6789", "AR")
    found = contact_history(_uow(w), w.business.id, contact, now=local(4, 18))
    tokens = {e.token for e in found.upcoming}
    assert len(found.upcoming) == 1 and len(found.past) == 1
    assert found.upcoming[0].service_name == "Wash" and found.past[0].token == ""
    with w.uow() as uow:
        booked = {b: uow.bookings.get(w.business.id, b) for b in (mine, earlier, other, shared)}
    assert tokens == {booked[mine].token}  # type: ignore[union-attr]
    by_email = contact_history(
        _uow(w), w.business.id, read_contact("ana@example.com", "AR"), now=local(4, 18)
    )
    assert {e.start for e in by_email.upcoming} == {local(5, 10), local(6, 11)}


def test_a_pass_is_signed_for_one_business_and_runs_out() -> None:
    contact = read_contact("11 2345-6789", "AR")
    sealed = seal_pass("secret", "biz-1", contact, NOW)
    found = open_pass("secret", sealed, "biz-1", NOW + timedelta(minutes=29))
    assert found is not None and found.contact == contact
    assert open_pass("secret", sealed, "biz-2", NOW) is None
    assert open_pass("other", sealed, "biz-1", NOW) is None
    assert open_pass("secret", sealed, "biz-1", NOW + timedelta(minutes=31)) is None
    payload, _, signature = sealed.partition(".")
    assert open_pass("secret", payload[:-2] + "xx." + signature, "biz-1", NOW) is None
    assert open_pass("secret", "garbage", "biz-1", NOW) is None


def test_codes_a_day_past_their_expiry_are_forgotten(world: World) -> None:
    _book(world, "Ana", "+54 9 11 2345-6789", None, 5, 10)
    _book(world, "Beto", "+54 9 11 7777-0000", None, 5, 11)
    assert _ask(world, "11 2345-6789") is not None
    later = request_code(
        _uow(world),
        _throttles(world),
        world.business.id,
        "11 7777-0000",
        source=IP,
        language="es",
        now=NOW + timedelta(days=1, minutes=11),
    )
    assert later is not None
    assert world.count("history_codes") == 1  # Ana's, expired a day ago, is gone
