"""A whole-calendar listing reads ETags first and renders texts only when asked: a booking
cancelled in between is written as the cancelled event it now is, never a failed answer."""

from __future__ import annotations

from caldav_server.base import Backend
from caldav_server.resource_collection import ResourceCollection
from hub.services.booking_status import cancel_booking
from tests.api.tenants import SETUP
from tests.caldav.conftest import DavWorld


def test_a_booking_cancelled_while_a_listing_is_written_comes_out_cancelled(
    dav: DavWorld,
) -> None:
    hub = dav.live.hub
    kept, gone = dav.book(10), dav.book(12)
    backend = Backend(hub.database, hub.now)
    calendar = ResourceCollection(
        backend, dav.admin.user, dav.tenant.resources[0], dav.tenant.business
    )
    backend.begin_request()
    try:
        listed = {item.href: item for item in calendar.get_all()}
        cancel_booking(
            hub.uow(), dav.tenant.business.id, gone.id, by=SETUP, now=hub.now(), reason="x"
        )
        texts = {href: item.serialize() for href, item in listed.items()}
    finally:
        backend.end_request()
    [kept_text] = [t for h, t in texts.items() if h and kept.id in h]
    [gone_text] = [t for h, t in texts.items() if h and gone.id in h]
    assert "STATUS:CONFIRMED" in kept_text
    assert "STATUS:CANCELLED" in gone_text and gone.id in gone_text
