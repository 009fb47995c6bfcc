"""Sync tokens and ctags follow every change a calendar's events are rendered from, not only
changes of the bookings themselves: renaming a customer or a service moves the token of the
calendars showing their bookings, and of no other. A sync lists the same ETags a PROPFIND
shows, then exactly what changed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import timedelta
from urllib.parse import quote, unquote

import caldav
import httpx

from hub.domain.booking import Booking
from hub.services import customer_setup, setup
from hub.services.customers import CustomerDetails
from tests.api.tenants import SETUP
from tests.caldav.conftest import DavWorld
from tests.caldav.helpers import http, vevent


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
        customer_setup.update_customer(
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


SYNC = """<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token>
<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"""
ETAGS = b"""<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop>
</D:propfind>"""


def listed(answer: httpx.Response) -> dict[str, str | None]:
    """href → ETag (None for a 404 response) of a multistatus."""
    assert answer.status_code == 207, answer.text
    out: dict[str, str | None] = {}
    for response in ET.fromstring(answer.content).iter("{DAV:}response"):
        href = unquote(response.findtext("{DAV:}href") or "")
        out[href] = response.findtext(".//{DAV:}getetag")
    return out


def test_a_sync_lists_the_etags_a_propfind_shows_and_then_only_what_changed(
    dav: DavWorld,
) -> None:
    kept, dropped = dav.book(10), dav.book(12)
    url = dav.calendar_url(dav.admin, dav.tenant.resources[0].id)
    start = dav.tenant.at(15)
    with http(dav, dav.admin) as h:
        put = h.put(
            f"{url}{quote('reunión.ics')}",
            content=vevent("reu-1", start, start + timedelta(hours=1), "Reunión"),
        )
        assert put.status_code == 201, put.text
        first = h.request("REPORT", url, content=SYNC.format(token=""), headers={"Depth": "1"})
        propfind = h.request("PROPFIND", url, content=ETAGS, headers={"Depth": "1"})
        shown = {h: etag for h, etag in listed(propfind).items() if not h.endswith("/")}
        assert listed(first) == shown
        assert {href.rsplit("/", 1)[-1] for href in shown} == {
            f"{kept.id}.ics",
            f"{dropped.id}.ics",
            "reunión.ics",
        }
        token = ET.fromstring(first.content).findtext("{DAV:}sync-token")
        with dav.tenant.client() as api:
            assert api.delete(f"/api/v1/bookings/{dropped.id}").status_code == 200
        delta = h.request("REPORT", url, content=SYNC.format(token=token), headers={"Depth": "1"})
        assert {href.rsplit("/", 1)[-1]: etag for href, etag in listed(delta).items()} == {
            f"{dropped.id}.ics": None
        }
        stale = h.request("REPORT", url, content=SYNC.format(token="bogus"), headers={"Depth": "1"})
        assert stale.status_code == 403
        assert "valid-sync-token" in stale.text


def test_the_whole_calendar_downloads_with_every_event(dav: DavWorld) -> None:
    first, second = dav.book(10), dav.book(12, name="Ana Núñez")
    url = dav.calendar_url(dav.admin, dav.tenant.resources[0].id)
    with http(dav, dav.admin) as h:
        answer = h.get(url)
    assert answer.status_code == 200, answer.text
    text = answer.content.decode()
    assert text.count("BEGIN:VEVENT") == 2
    assert f"UID:{first.id}@turnero" in text
    assert f"UID:{second.id}@turnero" in text
    assert "Lavado completo" in text


def test_renaming_a_customer_through_the_api_changes_the_etag_of_their_events(
    dav: DavWorld,
) -> None:
    """A client caching events by ETag sees a rename: the event's ETag (read alone, in a
    listing and in a sync) is new, and only a change that alters the rows the event is made
    from gives a new one."""
    booking = dav.book(10)
    other = dav.book(12, name="Ana Núñez", phone="+54 9 11 3456-7890")
    url = dav.calendar_url(dav.admin, dav.tenant.resources[0].id)
    item, others = f"{url}{booking.id}.ics", f"{url}{other.id}.ics"
    with http(dav, dav.admin) as h:
        before = h.get(item)
        assert before.status_code == 200, before.text
        first = h.request("REPORT", url, content=SYNC.format(token=""), headers={"Depth": "1"})
        token = ET.fromstring(first.content).findtext("{DAV:}sync-token")
        etags = {href.rsplit("/", 1)[-1]: etag for href, etag in listed(first).items()}
        assert etags[f"{booking.id}.ics"] == before.headers["ETag"]

        with dav.tenant.client() as api:
            same = api.patch(
                f"/api/v1/customers/{booking.customer_id}", json={"name": "José Pérez"}
            )
            assert same.status_code == 200, same.text
            assert h.get(item).headers["ETag"] == before.headers["ETag"]
            renamed = api.patch(
                f"/api/v1/customers/{booking.customer_id}", json={"name": "José María Pérez"}
            )
            assert renamed.status_code == 200, renamed.text

        after = h.get(item)
        assert "SUMMARY:Lavado completo — José María Pérez" in after.text.replace("\r\n ", "")
        assert after.headers["ETag"] != before.headers["ETag"]
        delta = h.request("REPORT", url, content=SYNC.format(token=token), headers={"Depth": "1"})
        assert ET.fromstring(delta.content).findtext("{DAV:}sync-token") != token
        assert {href.rsplit("/", 1)[-1]: etag for href, etag in listed(delta).items()} == {
            f"{booking.id}.ics": after.headers["ETag"]
        }
        propfind = h.request("PROPFIND", url, content=ETAGS, headers={"Depth": "1"})
        shown = {href.rsplit("/", 1)[-1]: etag for href, etag in listed(propfind).items()}
        assert shown[f"{booking.id}.ics"] == after.headers["ETag"]
        assert shown[f"{other.id}.ics"] == h.get(others).headers["ETag"]
        assert shown[f"{other.id}.ics"] == etags[f"{other.id}.ics"]
