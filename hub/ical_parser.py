"""The one door through which iCalendar (RFC 5545) text comes into the hub: bounded parsing.

Every entry point that reads a calendar someone else wrote — a CalDAV PUT, ``turnero
import-ics`` — calls ``parse_calendar`` with the limits of that door. The limits (octets,
properties, components, nesting) are checked by a line scan that
costs one pass over the text and stops at the first line over a limit, *before* icalendar
builds anything; the parse that follows is then linear in a text known to be small.

Malformed text raises ``ValidationError`` naming the line and component at fault; text over a
limit raises ``CalendarLimitError`` (a ``ValidationError``) naming the limit. What does not
belong here: building calendars (``hub.ical``), deciding what an event means (the adapters
and use cases that receive it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from icalendar import Calendar

from hub.domain.errors import ValidationError


@dataclass(frozen=True, slots=True)
class CalendarLimits:
    """How much one iCalendar document may hold. ``depth`` counts nested BEGIN/END blocks,
    VCALENDAR being 1 (RFC 5545 nests three deep: VCALENDAR, VEVENT, VALARM; RFC 9073
    four)."""

    octets: int
    properties: int
    components: int
    depth: int = 8


# One calendar object resource (RFC 4791 §4.1): an event with its overrides. A meeting with
# 200 attendees, alarms and a long description holds a few hundred properties.
OBJECT_LIMITS = CalendarLimits(octets=1_000_000, properties=10_000, components=1_000)


class CalendarLimitError(ValidationError):
    """The document is over one of the limits it was read with; ``details['limit']`` names
    which (octets, properties, components)."""


def _over(limit: str, message: str, line: int | None = None) -> CalendarLimitError:
    details: dict[str, object] = {"limit": limit}
    if line is not None:
        details["line"] = line
    return CalendarLimitError(message, field="ical", **details)


_CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+(;[^:]*)?:", re.DOTALL)


@dataclass(slots=True)
class _Node:
    name: str
    line: int
    props: list[tuple[str, int]] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)

    def walk(self) -> Iterator[_Node]:
        """Depth first, parents before children: the order of icalendar's ``walk()``."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(number of its first physical line, content line) of each unfolded content line.
    Folded pieces are gathered and joined once, so a property folded over thousands of
    lines costs its length, not its length times its lines."""
    number, parts = 0, list[str]()
    for physical, line in enumerate(text.split("\n"), start=1):
        # Lines end with CRLF (RFC 5545 §3.1), or LF alone; str.splitlines would also break
        # at characters a value may hold (U+2028, U+0085…).
        raw = line.removesuffix("\r")
        if raw[:1] in (" ", "\t") and parts:
            parts.append(raw[1:])
        elif raw.strip():
            if parts:
                yield number, "".join(parts)
            number, parts = physical, [raw]
    if parts:
        yield number, "".join(parts)


def _outline(text: str, limits: CalendarLimits) -> _Node:
    """Check the content-line and BEGIN/END structure, keeping line numbers (RFC 5545 §3.1,
    §3.4; icalendar's own errors do not say where the fault is), and every limit but the
    octets, stopping at the first line that breaks one."""
    root = _Node("", 0)
    stack = [root]
    properties = components = 0
    for number, line in _logical_lines(text):
        if not _CONTENT_LINE.match(line):
            where = stack[-1].name or "the calendar"
            raise ValidationError(
                f"line {number} in {where} is not a content line: {line[:60]!r}",
                field="ical",
                line=number,
                component=stack[-1].name or None,
            )
        name, _, value = line.partition(":")
        key = name.split(";", 1)[0].upper()
        if key == "BEGIN":
            components += 1
            if components > limits.components:
                raise _over(
                    "components",
                    f"line {number}: more than {limits.components} components "
                    "(BEGIN…END blocks) in one calendar are not accepted",
                    number,
                )
            if len(stack) > limits.depth:
                raise ValidationError(
                    f"line {number}: components nested more than {limits.depth} deep",
                    field="ical",
                    line=number,
                    component=stack[-1].name or None,
                )
            node = _Node(value.strip().upper(), number)
            stack[-1].children.append(node)
            stack.append(node)
        elif key == "END":
            closing = value.strip().upper()
            if len(stack) == 1 or stack[-1].name != closing:
                raise ValidationError(
                    f"line {number}: END:{closing} does not close {stack[-1].name or 'anything'}",
                    field="ical",
                    line=number,
                    component=stack[-1].name or None,
                )
            stack.pop()
        else:
            properties += 1
            if properties > limits.properties:
                raise _over(
                    "properties",
                    f"line {number}: more than {limits.properties} properties in one "
                    "calendar are not accepted",
                    number,
                )
            stack[-1].props.append((key, number))
    if len(stack) > 1:
        raise ValidationError(
            f"{stack[-1].name} opened on line {stack[-1].line} is never closed",
            field="ical",
            line=stack[-1].line,
            component=stack[-1].name,
        )
    if [child.name for child in root.children] != ["VCALENDAR"]:
        raise ValidationError("expected exactly one VCALENDAR", field="ical", line=1)
    return root.children[0]


def parse_calendar(data: bytes, limits: CalendarLimits = OBJECT_LIMITS) -> Calendar:
    """Parse one VCALENDAR within ``limits``. Malformed input raises ``ValidationError``
    naming the line and component at fault (``details['line']``, ``details['component']``);
    input over a limit raises ``CalendarLimitError`` before anything is parsed."""
    if len(data) > limits.octets:
        raise _over(
            "octets",
            f"a calendar of {len(data)} bytes is over the {limits.octets} bytes accepted",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"iCalendar data must be UTF-8 (bad byte at offset {exc.start})", field="ical"
        ) from exc
    outline = _outline(text, limits)
    try:
        cal = Calendar.from_ical(text)
    except ValueError as exc:
        raise ValidationError(f"invalid iCalendar data: {exc}", field="ical") from exc
    assert isinstance(cal, Calendar)
    for component, node in zip(cal.walk(), outline.walk(), strict=False):
        for prop_name, problem in component.errors:
            line = next((n for p, n in node.props if p == str(prop_name).upper()), node.line)
            raise ValidationError(
                f"line {line}: {prop_name} in {component.name} is invalid: {problem}",
                field="ical",
                line=line,
                component=component.name,
                property=str(prop_name),
            )
    return cal
