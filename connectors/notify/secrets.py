"""WhatsApp credentials at rest: the access token, the app secret and the verify token are
kept in the business's settings sealed with Fernet (AES-128-CBC + HMAC-SHA256) under
``Settings.encryption_key``, as the Google tokens are, and read back only where they are
used. A value without the ``fernet:`` prefix is read as it is (settings written before).
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from connectors.notify.errors import DeliveryError

PREFIX = "fernet:"


class SecretKeyMissingError(DeliveryError):
    """No encryption key is configured: a secret cannot be stored."""


def _fernet(key: str | None) -> Fernet:
    if not key:
        raise SecretKeyMissingError("TURNERO_ENCRYPTION_KEY is not set")
    try:
        return Fernet(key.encode())
    except ValueError as exc:
        raise SecretKeyMissingError("the encryption key is not a Fernet key") from exc


def seal(value: str, key: str | None) -> str:
    return PREFIX + _fernet(key).encrypt(value.encode()).decode()


def reveal(value: object, key: str | None) -> str:
    """The plain secret ("" when it cannot be read: no key, another key)."""
    text = str(value or "")
    if not text.startswith(PREFIX):
        return text
    try:
        return _fernet(key).decrypt(text[len(PREFIX) :].encode()).decode()
    except (InvalidToken, SecretKeyMissingError):
        return ""
