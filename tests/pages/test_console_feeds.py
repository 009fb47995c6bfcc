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
from tests.pages.conftest import make_hub
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import Shop, create_shop
from tests.pages.test_console_security import browser, sign_in
from tests.support.clock import Clock
from tests.support.live import LiveServer

FEED_URL = re.compile(r'value="(http://[^"]+/dav/feeds/[^"]+\.ics)"')


@pytest.fixture
def full_hub(database_file: str, clock: Clock, served: LiveServer, tmp_path: Path) -> Iterator[Hub]:
    built = make_hub(database_file, clock, base_url=served.base_url, data_dir=tmp_path)
    served.start(create_app(built))
    yield built
    built.close()


@pytest.fixture
def shop(full_hub: Hub) -> Shop:
    return create_shop(full_hub, staff=True, employee=True)


def test_feed_links_are_issued_copied_and_revoked_from_the_console(
    shop: Shop, served: LiveServer
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


def test_my_calendar_shows_each_visible_feed_and_how_to_connect_apps(
    shop: Shop, served: LiveServer
) -> None:
    assert shop.admin is not None and shop.employee is not None
    mine, theirs = shop.washers
    other = create_shop(shop.hub, language="en", staff=True)
    assert other.admin is not None
    with browser(served) as admin, browser(served) as employee, browser(served) as stranger:
        # The admin creates both washers' links from "Mi calendario" itself.
        sign_in(admin, shop.admin.email)
        page = admin.get("/console/calendar-app")
        text = text_of(page.text)
        for washer in (mine, theirs):
            assert washer.name in text
            made = admin.post(
                f"/console/calendar-app/feeds/{washer.id}",
                data={"csrf_token": csrf_of(page.text)},
            )
            assert made.status_code == 303
        page = admin.get("/console/calendar-app")
        urls = FEED_URL.findall(page.text)
        assert len(urls) == 2
        assert f'data-copy="feed-url-{theirs.id}"' in page.text
        assert f'action="/console/calendar-app/feeds/{theirs.id}/revoke"' in page.text
        text = text_of(page.text)
        assert f"{served.base_url}/.well-known/caldav" in text
        assert f"{served.base_url}/dav/" in text
        for step in ("Thunderbird", "Apple Calendar (macOS)", "DAVx5 (Android)"):
            assert step in text
        assert "un calendario por cada recurso que podés ver" in text
        assert "tus listas de tareas" in text

        # The employee sees their own washer's link and the same steps, not the other washer.
        sign_in(employee, shop.employee.email)
        seen = employee.get("/console/calendar-app")
        seen_text = text_of(seen.text)
        assert mine.name in seen_text and theirs.name not in seen_text
        assert len(FEED_URL.findall(seen.text)) == 1
        assert FEED_URL.findall(seen.text)[0] in urls
        assert f"/feeds/{mine.id}/revoke" not in seen.text and "/feed/revoke" not in seen.text
        assert f"Usuario: {shop.employee.email}" in seen_text
        assert "Otra cuenta CalDAV" in seen_text
        refused = employee.post(
            f"/console/calendar-app/feeds/{mine.id}/revoke",
            data={"csrf_token": csrf_of(seen.text)},
        )
        assert refused.status_code == 404

        # Another business's admin: English steps, none of these links, and no way to touch them.
        sign_in(stranger, other.admin.email)
        foreign = stranger.get("/console/calendar-app")
        foreign_text = text_of(foreign.text)
        assert "Connecting a calendar app" in foreign_text
        assert "Other CalDAV Account" in foreign_text
        assert not set(FEED_URL.findall(foreign.text)) & set(urls)
        for action in ("", "/revoke"):
            assert (
                stranger.post(
                    f"/console/calendar-app/feeds/{mine.id}{action}",
                    data={"csrf_token": csrf_of(foreign.text)},
                ).status_code
                == 404
            )

        # The admin revokes one link from this screen: that address stops answering.
        gone = admin.post(
            f"/console/calendar-app/feeds/{theirs.id}/revoke",
            data={"csrf_token": csrf_of(page.text)},
        )
        assert gone.status_code == 303
        after = admin.get(gone.headers["location"])
        assert "la dirección anterior ya no funciona" in text_of(after.text)
        left = FEED_URL.findall(after.text)
        assert len(left) == 1
        with browser(served) as app:
            for url in urls:
                assert app.get(url).status_code == (200 if url in left else 404)
