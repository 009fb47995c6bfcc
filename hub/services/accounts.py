"""Use cases for staff accounts and API keys: create, authenticate, change a password,
remove a staff member, revoke.

Passwords and calendar app passwords are argon2-hashed, and every check of one goes through
the sign-in throttle (``login_throttle``) first; the check runs outside any transaction, and
a known email, an unknown one and a removed user cost the same argon2 verification and get
the same error. Changing a password or removing a user ends every console session of theirs
at once (removal also ends their app passwords). API keys are long random secrets kept as
SHA-256 (a fast hash is right for high-entropy keys and keeps every API call cheap), found
by their public prefix. Raw secrets are returned once and never stored. Console sessions
themselves are ``sessions``'s.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hub.domain.accounts import ApiKey, AppPassword, Role, User
from hub.domain.booking import Actor, Channel
from hub.domain.contacts import normalise_email
from hub.domain.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from hub.domain.model import AuditEntry
from hub.services.account_ports import (
    AccountsUnitOfWork,
    ApiKeyRepository,
    AppPasswordRepository,
    ConsoleSessionRepository,
    UserRepository,
)
from hub.services.customers import normalise_phone
from hub.services.login_throttle import LoginThrottle
from hub.services.plans import require_open

__all__ = [
    "AccountsUnitOfWork",
    "ApiKeyRepository",
    "AppPasswordRepository",
    "ConsoleSessionRepository",
    "UserRepository",
]

API_KEY_PREFIX = "tk_"
_hasher = PasswordHasher()
# Verified against when the email is unknown, so both paths cost one argon2 check.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise ValidationError("a password needs at least 8 characters", field="password")
    return _hasher.hash(password)


def _verify(hash_: str | None, password: str) -> bool:
    try:
        return _hasher.verify(hash_ or _DUMMY_HASH, password) and hash_ is not None
    except (VerificationError, InvalidHashError):
        return False


def _user(uow: AccountsUnitOfWork, user_id: str) -> User:
    user = uow.users.get(user_id)
    if user is None:
        raise NotFoundError("no such user", entity="user", id=user_id)
    return user


def create_user(
    uow: AccountsUnitOfWork,
    *,
    business_id: str | None,
    email: str,
    role: Role,
    now: datetime,
    password: str | None = None,
    name: str = "",
    resource_ids: Sequence[str] = (),
) -> User:
    email = normalise_email(email)
    if role is not Role.PLATFORM_ADMIN and business_id is None:
        raise ValidationError("a staff user belongs to a business", field="business")
    password_hash = hash_password(password) if password else None
    with uow:
        if uow.users.get_by_email(email) is not None:
            raise ConflictError(f"{email} is already a user", field="email")
        user = User(
            email=email,
            role=role,
            business_id=business_id,
            name=name or email.split("@")[0],
            password_hash=password_hash,
            resource_ids=tuple(resource_ids),
            created_at=now,
        )
        uow.users.add(user)
        uow.commit()
    return user


def find_user(uow: AccountsUnitOfWork, email: str) -> User:
    with uow:
        user = uow.users.get_by_email(normalise_email(email))
    if user is None:
        raise NotFoundError(f"no user with email {email}", entity="user")
    return user


def list_users(uow: AccountsUnitOfWork, business_id: str) -> Sequence[User]:
    with uow:
        return uow.users.list(business_id)


def set_password(uow: AccountsUnitOfWork, user_id: str, password: str) -> None:
    """Give the user a new password (an operator's reset); ends every console session of
    theirs."""
    password_hash = hash_password(password)
    with uow:
        user = _user(uow, user_id)
        user.password_hash = password_hash
        uow.users.update(user)
        uow.console_sessions.delete_for_user(user.id)
        uow.commit()


def change_password(
    uow: AccountsUnitOfWork,
    user_id: str,
    current: str,
    new: str,
    now: datetime,
    *,
    throttle: LoginThrottle,
    address: str,
) -> User:
    """The user changes their own password, proving the current one (a user who has none —
    Google sign-in only — sets a first one). Every console session of theirs ends, so a
    browser that kept an old session is signed out; the caller starts a new one."""
    password_hash = hash_password(new)
    with uow:
        user = _user(uow, user_id)
    if user.password_hash is not None:
        throttle.check(address, user.email, now)
        if not _verify(user.password_hash, current):
            throttle.failed(address, user.email, now)
            raise AuthenticationError("the current password is wrong", field="current_password")
        throttle.succeeded(address, user.email, now)
    with uow:
        user = _user(uow, user_id)
        user.password_hash = password_hash
        uow.users.update(user)
        uow.console_sessions.delete_for_user(user.id)
        uow.commit()
    return user


def _keeps_an_admin(uow: AccountsUnitOfWork, business_id: str, leaving: User) -> None:
    """Someone must be left to manage the business: its last active admin stays one."""
    if leaving.role is not Role.BUSINESS_ADMIN or not leaving.active:
        return
    admins = [
        u
        for u in uow.users.list(business_id)
        if u.active and u.role is Role.BUSINESS_ADMIN and u.id != leaving.id
    ]
    if not admins:
        raise ConflictError("the business must keep at least one admin", field="role")


def deactivate_user(
    uow: AccountsUnitOfWork,
    business_id: str,
    user_id: str,
    *,
    by: str,
    now: datetime,
    channel: Channel = Channel.CONSOLE,
) -> User:
    """Remove a staff member from the business (by one of its admins or API keys, ``by``):
    they can no longer sign in, their console sessions and calendar app passwords end at
    once. The record stays (bookings and the audit trail name them). Its last admin stays."""
    with uow:
        user = uow.users.get(user_id)
        if user is None or user.business_id != business_id:
            raise NotFoundError("no such user", entity="user", id=user_id)
        if user.id == by:
            raise PermissionDeniedError("you cannot remove yourself")
        _keeps_an_admin(uow, business_id, user)
        user.active = False
        uow.users.update(user)
        uow.console_sessions.delete_for_user(user.id)
        uow.app_passwords.delete_for_user(user.id)
        uow.audit.add(
            AuditEntry(
                business_id=business_id,
                entity="user",
                entity_id=user.id,
                action="deactivated",
                actor=Actor.OPERATOR.value,
                channel=channel.value,
                at=now,
                actor_id=by,
            )
        )
        uow.commit()
    return user


def change_staff(
    uow: AccountsUnitOfWork,
    business_id: str,
    user_id: str,
    *,
    role: Role,
    resource_ids: Sequence[str],
    known_resources: Sequence[str],
    by: str,
    now: datetime,
    channel: Channel = Channel.CONSOLE,
) -> User:
    """Give a staff member of the business another role and the resources they are linked to
    (``known_resources``: the business's, which the links must be among). An admin cannot
    take away their own admin role, nor anyone the business's last one (someone must be
    left to manage the business)."""
    if role is Role.PLATFORM_ADMIN:
        raise ValidationError("a business has business admins and employees", field="role")
    if not set(resource_ids) <= set(known_resources):
        raise ValidationError("every resource must belong to this business", field="resource_ids")
    with uow:
        user = uow.users.get(user_id)
        if user is None or user.business_id != business_id:
            raise NotFoundError("no such user", entity="user", id=user_id)
        if user.id == by and role is not Role.BUSINESS_ADMIN:
            raise PermissionDeniedError("you cannot take away your own admin role")
        if role is not Role.BUSINESS_ADMIN:
            _keeps_an_admin(uow, business_id, user)
        before = (user.role.value, list(user.resource_ids))
        user.role = role
        user.resource_ids = tuple(dict.fromkeys(resource_ids))
        uow.users.update(user)
        uow.audit.add(
            AuditEntry(
                business_id=business_id,
                entity="user",
                entity_id=user.id,
                action="changed",
                actor=Actor.OPERATOR.value,
                channel=channel.value,
                at=now,
                actor_id=by,
                data={"before": before, "after": [role.value, list(user.resource_ids)]},
            )
        )
        uow.commit()
    return user


def _find_login(uow: AccountsUnitOfWork, email: str) -> User | None:
    """The active user signing in as ``email``, read in a transaction of its own."""
    try:
        normalised = normalise_email(email)
    except ValidationError:
        return None
    with uow:
        user = uow.users.get_by_email(normalised)
    return user if user is not None and user.active else None


def authenticate_password(
    uow: AccountsUnitOfWork,
    email: str,
    password: str,
    now: datetime,
    *,
    throttle: LoginThrottle,
    address: str,
) -> User:
    """Email + password sign-in from ``address``. Throttled (``TooManyAttemptsError``)
    before the password is checked; otherwise a wrong password, an unknown email, a
    removed user and a user without a password all get the same ``AuthenticationError``
    after the same work."""
    throttle.check(address, email, now)
    user = _find_login(uow, email)
    if user is None or not _verify(user.password_hash, password):
        throttle.failed(address, email, now)
        raise AuthenticationError("wrong email or password")
    throttle.succeeded(address, email, now)
    _require_open(uow, user)
    return user


def _require_open(uow: AccountsUnitOfWork, user: User) -> None:
    """Staff of a suspended business are told so, once their password proved who they
    are (``BusinessSuspendedError``)."""
    with uow:
        require_open(uow.plans, user.business_id)


def create_app_password(
    uow: AccountsUnitOfWork, user_id: str, now: datetime, label: str = "calendar app"
) -> str:
    """A new calendar-app password for the user; the raw value is returned once."""
    raw = "-".join(secrets.token_hex(3) for _ in range(4))
    with uow:
        _user(uow, user_id)
        uow.app_passwords.add(
            AppPassword(user_id=user_id, label=label, secret_hash=_hasher.hash(raw), created_at=now)
        )
        uow.commit()
    return raw


def list_app_passwords(uow: AccountsUnitOfWork, user_id: str) -> Sequence[AppPassword]:
    with uow:
        return uow.app_passwords.list(user_id)


def authenticate_app_password(
    uow: AccountsUnitOfWork,
    email: str,
    password: str,
    now: datetime,
    *,
    throttle: LoginThrottle,
    address: str,
) -> User:
    """A calendar app signing in with email + app password, throttled like the console."""
    throttle.check(address, email, now)
    user = _find_login(uow, email)
    if user is None:
        _verify(None, password)
    else:
        with uow:
            candidates = uow.app_passwords.list(user.id)
        for candidate in candidates:
            if _verify(candidate.secret_hash, password):
                throttle.succeeded(address, email, now)
                _require_open(uow, user)
                with uow:
                    candidate.last_used_at = now
                    uow.app_passwords.update(candidate)
                    uow.commit()
                return user
    throttle.failed(address, email, now)
    raise AuthenticationError("wrong email or app password")


def revoke_app_password(uow: AccountsUnitOfWork, user_id: str, password_id: str) -> None:
    with uow:
        if not uow.app_passwords.delete(user_id, password_id):
            raise NotFoundError("no such app password", entity="app_password", id=password_id)
        uow.commit()


def _key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_key(
    uow: AccountsUnitOfWork, business_id: str, name: str, now: datetime
) -> tuple[ApiKey, str]:
    """A new API key for the business; the raw key is returned once."""
    if not name.strip():
        raise ValidationError("an API key needs a name", field="name")
    prefix = API_KEY_PREFIX + secrets.token_hex(6)
    raw = f"{prefix}.{secrets.token_urlsafe(32)}"
    key = ApiKey(
        business_id=business_id,
        name=name.strip(),
        prefix=prefix,
        secret_hash=_key_hash(raw),
        created_at=now,
    )
    with uow:
        uow.api_keys.add(key)
        uow.commit()
    return key, raw


def authenticate_api_key(uow: AccountsUnitOfWork, raw_key: str, now: datetime) -> ApiKey:
    """No throttle here, on purpose: a key's secret part is 32 random bytes (256 bits), so
    guessing is hopeless at any rate, and a throttle would only add a write to every call.
    The answer is the same for an unknown prefix and a wrong secret, after the same work."""
    raw_key = raw_key.strip()
    prefix, dot, _ = raw_key.partition(".")
    presented = _key_hash(raw_key)
    with uow:
        key = uow.api_keys.get_by_prefix(prefix) if dot else None
        if key is None or not hmac.compare_digest(key.secret_hash, presented):
            raise AuthenticationError("invalid API key")
        if not key.active:
            raise AuthenticationError("this API key was revoked")
        require_open(uow.plans, key.business_id)
        if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=5):
            key.last_used_at = now  # coarse, so that reads do not write on every call
            uow.api_keys.update(key)
            uow.commit()
        return key


def list_api_keys(uow: AccountsUnitOfWork, business_id: str) -> Sequence[ApiKey]:
    with uow:
        return uow.api_keys.list(business_id)


def revoke_api_key(uow: AccountsUnitOfWork, business_id: str, key_id: str, now: datetime) -> ApiKey:
    with uow:
        for key in uow.api_keys.list(business_id):
            if key.id == key_id:
                key.revoked_at = key.revoked_at or now
                uow.api_keys.update(key)
                uow.commit()
                return key
    raise NotFoundError("no such API key", entity="api_key", id=key_id)


def search_staff(
    uow: AccountsUnitOfWork, business_id: str, query: str, limit: int = 20
) -> Sequence[User]:
    with uow:
        return uow.users.search(business_id, query, limit)


def staff_member(uow: AccountsUnitOfWork, business_id: str, ref: str, field: str) -> User:
    """The active staff member of ``business_id`` whose id or email is ``ref`` (a booking
    made on their behalf names them). Anyone else, another business's staff included, is a
    ``ValidationError`` on ``field``: the caller learns nothing about other businesses."""
    ref = ref.strip()
    with uow:
        user = uow.users.get(ref) or uow.users.get_by_email(ref.lower())
    if user is None or user.business_id != business_id or not user.active:
        raise ValidationError("no such staff member in this business", field=field)
    return user


def set_own_phone(uow: AccountsUnitOfWork, user_id: str, raw: str, country: str | None) -> User:
    """The staff member's WhatsApp number (E.164, read with the business's ``country``),
    where they hear about the bookings they organise; blank removes it."""
    phone = normalise_phone(raw, country) if raw.strip() else None
    with uow:
        user = _user(uow, user_id)
        user.phone = phone
        uow.users.update(user)
        uow.commit()
    return user
