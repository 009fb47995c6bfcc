"""Rescheduling a wash at home from the manage link: only times a washer can drive to are
listed, and a time nobody can reach, posted anyway, is explained and changes nothing."""

from __future__ import annotations

import httpx

from booking_pages.catalogue import slot_code
from hub.domain.geo import GeoPoint
from hub.services.availability import get_booking_by_token
from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails
from tests.pages.helpers import csrf_of, slot_codes, text_of
from tests.pages.shop import SETUP, Shop

# With the default travel model, Palermo-Quilmes is 78 minutes.
PALERMO = GeoPoint(-34.5880, -58.4300)
QUILMES = GeoPoint(-34.7200, -58.2550)


def _visit(shop: Shop, hour: int, where: GeoPoint, **kw: str) -> str:
    booking = shop.hub.core.create_booking(
        NewBooking(
            shop.business.id,
            shop.full_wash.id,
            shop.at(hour),
            customer=CustomerDetails("Ana Pérez", phone="11 2345-6789"),
            address="Av. Rivadavia 1234, CABA",
            location=where,
            **kw,  # type: ignore[arg-type]
        ),
        by=SETUP,
    )
    return booking.token


def test_rescheduling_lists_and_accepts_only_reachable_times(
    client: httpx.Client, shop: Shop
) -> None:
    for washer in shop.washers:  # both washers are in Quilmes 12-13
        _visit(shop, 12, QUILMES, resource_id=washer.id)
    token = _visit(shop, 9, PALERMO, group_id=shop.group.id)
    manage = f"/book/manage/{token}"
    offer = client.get(f"{manage}/reschedule")
    codes = slot_codes(offer.text.replace('value="', "start="))
    assert slot_code(shop.at(15)) in codes
    for unreachable in (10, 13, 14):  # to Quilmes by 12:00, or from it after 13:00
        assert slot_code(shop.at(unreachable)) not in codes
    refused = client.post(
        f"{manage}/reschedule",
        data={"csrf_token": csrf_of(offer.text), "start": slot_code(shop.at(14))},
    )
    assert refused.status_code == 409
    assert "No llegamos a tu domicilio a tiempo para ese horario" in text_of(refused.text)
    assert get_booking_by_token(shop.hub.uow(), token).start == shop.at(9)
