"""Use cases for staff accounts and API keys: create, authenticate, lock out, revoke.

Passwords and calendar app passwords are argon2-hashed; API keys are long random secrets
kept as SHA-256 (a fast hash is right for high-entropy keys and keeps every API call
cheap), found by their public prefix. Raw secrets are returned once and never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol, Self

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hub.domain.accounts import ApiKey, AppPassword, Role, User
from hub.domain.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    ValidationError,
)

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
API_KEY_PREFIX = "tk_"
_hasher = PasswordHasher()
# Verified against when the email is unknown, so both paths cost one argon2 check.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class UserRepository(Protocol):
    def add(self, user: User) -> None: ...
    def update(self, user: User) -> None: ...
    def get(self, user_id: str) -> User | None: ...
    def get_by_email(self, email: str) -> User | None: ...
    def list(self, business_id: str) -> Sequence[User]: ...
    def search(self, business_id: str, query: str, limit: int) -> Sequence[User]: ...


class ApiKeyRepository(Protocol):
    def add(self, key: ApiKey) -> None: ...
    def update(self, key: ApiKey) -> None: ...
    def get_by_prefix(self, prefix: str) -> ApiKey | None: ...
    def list(self, business_id: str) -> Sequence[ApiKey]: ...


class AppPasswordRepository(Protocol):
    def add(self, password: AppPassword) -> None: ...
    def update(self, password: AppPassword) -> None: ...
    def list(self, user_id: str) -> Sequence[AppPassword]: ...
    def delete(self, user_id: str, password_id: str) -> bool: ...


class AccountsUnitOfWork(Protocol):
    """The part of the unit of work these use cases need."""

    users: UserRepository
    api_keys: ApiKeyRepository
    app_passwords: AppPasswordRepository

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...


def normalise_email(email: str) -> str:
    value = email.strip().lower()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or " " in value or len(value) > 254:
        raise ValidationError(f"{email!r} is not an email address", field="email")
    return value


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
    password_hash = hash_password(password)
    with uow:
        user = _user(uow, user_id)
        user.password_hash = password_hash
        user.failed_logins = 0
        user.locked_until = None
        uow.users.update(user)
        uow.commit()


def authenticate_password(
    uow: AccountsUnitOfWork, email: str, password: str, now: datetime
) -> User:
    """Email + password login, locked for a while after repeated failures."""
    with uow:
        try:
            user = uow.users.get_by_email(normalise_email(email))
        except ValidationError:
            user = None
        if user is not None and user.locked_until is not None and user.locked_until > now:
            raise AuthenticationError("too many failed logins; try again later", locked=True)
        if user is None or not user.active:
            _verify(None, password)
            raise AuthenticationError("wrong email or password")
        if not _verify(user.password_hash, password):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until = now + LOCKOUT
                user.failed_logins = 0
            uow.users.update(user)
            uow.commit()
            raise AuthenticationError("wrong email or password")
        if user.failed_logins or user.locked_until:
            user.failed_logins = 0
            user.locked_until = None
            uow.users.update(user)
            uow.commit()
        return user


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
    uow: AccountsUnitOfWork, email: str, password: str, now: datetime
) -> User:
    with uow:
        try:
            user = uow.users.get_by_email(normalise_email(email))
        except ValidationError:
            user = None
        if user is None or not user.active:
            _verify(None, password)
            raise AuthenticationError("wrong email or app password")
        for candidate in uow.app_passwords.list(user.id):
            if _verify(candidate.secret_hash, password):
                candidate.last_used_at = now
                uow.app_passwords.update(candidate)
                uow.commit()
                return user
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
    raw_key = raw_key.strip()
    prefix, dot, _ = raw_key.partition(".")
    with uow:
        key = uow.api_keys.get_by_prefix(prefix) if dot else None
        if key is None or not hmac.compare_digest(key.secret_hash, _key_hash(raw_key)):
            raise AuthenticationError("invalid API key")
        if not key.active:
            raise AuthenticationError("this API key was revoked")
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
