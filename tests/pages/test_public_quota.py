"""A business whose monthly booking quota is used up: its public page says so before offering
any time (in the business's language), the form too; a form opened before the quota ran out
is still refused on submit; once the platform lifts the quota the times are back."""

from __future__ import annotations

import httpx

from booking_pages.catalogue import slot_code
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.services import platform
from tests.pages.helpers import book, csrf_of, slot_codes, text_of
from tests.pages.shop import Shop, create_shop

PLATFORM = ChangedBy(Actor.OPERATOR, Channel.CLI)


def _quota(shop: Shop, quota: int | None) -> None:
    hub = shop.hub
    platform.set_quota(hub.uow(), shop.business.id, quota, by=PLATFORM, now=hub.now())


def test_the_page_says_the_quota_is_used_up_before_offering_times(
    client: httpx.Client, shop: Shop
) -> None:
    page = f"/book/{shop.slug}"
    params = {"service": shop.quick_wash.id}
    assert slot_codes(client.get(page, params=params).text)  # times on offer
    _quota(shop, 1)
    form_params = {"service": shop.quick_wash.id, "start": slot_code(shop.at(12))}
    opened = client.get(f"{page}/form", params=form_params)  # before the quota ran out
    assert opened.status_code == 200
    assert book(client, shop.slug, shop.quick_wash.id, shop.at(10)).status_code == 303

    full = client.get(page, params=params)
    assert full.status_code == 409
    text = text_of(full.text)
    assert "Lavadero Demo ya tomó todos los turnos que puede este mes" in text
    assert "no hay horarios para reservar" in text
    assert slot_codes(full.text) == []
    fragment = client.get(page, params=params, headers={"X-Turnero-Fragment": "1"})
    assert slot_codes(fragment.text) == []
    form = client.get(f"{page}/form", params=form_params)
    assert form.status_code == 409 and 'name="phone"' not in form.text
    late = client.post(
        f"{page}/form",
        data={
            "csrf_token": csrf_of(opened.text),
            **form_params,
            "name": "Beto Gómez",
            "phone": "11 2345-6700",
            "address": "Av. Rivadavia 1234, CABA",
        },
    )
    assert late.status_code == 409 and "todos los turnos que puede este mes" in text_of(late.text)

    _quota(shop, None)
    assert slot_codes(client.get(page, params=params).text)


def test_in_english_for_an_english_business(client: httpx.Client, shop: Shop) -> None:
    english = create_shop(shop.hub, language="en")
    _quota(english, 0)
    answer = client.get(f"/book/{english.slug}", headers={"Accept-Language": "en"})
    assert answer.status_code == 409
    assert "has taken all the bookings it can this month" in text_of(answer.text)
    # Another business's page is not affected.
    assert slot_codes(client.get(f"/book/{shop.slug}", params={"service": shop.quick_wash.id}).text)
