"""Use cases: set-password links — the invitation of a new staff member and the "forgot my
password" reset from the login page.

A link is a signed token, not a stored row: it names the user, what it is for and when it
expires, and its HMAC (with the hub's secret key) also covers the user's current password
hash. Setting a password changes that hash, so a link works once; an invitation lasts 72
hours, a reset one hour; a removed user's links stop working. Raw passwords are hashed by
``accounts``; every console session of the user ends when the password is set.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hub.domain.accounts import Role, User
from hub.domain.contacts import normalise_email
from hub.domain.errors import AuthenticationError, ValidationError
from hub.domain.model import require_aware
from hub.services.account_ports import AccountsUnitOfWork
from hub.services.accounts import create_user, hash_password

INVITE_TTL = timedelta(hours=72)
RESET_TTL = timedelta(hours=1)
PURPOSES = {"invite": INVITE_TTL, "reset": RESET_TTL}
MAX_TOKEN = 400


@dataclass(frozen=True, slots=True)
class PasswordLink:
    user: User
    token: str
    purpose: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, payload: str, user: User) -> str:
    material = f"{payload}|{user.password_hash or ''}|{user.active}|{user.email}".encode()
    return _b64(hmac.new(secret.encode(), material, hashlib.sha256).digest())


def _issue(secret: str, user: User, purpose: str, now: datetime) -> PasswordLink:
    expires_at = now + PURPOSES[purpose]
    payload = f"{user.id}|{purpose}|{int(expires_at.timestamp())}"
    token = f"{_b64(payload.encode())}.{_signature(secret, payload, user)}"
    return PasswordLink(user, token, purpose, expires_at)


def invite_staff(
    uow: AccountsUnitOfWork,
    secret: str,
    *,
    business_id: str,
    email: str,
    role: Role,
    now: datetime,
    name: str = "",
    resource_ids: tuple[str, ...] = (),
    known_resources: Sequence[str] | None = None,
) -> PasswordLink:
    """A new staff member without a password, and the link that lets them set one. When
    ``known_resources`` (the business's) is given, the links must be among them."""
    require_aware(now, "now")
    if role is Role.PLATFORM_ADMIN:
        raise ValidationError("a business invites business admins or employees", field="role")
    if known_resources is not None and not set(resource_ids) <= set(known_resources):
        raise ValidationError("every resource must belong to this business", field="resource_ids")
    user = create_user(
        uow,
        business_id=business_id,
        email=email,
        role=role,
        now=now,
        name=name,
        resource_ids=resource_ids,
    )
    return _issue(secret, user, "invite", now)


def reinvite_staff(
    uow: AccountsUnitOfWork, secret: str, business_id: str, user_id: str, now: datetime
) -> PasswordLink:
    """A fresh invitation link for a staff member of the business who has no password yet."""
    with uow:
        user = uow.users.get(user_id)
    if user is None or user.business_id != business_id or not user.active:
        raise ValidationError("no such staff member", field="user")
    if user.password_hash is not None:
        raise ValidationError("they have a password already: use the reset link", field="user")
    return _issue(secret, user, "invite", now)


def request_reset(
    uow: AccountsUnitOfWork, secret: str, email: str, now: datetime
) -> PasswordLink | None:
    """The reset link for the active staff member with ``email``; None for anyone else (the
    caller says the same either way, so the answer does not tell who has an account)."""
    require_aware(now, "now")
    try:
        address = normalise_email(email)
    except ValidationError:
        return None
    with uow:
        user = uow.users.get_by_email(address)
    if user is None or not user.active:
        return None
    return _issue(secret, user, "reset", now)


def check_link(uow: AccountsUnitOfWork, secret: str, token: str, now: datetime) -> PasswordLink:
    """The link behind ``token`` if it is still good; ``AuthenticationError`` otherwise
    (forged, expired, used, or the user removed)."""
    refused = AuthenticationError("this link is not valid any more: ask for a new one")
    encoded, dot, signature = token.partition(".")
    if not dot or len(token) > MAX_TOKEN:
        raise refused
    try:
        payload = _unb64(encoded).decode()
        user_id, purpose, expires = payload.split("|")
        expires_at = datetime.fromtimestamp(int(expires), UTC)
    except (ValueError, UnicodeDecodeError) as exc:
        raise refused from exc
    if purpose not in PURPOSES or now >= expires_at:
        raise refused
    with uow:
        user = uow.users.get(user_id)
    if user is None or not user.active:
        raise refused
    if not hmac.compare_digest(signature, _signature(secret, payload, user)):
        raise refused
    return PasswordLink(user, token, purpose, expires_at)


def set_password_with_link(
    uow: AccountsUnitOfWork, secret: str, token: str, password: str, now: datetime
) -> User:
    """Set the password the link is for (once); ends the user's console sessions."""
    new_hash = hash_password(password)
    link = check_link(uow, secret, token, now)
    with uow:
        user = uow.users.get(link.user.id)
        # Checked again inside the transaction: two tabs with the same link set it once.
        if user is None or user.password_hash != link.user.password_hash:
            raise AuthenticationError("this link is not valid any more: ask for a new one")
        user.password_hash = new_hash
        uow.users.update(user)
        uow.console_sessions.delete_for_user(user.id)
        uow.commit()
    return user
