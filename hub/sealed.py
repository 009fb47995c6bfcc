"""Credentials at rest (WhatsApp and payment secrets): sealed with Fernet (AES-128-CBC +
HMAC-SHA256) under ``Settings.encryption_key`` and kept in the business's settings as
``fernet:<token>``; read back only where a provider is called. A value without the prefix
is read as it is (settings written by hand before)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

PREFIX = "fernet:"


class SecretKeyMissingError(Exception):
    """No (usable) encryption key is configured: a secret cannot be stored."""


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
