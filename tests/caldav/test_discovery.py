"""What the README and the console's "My calendar" screen tell people to type into a calendar
app: only the hub's address and ``/.well-known/caldav``. From there a client finds the
signed-in staff member's principal, their calendar home, and in it one agenda per resource
they may see, next to their own personal calendars and task lists."""

from __future__ import annotations

import re

import caldav

from tests.caldav.conftest import DavWorld
from tests.caldav.helpers import http

PROPFIND_PRINCIPAL = b"""<?xml version="1.0" encoding="utf-8"?>
<propfind xmlns="DAV:"><prop><current-user-principal/></prop></propfind>"""

PROPFIND_HOME = b"""<?xml version="1.0" encoding="utf-8"?>
<propfind xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<prop><C:calendar-home-set/></prop></propfind>"""


def test_well_known_leads_to_the_principal_and_its_calendar_home(dav: DavWorld) -> None:
    base = dav.live.base_url
    with http(dav, dav.juan) as web:
        moved = web.request("PROPFIND", f"{base}/.well-known/caldav", headers={"Depth": "0"})
        assert moved.status_code == 301
        assert moved.headers["location"] == "/dav/"
        found = web.request(
            "PROPFIND", f"{base}/dav/", headers={"Depth": "0"}, content=PROPFIND_PRINCIPAL
        )
        assert found.status_code == 207
        principal = f"/dav/{dav.juan.user.id}/"
        assert re.search(
            rf"current-user-principal>\s*<(\w+:)?href>{principal}</(\w+:)?href>", found.text
        )
        home = web.request(
            "PROPFIND", f"{base}{principal}", headers={"Depth": "0"}, content=PROPFIND_HOME
        )
        assert home.status_code == 207
        assert re.search(rf"calendar-home-set>\s*<(\w+:)?href>{principal}</(\w+:)?href>", home.text)


def test_a_client_given_the_well_known_address_lists_its_agendas_and_personal_calendars(
    dav: DavWorld,
) -> None:
    with caldav.DAVClient(
        url=f"{dav.live.base_url}/.well-known/caldav",
        username=dav.juan.user.email,
        password=dav.juan.password,
    ) as client:
        principal = client.principal()
        principal.make_calendar(name="Personal de Juan", cal_id="personal")
        principal.make_calendar(
            name="Pendientes", cal_id="tasks", supported_calendar_component_set=["VTODO"]
        )
        names = {c.get_display_name() for c in principal.calendars()}
    assert names == {dav.tenant.resources[0].name, "Personal de Juan", "Pendientes"}
    with caldav.DAVClient(
        url=f"{dav.live.base_url}/.well-known/caldav",
        username=dav.admin.user.email,
        password=dav.admin.password,
    ) as admin:
        seen = {c.get_display_name() for c in admin.principal().calendars()}
    assert seen == {r.name for r in dav.tenant.resources}
