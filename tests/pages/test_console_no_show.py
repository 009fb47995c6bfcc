"""The business admin sets, in the console's settings, how long after its start a confirmed
booking nobody checked in becomes a no-show (empty: never by itself)."""

from __future__ import annotations

import httpx

from hub.services import setup
from tests.pages.shop import Shop
from tests.pages.test_console import sign_in
from tests.pages.test_console_business import _post


def test_the_admin_sets_and_clears_the_no_show_grace(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    assert 'name="no_show_after_minutes"' in client.get("/console/settings").text
    assert _post(client, no_show_after_minutes="15").status_code == 303
    business = setup.find_business(shop.hub.uow(), business_id=shop.business.id)
    assert business.policy.no_show_after_minutes == 15
    assert _post(client, no_show_after_minutes="quince").status_code == 422
    business = setup.find_business(shop.hub.uow(), business_id=shop.business.id)
    assert business.policy.no_show_after_minutes == 15
    assert _post(client, no_show_after_minutes="").status_code == 303
    business = setup.find_business(shop.hub.uow(), business_id=shop.business.id)
    assert business.policy.no_show_after_minutes is None
