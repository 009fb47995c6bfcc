"""Booking creation is rate limited per client address; the page says to wait."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from hub.api.ratelimit import Rate
from hub.bootstrap import Hub
from tests.pages.conftest import make_hub, pages_app
from tests.pages.helpers import book, text_of
from tests.pages.shop import create_shop
from tests.support.clock import Clock
from tests.support.live import LiveServer


@pytest.fixture
def hub(database_file: str, clock: Clock, served: LiveServer) -> Iterator[Hub]:
    built = make_hub(
        database_file, clock, base_url=served.base_url, rate=Rate(burst=2, per_second=0.01)
    )
    served.start(pages_app(built))
    yield built
    built.close()


def test_too_many_booking_attempts_get_429_with_retry_after(hub: Hub, client: httpx.Client) -> None:
    shop = create_shop(hub)
    for hour in (9, 10):
        assert book(client, shop.slug, shop.quick_wash.id, shop.at(hour)).status_code == 303
    third = book(client, shop.slug, shop.quick_wash.id, shop.at(11))
    assert third.status_code == 429
    assert int(third.headers["retry-after"]) > 0
    assert "Demasiados intentos seguidos" in text_of(third.text)
    # reading pages is not limited
    assert client.get(f"/book/{shop.slug}").status_code == 200
