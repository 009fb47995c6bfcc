"""RFC 5545 content lines: escaping of TEXT values (§3.3.11) and parameter values (RFC 6868),
folding at 75 octets (§3.1), and a faster ``to_ical`` for components icalendar built.

Spelling only: which properties an event has is ``hub.ical.vevent``'s.
"""

from __future__ import annotations

import functools
import re

from icalendar import Component

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(value: str) -> str:
    """Line breaks as one LF, other control characters gone (RFC 5545 TEXT has none)."""
    if value.isprintable():  # no control character at all: the common case
        return value
    return _CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def escape_text(value: str) -> str:
    return (
        clean(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
    )


@functools.lru_cache(maxsize=1024)  # the same few values (names, roles, zones) every time
def param_value(value: str) -> str:
    escaped = clean(value).replace("^", "^^").replace("\n", "^n").replace('"', "^'")
    return f'"{escaped}"' if any(c in escaped for c in ",;: ") else escaped


def fold(line: str) -> bytes:
    """One content line, folded at 75 octets without splitting a character or an escape."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data
    parts: list[bytes] = []
    start, limit = 0, 75  # continuation lines start with a space: 74 octets of content
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: cut before its character
            cut -= 1
        if data[cut - 1] in b"\\^" and cut - 1 > start:  # keep "\," and "^n" together
            cut -= 1
        parts.append(data[start:cut])
        start, limit = cut, 74
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def to_ical(component: Component) -> bytes:
    """``component.to_ical()``, faster: icalendar folds every content line character by
    character, though most lines are short ASCII that need no folding. Those are written as
    they are; the others still go through icalendar's folding. Same bytes either way."""
    lines = []
    for line in component.content_lines():
        if not line:
            continue
        lines.append(line.encode("ascii") if len(line) < 75 and line.isascii() else line.to_ical())
    lines.append(b"")
    return b"\r\n".join(lines)
