"""Read-only feed links from the console, with the whole app served (the feeds are under
/dav): a business admin creates, copies and revokes a resource's link; an employee sees
(and can create) the link of their own resource, never revokes it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from booking_pages.catalogue import CLIENT
from hub.app import create_app
from hub.bootstrap import Hub
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from tests.pages.conftest import Clock, Served, make_hub
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import Shop, create_shop
from tests.pages.test_console_security import browser, sign_in

FEED_URL = re.compile(r'value="(http://[^"]+/dav/feeds/[^"]+\.ics)"')


@pytest.fixture
def full_hub(database_file: str, clock: Clock, served: Served, tmp_path: Path) -> Iterator[Hub]:
    built = make_hub(database_file, clock, base_url=served.base_url, data_dir=tmp_path)
    served.start(create_app(built))
    yield built
    built.close()


@pytest.fixture
def shop(full_hub: Hub) -> Shop:
    return create_shop(full_hub, staff=True, employee=True)


def test_feed_links_are_issued_copied_and_revoked_from_the_console(
    shop: Shop, served: Served
) -> None:
    assert shop.admin is not None and shop.employee is not None
    washer = shop.washers[0]
    booking = create_booking(
        shop.hub.uow(),
        NewBooking(
            shop.business.id,
            shop.quick_wash.id,
            shop.at(10),
            customer=CustomerDetails("Ana Pérez", "+54 9 11 2345-6789", address="Av. Rivadavia 1"),
            resource_id=washer.id,
        ),
        by=CLIENT,
        now=shop.hub.now(),
    )
    with browser(served) as admin, browser(served) as employee, browser(served) as app:
        sign_in(admin, shop.admin.email)
        page = admin.get("/console/resources")
        assert page.status_code == 200
        assert "Todavía no hay enlace." in text_of(page.text)
        issued = admin.post(
            f"/console/resources/{washer.id}/feed", data={"csrf_token": csrf_of(page.text)}
        )
        assert issued.status_code == 303
        page = admin.get("/console/resources")
        (url,) = FEED_URL.findall(page.text)
        assert f'data-copy="feed-url-{washer.id}"' in page.text
        feed = app.get(url)
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("text/calendar")
        assert booking.uid in feed.text

        # The employee linked to that washer sees the same link, and cannot revoke it.
        sign_in(employee, shop.employee.email)
        mine = employee.get("/console/calendar-app")
        assert FEED_URL.findall(mine.text) == [url]
        assert "/feed/revoke" not in mine.text
        refused = employee.post(
            f"/console/resources/{washer.id}/feed/revoke",
            data={"csrf_token": csrf_of(mine.text)},
        )
        assert refused.status_code == 404
        assert app.get(url).status_code == 200

        # The admin revokes it: the old address stops working at once.
        revoked = admin.post(
            f"/console/resources/{washer.id}/feed/revoke",
            data={"csrf_token": csrf_of(page.text)},
        )
        assert revoked.status_code == 303
        after = admin.get(revoked.headers["location"])
        assert "la dirección anterior ya no funciona" in text_of(after.text)
        assert app.get(url).status_code == 404

        # The employee makes a new one for their own resource, and only for it.
        mine = employee.get("/console/calendar-app")
        assert "Todavía no hay enlace." in text_of(mine.text)
        other = shop.washers[1].id
        assert (
            employee.post(
                f"/console/calendar-app/feeds/{other}", data={"csrf_token": csrf_of(mine.text)}
            ).status_code
            == 404
        )
        made = employee.post(
            f"/console/calendar-app/feeds/{washer.id}", data={"csrf_token": csrf_of(mine.text)}
        )
        assert made.status_code == 303
        (fresh,) = FEED_URL.findall(employee.get("/console/calendar-app").text)
        assert fresh != url
        assert app.get(fresh).status_code == 200
