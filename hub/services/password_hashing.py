"""Hashing of staff passwords and calendar app passwords (argon2), and their check.

A check against no hash costs the same argon2 work as a real one, so an unknown account
answers as slowly as a known one. Who may sign in, and the throttle, are ``sign_in``'s.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hub.domain.errors import ValidationError

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both paths cost one argon2 check.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise ValidationError("a password needs at least 8 characters", field="password")
    return _hasher.hash(password)


def hash_secret(raw: str) -> str:
    """An argon2 hash of a generated secret (no length rule: the hub made it)."""
    return _hasher.hash(raw)


def verify_password(hash_: str | None, password: str) -> bool:
    try:
        return _hasher.verify(hash_ or _DUMMY_HASH, password) and hash_ is not None
    except (VerificationError, InvalidHashError):
        return False
