"""Tokens at rest (refresh tokens, and the access tokens ``access`` keeps): Fernet
(AES-128-CBC + HMAC-SHA256) keyed by ``Settings.encryption_key``. Nothing here talks to
Google."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from hub.config import Settings


class TokenCipherError(Exception):
    """No key configured, or a stored token that this key cannot open."""


class TokenCipher:
    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.encode())
        except (ValueError, TypeError) as exc:
            raise TokenCipherError("the encryption key is not a Fernet key") from exc

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenCipher:
        if not settings.encryption_key:
            raise TokenCipherError("TURNERO_ENCRYPTION_KEY is not set")
        return cls(settings.encryption_key)

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise TokenCipherError("a stored token could not be decrypted") from exc
