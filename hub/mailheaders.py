"""The one encoder of email header fields (RFC 5322 §2.2, RFC 2047) the hub writes.

A header field is one line: a value that carries a line break — CR, LF, or one of the
characters some mail programs also end a line on (NUL, VT, FF, NEL, U+2028, U+2029…) — could
start a header of its own (``Bcc:``) or end the header block early. Values are flattened
here, whatever they are (a business name, a subject, an address, an id): every control,
format and separator character becomes a space and runs of spaces one space. Unstructured
text (Subject) that is not short ASCII becomes RFC 2047 encoded words, folded with CRLF +
space: the one line break a header may contain (§2.2.3), which never starts a new field.

Not here: refusing bad addresses (``hub.domain.contacts`` does, at the core), building
messages (``connectors.notify.mail``).
"""

from __future__ import annotations

import base64
import re

CRLF = "\r\n"
# RFC 5322 §2.2: a field name is printable US-ASCII except ":".
_FIELD_NAME = re.compile(r"[!-9;-~]+")


def one_line(value: str) -> str:
    """``value`` with no line break or other control character: each becomes a space, and
    runs of whitespace one space."""
    if not value.isprintable():  # controls, format characters, line and paragraph separators
        value = "".join(c if c.isprintable() else " " for c in value)
    return " ".join(value.split())


def _name(name: str) -> str:
    if not _FIELD_NAME.fullmatch(name):
        raise ValueError(f"not a header field name: {name!r}")
    return name


def header(name: str, value: str) -> str:
    """``Name: value`` for a structured field (Message-ID, Date, ids, languages): the value
    flattened and written as it is (its syntax has no encoded words)."""
    return f"{_name(name)}: {one_line(value)}"


def text_header(name: str, value: str) -> str:
    """``Name: value`` for unstructured text (Subject): flattened, and as RFC 2047 encoded
    words, folded, when it is not short ASCII."""
    value = one_line(value)
    if value.isascii() and len(name) + len(value) < 76:
        return f"{_name(name)}: {value}"
    return f"{_name(name)}: " + f"{CRLF} ".join(encoded_words(value))


def address_header(name: str, address: str, display: str | None = None) -> str:
    """``Name: "Display" <address>`` (or the bare address): the display name a quoted string
    (RFC 5322 §3.2.4), or encoded words (RFC 2047 §5) when it is not ASCII; the address as
    it is, flattened (the core refuses addresses that would need it)."""
    address = "".join(one_line(address).split())
    display = one_line(display or "")
    if not display:
        return f"{_name(name)}: {address}"
    if display.isascii():
        phrase = '"' + display.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        phrase = f"{CRLF} ".join(encoded_words(display))
    return f"{_name(name)}: {phrase} <{address}>"


def encoded_words(value: str) -> list[str]:
    """RFC 2047 B-encoded words of at most 75 characters, never splitting a character."""
    data = value.encode("utf-8")
    words: list[bytes] = []
    start = 0
    while len(data) - start > 45:  # 45 bytes -> 60 base64 characters + 12 of markup
        cut = start + 45
        while data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: cut before its character
            cut -= 1
        words.append(data[start:cut])
        start = cut
    words.append(data[start:])
    return [f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words]
