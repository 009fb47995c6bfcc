"""Console sessions, kept by the server: start one at sign-in, resume it on each page, end
it at sign-out.

The browser holds a random token (32 bytes); the database keeps only its SHA-256, with the
user, an expiry (``LIFETIME`` after sign-in) and when it was last used. A session resumes
only while its row exists, it has not expired and its user is active — so signing out,
changing the password and removing the user (``accounts``) end it on the next request, in
every process. Expired rows are purged whenever someone signs in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from hub.domain.accounts import ConsoleSession, User
from hub.services.account_ports import AccountsUnitOfWork

LIFETIME = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=5)  # last_seen_at is coarse: a page view rarely writes
MAX_TOKEN = 128  # longer cookies are not ours


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(uow: AccountsUnitOfWork, user_id: str, now: datetime) -> str:
    """A new session for ``user_id``; the raw token (for the cookie) is returned once."""
    token = secrets.token_urlsafe(32)
    with uow:
        uow.console_sessions.delete_expired(now)
        uow.console_sessions.add(
            ConsoleSession(
                user_id=user_id,
                token_hash=token_hash(token),
                created_at=now,
                expires_at=now + LIFETIME,
                last_seen_at=now,
            )
        )
        uow.commit()
    return token


def resume_session(uow: AccountsUnitOfWork, token: str, now: datetime) -> User | None:
    """The active user whose live session ``token`` is, or None."""
    if not token or len(token) > MAX_TOKEN:
        return None
    with uow:
        found = uow.console_sessions.get_by_hash(token_hash(token))
        if found is None or found.expires_at <= now:
            return None
        user = uow.users.get(found.user_id)
        if user is None or not user.active:
            return None
        plan = uow.plans.get(user.business_id) if user.business_id is not None else None
        if plan is not None and plan.suspended:
            return None  # signing in again says why
        if now - found.last_seen_at >= TOUCH_EVERY:
            uow.console_sessions.touch(found.id, now)
            uow.commit()
        return user


def end_session(uow: AccountsUnitOfWork, token: str) -> None:
    """Sign-out: the session behind ``token`` ends (nothing happens for an unknown one)."""
    if not token or len(token) > MAX_TOKEN:
        return
    with uow:
        found = uow.console_sessions.get_by_hash(token_hash(token))
        if found is not None:
            uow.console_sessions.delete(found.id)
            uow.commit()
