"""Use cases: signing in with a password (console) or an app password (calendar apps), and
changing or resetting a password.

Every check of a password goes through the sign-in throttle (``login_throttle``) first; the
check runs outside any transaction, and a known email, an unknown one and a removed user cost
the same argon2 verification and get the same error. Changing a password ends every console
session of the user at once. Raw app passwords are returned once and never stored.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from hub.domain.accounts import AppPassword, User
from hub.domain.contacts import normalise_email
from hub.domain.errors import AuthenticationError, NotFoundError, ValidationError
from hub.services.account_ports import AccountsUnitOfWork
from hub.services.login_throttle import LoginThrottle
from hub.services.password_hashing import hash_password, hash_secret, verify_password
from hub.services.plans import require_open
from hub.services.staff_directory import user_of


def set_password(uow: AccountsUnitOfWork, user_id: str, password: str) -> None:
    """Give the user a new password (an operator's reset); ends every console session of
    theirs."""
    password_hash = hash_password(password)
    with uow:
        user = user_of(uow, user_id)
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
        user = user_of(uow, user_id)
    if user.password_hash is not None:
        throttle.check(address, user.email, now)
        if not verify_password(user.password_hash, current):
            throttle.failed(address, user.email, now)
            raise AuthenticationError("the current password is wrong", field="current_password")
        throttle.succeeded(address, user.email, now)
    with uow:
        user = user_of(uow, user_id)
        user.password_hash = password_hash
        uow.users.update(user)
        uow.console_sessions.delete_for_user(user.id)
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
    if user is None or not verify_password(user.password_hash, password):
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
        user_of(uow, user_id)
        uow.app_passwords.add(
            AppPassword(user_id=user_id, label=label, secret_hash=hash_secret(raw), created_at=now)
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
        verify_password(None, password)
    else:
        with uow:
            candidates = uow.app_passwords.list(user.id)
        for candidate in candidates:
            if verify_password(candidate.secret_hash, password):
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
