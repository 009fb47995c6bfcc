"""The public flow with a deposit: form → provider checkout → back to the booking page,
which shows the deposit as due, paid, then refunded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from booking_pages.catalogue import slot_code
from hub.domain.booking import BookingStatus
from hub.services.booking_status import cancel_booking
from tests.pages.helpers import book, text_of
from tests.payments.conftest import OPERATOR, World, forwarded_to


def test_booking_with_a_deposit_goes_to_checkout_and_back(world: World) -> None:
    start = (datetime.now(UTC) + timedelta(hours=72)).replace(minute=0, second=0, microsecond=0)
    form = world.http.get(
        f"/book/{world.business.slug}/form",
        params={"service": world.service.id, "start": slot_code(start)},
    )
    said = text_of(form.text)  # told before committing: the amount and the time to pay
    assert "Para reservar se paga una seña de $2.000,00" in said
    assert f"tenés {world.business.policy.hold_minutes} minutos para pagarla" in said
    submitted = book(
        world.http, world.business.slug, world.service.id, start, phone="+54 9 11 2345-6789"
    )
    assert submitted.status_code == 303
    pay_link = submitted.headers["location"]
    assert pay_link.startswith("/connectors/payments/pay/")
    token = pay_link.rsplit("/", 1)[1]
    fake = world.stripe if world.provider == "stripe" else world.mp
    assert forwarded_to(world.http.get(pay_link)).startswith(fake.url)

    with world.hub.uow() as uow:
        booking = uow.bookings.get_by_token(token)
    assert booking is not None and booking.status is BookingStatus.PENDING
    page = text_of(world.http.get(f"/book/manage/{token}").text)
    assert "Seña a pagar" in page and "Pagar la seña" in page

    world.pay(booking)
    page = text_of(world.http.get(f"/book/manage/{token}?new=1&paid=1").text)
    assert "Seña pagada" in page
    assert "Pagar la seña" not in page

    cancel_booking(world.hub.uow(), world.business.id, booking.id, by=OPERATOR, now=world.clock())
    page = text_of(world.http.get(f"/book/manage/{token}").text)
    assert "Seña devuelta" in page
