"""Email domains a business claims, so that its people can sign in with Google on first
use: what a claim is, what a domain name may be, and which domains nobody may claim.

A domain is a host name written as people type it after the "@" of an address; it is kept
lower-case and in its ASCII (IDNA) spelling. Only the exact domain counts: claiming
``acme.com`` says nothing about ``ventas.acme.com``. Public mail providers (Gmail, Outlook,
Yahoo, iCloud, Proton…) are refused: their addresses belong to whoever signs up.

How a claim is proven (the emailed link) is ``hub.services.email_domains``'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from hub.domain.errors import ValidationError
from hub.domain.model import new_id

MAX_DOMAIN = 253
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TLD = re.compile(r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})")
# The public providers' own names: refused under any suffix (gmail.com, yahoo.com.ar,
# hotmail.es, outlook.com.br, proton.me…).
PUBLIC_PROVIDERS = frozenset(
    {
        "aol",
        "fastmail",
        "gmail",
        "gmx",
        "googlemail",
        "hey",
        "hotmail",
        "icloud",
        "live",
        "mail",
        "msn",
        "outlook",
        "proton",
        "protonmail",
        "rocketmail",
        "tutanota",
        "yahoo",
        "yandex",
        "ymail",
        "zoho",
    }
)
# Public domains whose name alone is too common a word to refuse under every suffix.
PUBLIC_DOMAINS = frozenset(
    {"me.com", "mac.com", "pm.me", "tuta.io", "fibertel.com.ar", "speedy.com.ar", "arnet.com.ar"}
)
# Second-level suffixes under which the provider's name is one label further left.
_SECOND_LEVEL = frozenset({"com", "co", "net", "org", "gob", "gov", "edu", "ne", "or"})


class PublicDomainError(ValidationError):
    """A public mail provider's domain: anyone can have an address there."""

    code = "public_domain"


def normalise_domain(raw: str) -> str:
    """The domain as kept: lower-case ASCII (IDNA), no "@" in front, no trailing dot.
    ``ValidationError`` (field ``domain``) when it is not a host name with at least two
    labels."""
    text = raw.strip().lower().removeprefix("@").removesuffix(".")
    if not text or len(text) > MAX_DOMAIN:
        raise ValidationError("write the domain as in an address after the @", field="domain")
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValidationError("that is not a domain name", field="domain") from exc
    labels = text.split(".")
    if (
        len(text) > MAX_DOMAIN
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
        or not _TLD.fullmatch(labels[-1])
    ):
        raise ValidationError("that is not a domain name", field="domain")
    return text


def provider_name(domain: str) -> str:
    """The label that names who runs ``domain`` (``yahoo`` in ``mail.yahoo.com.ar``)."""
    labels = domain.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return labels[-3]
    return labels[-2]


def claimable_domain(raw: str) -> str:
    """``normalise_domain``, refusing public mail providers (``PublicDomainError``)."""
    domain = normalise_domain(raw)
    if domain in PUBLIC_DOMAINS or provider_name(domain) in PUBLIC_PROVIDERS:
        raise PublicDomainError(
            "that is a public mail provider: anyone can have an address there", field="domain"
        )
    return domain


def domain_of(email: str) -> str | None:
    """The domain of an email address as ``normalise_domain`` keeps it; None if it has none."""
    _, at, host = email.rpartition("@")
    if not at:
        return None
    try:
        return normalise_domain(host)
    except ValidationError:
        return None


@dataclass(slots=True)
class EmailDomain:
    """A domain claimed by a business. Pending until someone with an address at the domain
    (``verify_address``) opens the emailed link; only then do its Google accounts join the
    business. Only the SHA-256 of the link's token is kept."""

    business_id: str
    domain: str
    verify_address: str
    created_at: datetime
    token_hash: str | None = None
    token_expires_at: datetime | None = None
    verified_at: datetime | None = None
    id: str = field(default_factory=new_id)

    @property
    def verified(self) -> bool:
        return self.verified_at is not None
