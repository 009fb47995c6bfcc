"""Bounded XML parsing: what is within the budget reads exactly as ElementTree reads it
(namespaces, attributes, text); a DTD in any form, an entity, or an element past the budget
is refused as the element or declaration arrives, with the status Radicale's verbs answer."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caldav_server.refusals import RefusedError
from caldav_server.xml_parser import LIMITS, XmlLimits, parse_xml

NAMESPACES = ["DAV:", "urn:ietf:params:xml:ns:caldav", "http://apple.com/ns/ical/", ""]
names = st.sampled_from(["prop", "href", "getetag", "calendar-data", "comp-filter", "x"])
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20)


@st.composite
def trees(draw: st.DrawFn, depth: int = 0) -> ET.Element:
    namespace = draw(st.sampled_from(NAMESPACES))
    tag = f"{{{namespace}}}{draw(names)}" if namespace else draw(names)
    attributes = draw(st.dictionaries(st.sampled_from(["name", "start", "end"]), texts, max_size=2))
    element = ET.Element(tag, attributes)
    element.text = draw(texts) or None
    if depth < 2:
        for child in draw(st.lists(trees(depth + 1), max_size=3)):
            child.tail = draw(texts) or None
            element.append(child)
    return element


def canonical(element: ET.Element) -> str:
    return ET.canonicalize(ET.tostring(element, encoding="unicode"))


@given(tree=trees())
def test_what_is_within_the_budget_reads_as_elementtree_reads_it(tree: ET.Element) -> None:
    document = ET.tostring(tree, encoding="utf-8", xml_declaration=True)
    assert canonical(parse_xml(document)) == canonical(ET.fromstring(document))
    assert canonical(parse_xml(document.decode())) == canonical(ET.fromstring(document))


def refused(document: str, limits: XmlLimits = LIMITS) -> RefusedError:
    with pytest.raises(RefusedError) as caught:
        parse_xml(document, limits)
    return caught.value


@pytest.mark.parametrize(
    "document",
    [
        '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
        '<!DOCTYPE a SYSTEM "http://127.0.0.1:9/a.dtd"><a/>',
        '<!DOCTYPE a [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><a/>',
        '<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>',
        "<!DOCTYPE a><a/>",
    ],
)
def test_any_dtd_is_refused_as_it_starts(document: str) -> None:
    error = refused('<?xml version="1.0"?>' + document)
    assert (error.status, error.name) == (400, "valid-xml")
    assert "DTD" in error.message


def test_malformed_xml_says_where() -> None:
    error = refused('<a xmlns="DAV:"><b></a>')
    assert (error.status, error.name) == (400, "valid-xml")
    assert "line 1" in error.message
    assert refused("<a>&undefined;</a>").status == 400


def test_the_budget_counts_elements_depth_and_children_but_not_hrefs() -> None:
    small = XmlLimits(elements=50, depth=4, children=5)
    hrefs = "".join(f"<D:href>/c/{i}.ics</D:href>" for i in range(40))
    multiget = f'<D:m xmlns:D="DAV:"><D:prop><D:getetag/></D:prop>{hrefs}</D:m>'
    assert len(parse_xml(multiget, small)) == 41
    assert refused(multiget.replace("</D:m>", hrefs + "</D:m>"), small).status == 413
    six = '<a xmlns="DAV:"><prop>' + "<x/>" * 6 + "</prop></a>"
    assert "more than 5 elements inside one" in refused(six, small).message
    assert "nested more than 4 deep" in refused("<a><b><c><d><e/></d></c></b></a>", small).message
