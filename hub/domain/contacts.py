"""Contact data as people type it: email addresses, and the contact a booking was made with.

Every email address that enters the core (a customer's, an invitee's, a staff member's) is
checked here, once: an address ends up in mail headers and SMTP commands, so one with a line
break or another control character could add a header (``Bcc:``) or a command. Such
addresses are refused, never repaired.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from hub.domain.errors import ValidationError

# Control (Cc), format (Cf), line (Zl) and paragraph (Zp) separators: none belongs in an
# address, and each is a line break or an invisible character to some mail program.
_UNWANTED = frozenset({"Cc", "Cf", "Zl", "Zp"})
# RFC 5322 §3.2.3 specials, outside the one "@": legal only in quoted local parts, which
# nobody types, and each changes how a header is read (a "," adds a recipient).
_SPECIALS = frozenset('"(),:;<>[\\]')


def normalise_email(raw: str, field: str = "email") -> str:
    """``raw`` trimmed and lowercased, or ``ValidationError`` naming ``field`` when it is not
    one plain address (control characters, spaces, specials, no domain)."""
    if any(unicodedata.category(c) in _UNWANTED for c in raw):
        raise ValidationError(
            f"{field} must not contain control characters or line breaks", field=field
        )
    value = raw.strip().lower()
    local, _, domain = value.partition("@")
    if (
        not local
        or "." not in domain
        or domain.startswith(".")
        or domain.endswith(".")
        or ".." in domain
        or "@" in domain
        or len(value) > 254
        or any(c.isspace() or c in _SPECIALS for c in value)
    ):
        raise ValidationError(f"{raw!r} is not an email address", field=field)
    return value


@dataclass(frozen=True, slots=True)
class Contact:
    """Who a booking is for, as given when it was made: the name typed, and the phone (E.164)
    and email it was made with. The customer record the booking is linked to (matched by
    phone or email) may say otherwise; clients are only ever shown this."""

    name: str
    phone: str | None = None
    email: str | None = None
