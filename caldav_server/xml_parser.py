"""The one door through which WebDAV/CalDAV request bodies (XML) come in: bounded parsing.

Every XML body — PROPFIND, PROPPATCH, REPORT, MKCALENDAR, MKCOL — is parsed here, by expat
with a budget checked as each element starts: a document type declaration (and so any entity,
the "billion laughs" or an external file) is refused at once, and so is the element past the
budget (too many elements, nested too deep, or too many children of one element — property
names in a PROPFIND, filters in a REPORT). The tree never grows past the budget, and the
answer is a ``RefusedError`` (400 for what is not acceptable XML, 413 for what is over the
budget), never a 500.

Hrefs do not count as children: a calendar-multiget lists one per event it wants (a client's
first sync of a large calendar sends thousands); the element budget bounds them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from caldav_server.refusals import TURNERO, RefusedError

_HREF = "{DAV:}href"


@dataclass(frozen=True, slots=True)
class XmlLimits:
    """How much one request body may hold. Clients ask for a few dozen properties at most
    (an iPhone's calendar-home PROPFIND names about forty)."""

    elements: int = 100_000
    depth: int = 32
    children: int = 200


LIMITS = XmlLimits()


def _not_accepted(message: str) -> RefusedError:
    return RefusedError(400, TURNERO, "valid-xml", message)


def _over_budget(message: str) -> RefusedError:
    return RefusedError(413, TURNERO, "xml-limits", message)


class _Builder:
    """expat callbacks that build an ElementTree within ``limits``."""

    def __init__(self, limits: XmlLimits) -> None:
        self.limits = limits
        self.tree = ET.TreeBuilder()
        self.elements = 0
        self.children: list[int] = []  # per open element, its children so far
        self.names: dict[str, str] = {}

    def name(self, raw: str) -> str:
        # expat writes "uri local" (namespace_separator " "); ElementTree wants "{uri}local".
        found = self.names.get(raw)
        if found is None:
            uri, _, local = raw.rpartition(" ")
            found = self.names[raw] = f"{{{uri}}}{local}" if uri else local
        return found

    def start(self, raw: str, attributes: dict[str, str]) -> None:
        tag = self.name(raw)
        self.elements += 1
        if self.elements > self.limits.elements:
            raise _over_budget(f"more than {self.limits.elements} XML elements in one request")
        if len(self.children) >= self.limits.depth:
            raise _over_budget(f"XML elements nested more than {self.limits.depth} deep")
        if self.children and tag != _HREF:
            self.children[-1] += 1
            if self.children[-1] > self.limits.children:
                raise _over_budget(
                    f"more than {self.limits.children} elements inside one XML element "
                    "(properties asked for, filters)"
                )
        self.children.append(0)
        attrs = {self.name(k): v for k, v in attributes.items()} if attributes else {}
        self.tree.start(tag, attrs)

    def end(self, raw: str) -> None:
        self.children.pop()
        self.tree.end(self.name(raw))


def _no_dtd(*_: Any) -> None:
    raise _not_accepted("XML with a document type declaration (DTD) or entities is not accepted")


def parse_xml(content: str | bytes, limits: XmlLimits = LIMITS) -> ET.Element:
    """The root element of ``content``, or ``RefusedError`` (400: not well-formed, a DTD or
    an entity; 413: over ``limits``)."""
    builder = _Builder(limits)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.tree.data
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    parser.UnparsedEntityDeclHandler = _no_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(content, True)
    except expat.ExpatError as exc:
        raise _not_accepted(
            f"the request body is not well-formed XML: {expat.ErrorString(exc.code)} "
            f"(line {exc.lineno}, column {exc.offset})"
        ) from exc
    root: ET.Element = builder.tree.close()
    return root
