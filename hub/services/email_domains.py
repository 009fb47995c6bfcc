"""Use cases: email domains a business claims, and "Login with Google" finding or creating
the staff member by them.

Claiming proves control of the domain: the hub emails a link to an address AT the domain
that the admin names, and the claim is verified when that link is opened (once, within
``VERIFY_TTL``; only the token's SHA-256 is kept; sending it again replaces the old one).
The admin's own address is not taken as proof even when it is on the domain: an admin's
account can be created with a typed password and its address never confirmed, so every
claim goes through the link (the console offers the admin's address when it fits).

A domain may be pending at several businesses but verified at one only; a claim of one that
another business verified is a ``DomainTakenError`` (409) that names nobody. Public mail
providers and malformed names are refused (``hub.domain.email_domains``). Unclaiming stops
new sign-ins; staff who joined through the domain stay until an admin removes them.

A Google sign-in whose email Google verified finds its staff member by email; failing that,
when the email's exact domain is verified by a business, it creates an employee there (no
resources linked; ``joined_via`` says how they came). Anything else signs nobody in, and a
suspended business refuses its staff either way.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.domain.accounts import JOINED_VIA_GOOGLE_DOMAIN, Role, User
from hub.domain.booking import Actor, Channel
from hub.domain.contacts import normalise_email
from hub.domain.email_domains import EmailDomain, claimable_domain, domain_of, normalise_domain
from hub.domain.errors import AuthenticationError, ConflictError, NotFoundError, ValidationError
from hub.domain.model import AuditEntry
from hub.services.account_ports import AccountsUnitOfWork
from hub.services.plans import require_open

VERIFY_TTL = timedelta(hours=48)
MAX_TOKEN = 100


class DomainTakenError(ConflictError):
    """Another business verified this domain (which one is not said)."""

    code = "domain_taken"


@dataclass(frozen=True, slots=True)
class DomainVerification:
    """A claim and the raw token of its verification link, to be emailed to
    ``claim.verify_address`` (never shown on a page nor stored); ``token`` is None when the
    claim was verified already and nothing needs sending."""

    claim: EmailDomain
    token: str | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _audit(
    uow: AccountsUnitOfWork,
    claim: EmailDomain,
    action: str,
    now: datetime,
    *,
    by: str | None,
    channel: Channel,
) -> None:
    uow.audit.add(
        AuditEntry(
            business_id=claim.business_id,
            entity="email_domain",
            entity_id=claim.id,
            action=action,
            actor=Actor.OPERATOR.value,
            channel=channel.value,
            at=now,
            actor_id=by,
            data={"domain": claim.domain, "address": claim.verify_address},
        )
    )


def _refuse_taken(uow: AccountsUnitOfWork, business_id: str, domain: str) -> None:
    owner = uow.email_domains.verified_owner(domain)
    if owner is not None and owner.business_id != business_id:
        raise DomainTakenError("another business already verified this domain", field="domain")


def _new_link(claim: EmailDomain, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    claim.token_hash = _hash(token)
    claim.token_expires_at = now + VERIFY_TTL
    return token


def claim_domain(
    uow: AccountsUnitOfWork,
    business_id: str,
    domain: str,
    address: str,
    *,
    by: str | None,
    now: datetime,
    channel: Channel = Channel.CONSOLE,
) -> DomainVerification:
    """Claim ``domain`` for the business and issue the link that verifies it, to be emailed
    to ``address`` (which must be at that very domain). Claiming it again while pending
    issues a new link (to the new address); a claim already verified is returned as is."""
    wanted = claimable_domain(domain)
    mailbox = normalise_email(address, field="address")
    if domain_of(mailbox) != wanted:
        raise ValidationError(f"the address must be at {wanted}", field="address")
    with uow:
        _refuse_taken(uow, business_id, wanted)
        claim = uow.email_domains.get(business_id, wanted)
        if claim is not None and claim.verified:
            return DomainVerification(claim, None)
        if claim is None:
            claim = EmailDomain(business_id, wanted, mailbox, created_at=now)
            token = _new_link(claim, now)
            uow.email_domains.add(claim)
            _audit(uow, claim, "claimed", now, by=by, channel=channel)
        else:
            claim.verify_address = mailbox
            token = _new_link(claim, now)
            uow.email_domains.update(claim)
            _audit(uow, claim, "link_sent", now, by=by, channel=channel)
        uow.commit()
    return DomainVerification(claim, token)


def resend_verification(
    uow: AccountsUnitOfWork,
    business_id: str,
    domain: str,
    *,
    by: str | None,
    now: datetime,
    channel: Channel = Channel.CONSOLE,
) -> DomainVerification:
    """A new link for a pending claim, to the address it was sent to before (the old link
    stops working)."""
    return claim_domain(
        uow,
        business_id,
        domain,
        _claim_of(uow, business_id, domain).verify_address,
        by=by,
        now=now,
        channel=channel,
    )


def _claim_of(uow: AccountsUnitOfWork, business_id: str, domain: str) -> EmailDomain:
    try:
        wanted = normalise_domain(domain)
    except ValidationError as exc:
        raise NotFoundError("no such domain", entity="email_domain") from exc
    with uow:
        claim = uow.email_domains.get(business_id, wanted)
    if claim is None:
        raise NotFoundError("no such domain", entity="email_domain")
    return claim


def verify_domain(uow: AccountsUnitOfWork, token: str, now: datetime) -> EmailDomain:
    """Open the verification link: the claim behind ``token`` becomes verified. The link
    works once and until it expires (``AuthenticationError`` otherwise); a domain another
    business verified meanwhile stays theirs (``DomainTakenError``)."""
    refused = AuthenticationError("this link is not valid any more: ask for a new one")
    if not token or len(token) > MAX_TOKEN:
        raise refused
    with uow:
        claim = uow.email_domains.get_by_token_hash(_hash(token))
        if claim is None or claim.token_expires_at is None or now >= claim.token_expires_at:
            raise refused
        _refuse_taken(uow, claim.business_id, claim.domain)
        claim.verified_at = now
        claim.token_hash = None
        claim.token_expires_at = None
        uow.email_domains.update(claim)
        # Whoever holds the mailbox opened the link: no account of ours, so no actor id.
        _audit(uow, claim, "verified", now, by=None, channel=Channel.CONSOLE)
        uow.commit()
    return claim


def unclaim_domain(
    uow: AccountsUnitOfWork,
    business_id: str,
    domain: str,
    *,
    by: str | None,
    now: datetime,
    channel: Channel = Channel.CONSOLE,
) -> EmailDomain:
    """Give the domain up (pending or verified): its Google accounts no longer join."""
    claim = _claim_of(uow, business_id, domain)
    with uow:
        uow.email_domains.delete(claim.id)
        _audit(uow, claim, "unclaimed", now, by=by, channel=channel)
        uow.commit()
    return claim


def list_domains(uow: AccountsUnitOfWork, business_id: str) -> Sequence[EmailDomain]:
    with uow:
        return uow.email_domains.list(business_id)


def verified_domains(uow: AccountsUnitOfWork) -> Mapping[str, list[str]]:
    """Every business's verified domains, by business id (the platform console lists them)."""
    found: dict[str, list[str]] = {}
    with uow:
        for claim in uow.email_domains.list():
            if claim.verified:
                found.setdefault(claim.business_id, []).append(claim.domain)
    return found


def sign_in_with_google(
    uow: AccountsUnitOfWork, email: str, *, email_verified: bool, now: datetime
) -> User | None:
    """The staff member a Google sign-in as ``email`` is, created as an employee on first
    sign-in when the email's domain is verified by a business. None when nobody fits (an
    email Google did not verify, an unknown address off any claimed domain, a removed user,
    a platform admin); ``BusinessSuspendedError`` when their business is suspended."""
    if not email_verified:
        return None
    try:
        address = normalise_email(email)
    except ValidationError:
        return None
    with uow:
        user = uow.users.get_by_email(address)
        if user is not None:
            if not user.active or user.business_id is None or user.role is Role.PLATFORM_ADMIN:
                return None
            require_open(uow.plans, user.business_id)
            return user
        domain = domain_of(address)
        claim = None if domain is None else uow.email_domains.verified_owner(domain)
        if claim is None:
            return None
        require_open(uow.plans, claim.business_id)
        user = User(
            email=address,
            role=Role.EMPLOYEE,
            business_id=claim.business_id,
            name=address.split("@")[0],
            created_at=now,
            joined_via=JOINED_VIA_GOOGLE_DOMAIN,
        )
        uow.users.add(user)
        uow.audit.add(
            AuditEntry(
                business_id=claim.business_id,
                entity="user",
                entity_id=user.id,
                action="joined",
                actor=Actor.SYSTEM.value,
                channel=Channel.GOOGLE.value,
                at=now,
                data={"via": JOINED_VIA_GOOGLE_DOMAIN, "domain": claim.domain},
            )
        )
        try:
            uow.commit()
        except ConflictError:
            pass  # the same person's other tab created them a moment ago
        else:
            return user
    with uow:
        again = uow.users.get_by_email(address)
    return again if again is not None and again.active else None
