"""The client's page with several branches: the client picks the branch first (nothing is
picked for them), sees that branch's address and only the times its hours allow, and the
booking names it. With one branch nothing changes: no branch step."""

from __future__ import annotations

from datetime import time

import httpx

from hub.domain.model import Branch, WeeklyInterval
from hub.services import availability, setup
from tests.pages.helpers import book, text_of
from tests.pages.shop import SETUP, Shop

MORNINGS = tuple(WeeklyInterval(d, time(8), time(12)) for d in range(7))


def _second_branch(shop: Shop) -> Branch:
    """ "Anexo Belgrano" opens mornings only; María works at both branches."""
    hub = shop.hub
    annex = setup.save_branch(
        hub.uow(),
        Branch(shop.business.id, "Anexo Belgrano", address="Juramento 2000", hours=MORNINGS),
        by=SETUP,
        now=hub.now(),
    )
    setup.set_branch_resources(
        hub.uow(), shop.business.id, annex.id, [shop.washers[1].id], by=SETUP, now=hub.now()
    )
    return annex


def test_one_branch_needs_no_choice(client: httpx.Client, shop: Shop) -> None:
    page = client.get(f"/book/{shop.slug}")
    assert "Elegí la sucursal" not in text_of(page.text)
    assert "Av. Santa Fe 3200" in text_of(page.text) and "Lavado exterior" in text_of(page.text)


def test_the_client_picks_the_branch_and_gets_its_hours(client: httpx.Client, shop: Shop) -> None:
    annex = _second_branch(shop)
    first = text_of(client.get(f"/book/{shop.slug}").text)
    assert "Elegí la sucursal" in first
    assert "Anexo Belgrano" in first and "Base Palermo" in first
    assert "Lavado exterior" not in first, "no service before the branch is picked"

    day = shop.day(2).isoformat()
    picked = client.get(
        f"/book/{shop.slug}",
        params={"branch": annex.id, "service": shop.quick_wash.id, "day": day},
    )
    text = text_of(picked.text)
    assert "Juramento 2000" in text
    assert "08:30" not in text and "09:00" in text and "11:30" in text
    assert "12:00" not in text and "16:00" not in text, "the annex closes at 12:00"
    assert f"branch={annex.id}" in picked.text

    made = book(client, shop.slug, shop.quick_wash.id, shop.at(10), branch=annex.id)
    assert made.status_code == 303, made.text
    token = made.headers["location"].split("/")[-1].split("?")[0]
    booking = availability.get_booking_by_token(shop.hub.uow(), token)
    assert booking.branch_id == annex.id and booking.resource_id == shop.washers[1].id

    late = book(client, shop.slug, shop.quick_wash.id, shop.at(16), branch=annex.id)
    assert late.status_code == 409, "16:00 is outside the annex's hours"


def test_a_branch_from_another_business_is_not_offered(client: httpx.Client, shop: Shop) -> None:
    from tests.pages.shop import create_shop

    other = create_shop(shop.hub)
    _second_branch(shop)
    page = client.get(f"/book/{shop.slug}", params={"branch": other.branch.id})
    assert "Elegí la sucursal" in text_of(page.text)
    assert other.branch.id not in page.text and "Lavado exterior" not in text_of(page.text)
