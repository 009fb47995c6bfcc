"""XML request bodies that are hostile get a clear 4xx on every WebDAV/CalDAV verb, never a
500 and never hours of work: a DTD or entities (the "billion laughs", an external file) is a
400, a body within the size limit but over the element budget (90,000 property names in one
PROPFIND, filters nested thousands deep, a multiget past 100,000 elements) a 413 — each with
an error body naming the precondition — while what calendar apps really send still works."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.caldav.conftest import DavWorld
from tests.caldav.helpers import http, vevent

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'
        for n in range(1, 10)
    )
    + "]>\n"
)
EXTERNAL = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
PROPFIND = (
    '<D:propfind xmlns:D="DAV:"><D:prop><D:displayname>{}</D:displayname></D:prop></D:propfind>'
)
PROPPATCH = (
    '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>{}</D:displayname>'
    "</D:prop></D:set></D:propertyupdate>"
)
MKCALENDAR = (
    '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
    "<D:displayname>{}</D:displayname></D:prop></D:set></C:mkcalendar>"
)
MKCOL = (
    '<D:mkcol xmlns:D="DAV:"><D:set><D:prop><D:displayname>{}</D:displayname>'
    "</D:prop></D:set></D:mkcol>"
)
REPORT = (
    '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    '<D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="{}"/></C:filter>'
    "</C:calendar-query>"
)


@pytest.mark.parametrize(("preamble", "reference"), [(LAUGHS, "&lol9;"), (EXTERNAL, "&e;")])
def test_a_dtd_or_entities_get_a_400_on_every_verb(
    dav_sqlite: DavWorld, preamble: str, reference: str
) -> None:
    dav = dav_sqlite
    cal = dav.calendar_url(dav.juan, dav.tenant.resources[0].id)
    new = f"{dav.dav_url}{dav.juan.user.id}/nuevo/"
    verbs = [
        ("PROPFIND", cal, PROPFIND),
        ("PROPPATCH", cal, PROPPATCH),
        ("REPORT", cal, REPORT),
        ("MKCALENDAR", new, MKCALENDAR),
        ("MKCOL", new, MKCOL),
    ]
    with http(dav, dav.juan) as h:
        for verb, url, template in verbs:
            body = (preamble + template.format(reference)).encode()
            answer = h.request(verb, url, content=body, headers={"Depth": "1"})
            assert answer.status_code == 400, (verb, answer.status_code, answer.text[:200])
            assert "valid-xml" in answer.text and "DTD" in answer.text, verb
            assert "root:" not in answer.text and "lollollol" not in answer.text
        assert h.request("PROPFIND", new, headers={"Depth": "0"}).status_code == 404


def test_bodies_over_the_xml_budget_get_a_413_and_real_ones_work(dav_sqlite: DavWorld) -> None:
    dav = dav_sqlite
    cal = dav.calendar_url(dav.juan, dav.tenant.resources[0].id)
    start, _ = dav.week()
    names = "".join(f"<x{i}/>" for i in range(90_000))
    many_props = f'<?xml version="1.0"?><propfind xmlns="DAV:"><prop>{names}</prop></propfind>'
    deep = (
        '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
        "<D:prop><D:getetag/></D:prop><C:filter>"
        + '<C:comp-filter name="VCALENDAR">' * 5_000
        + "</C:comp-filter>" * 5_000
        + "</C:filter></C:calendar-query>"
    )
    multiget = (
        '<C:calendar-multiget xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
        f"<prop><getetag/></prop>{'<href/>' * 100_001}</C:calendar-multiget>"
    )
    sets = "".join(f"<D:set><D:prop><x{i}>v</x{i}></D:prop></D:set>" for i in range(300))
    proppatch = f'<D:propertyupdate xmlns:D="DAV:">{sets}</D:propertyupdate>'
    with http(dav, dav.juan) as h:
        for verb, body, says in [  # each under the 1 MB a body may have here
            ("PROPFIND", many_props, "more than 200 elements inside one"),
            ("REPORT", deep, "nested more than 32 deep"),
            ("REPORT", multiget, "more than 100000 XML elements"),
            ("PROPPATCH", proppatch, "more than 200 elements inside one"),
        ]:
            assert len(body) < 1_000_000
            answer = h.request(verb, cal, content=body.encode(), headers={"Depth": "1"})
            assert answer.status_code == 413, (verb, answer.status_code, answer.text[:200])
            assert "xml-limits" in answer.text and says in answer.text, answer.text

        # A first sync's multiget: a few thousand hrefs, three of them real events.
        for n in range(3):
            moment = start + timedelta(hours=10 + n)
            body = vevent(f"real-{n}", moment, moment + timedelta(hours=1), f"Real {n}")
            assert h.put(f"{cal}real-{n}.ics", content=body).status_code == 201
        wanted = [f"{cal}real-{n}.ics" for n in range(3)]
        wanted += [f"{cal}gone-{i}.ics" for i in range(5_000)]
        listed = "".join(f"<D:href>{href}</D:href>" for href in wanted)
        body = (
            '<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            f"<D:prop><D:getetag/><C:calendar-data/></D:prop>{listed}</C:calendar-multiget>"
        ).encode()
        answer = h.request("REPORT", cal, content=body, headers={"Depth": "1"})
        assert answer.status_code == 207, answer.text[:300]
        assert {f"UID:real-{n}" for n in range(3)} <= set(re.findall(r"UID:real-\d", answer.text))
        assert answer.text.count("404 Not Found") == 5_000
