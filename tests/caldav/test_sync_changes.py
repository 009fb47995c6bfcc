"""Sync tokens and ctags follow every change a calendar's events are rendered from, not only
changes of the bookings themselves: renaming a customer or a service moves the token of the
calendars showing their bookings, and of no other."""

from __future__ import annotations

from dataclasses import replace

import caldav

from hub.domain.booking import Booking
from hub.services import setup
from hub.services.customers import CustomerDetails
from tests.api.tenants import SETUP
from tests.caldav.conftest import DavWorld


def client(world: DavWorld) -> caldav.DAVClient:
    return caldav.DAVClient(
        url=world.dav_url, username=world.admin.user.email, password=world.admin.password
    )


def calendar_of(dav: caldav.DAVClient, resource_id: str) -> caldav.Calendar:
    for cal in dav.principal().calendars():
        if str(cal.url).rstrip("/").endswith(resource_id):
            return cal
    raise AssertionError(f"no calendar for {resource_id}")


def test_renaming_a_customer_moves_the_sync_token_of_their_calendar_only(dav: DavWorld) -> None:
    first, second = dav.book(10), dav.book(12)
    hub = dav.live.hub
    with client(dav) as admin:
        mine = calendar_of(admin, dav.tenant.resources[0].id)
        other = calendar_of(admin, dav.tenant.resources[1].id)
        token = mine.get_objects_by_sync_token(load_objects=False, disable_fallback=True).sync_token
        other_token = other.get_objects_by_sync_token(
            load_objects=False, disable_fallback=True
        ).sync_token
        setup.update_customer(
            hub.uow(),
            dav.tenant.business.id,
            first.customer_id,
            CustomerDetails(name="José María Pérez", phone="+54 9 11 2345-6789"),
            by=SETUP,
            now=hub.now(),
        )
        later = mine.get_objects_by_sync_token(
            sync_token=token, load_objects=True, disable_fallback=True
        )
        found = {str(o.url).rsplit("/", 1)[-1]: o for o in later}
        untouched = other.get_objects_by_sync_token(
            sync_token=other_token, load_objects=False, disable_fallback=True
        )
    assert set(found) == {f"{first.id}.ics", f"{second.id}.ics"}
    assert later.sync_token != token
    assert all("José María Pérez" in str(o.data) for o in found.values())
    assert list(untouched) == []
    assert untouched.sync_token == other_token


def test_renaming_a_service_moves_the_sync_token_of_the_calendars_showing_it(
    dav: DavWorld,
) -> None:
    booking: Booking = dav.book(10)
    hub = dav.live.hub
    with client(dav) as admin:
        cal = calendar_of(admin, dav.tenant.resources[0].id)
        token = cal.get_objects_by_sync_token(load_objects=False, disable_fallback=True).sync_token
        service = setup.get_service(hub.uow(), dav.tenant.business.id, booking.service_id)
        setup.save_service(
            hub.uow(), replace(service, name="Lavado premium"), by=SETUP, now=hub.now()
        )
        later = cal.get_objects_by_sync_token(
            sync_token=token, load_objects=True, disable_fallback=True
        )
        found = {str(o.url).rsplit("/", 1)[-1]: o for o in later}
    assert set(found) == {f"{booking.id}.ics"}
    assert "Lavado premium" in str(found[f"{booking.id}.ics"].data)
