"""Access tokens of Google connections. Google rate-limits its token endpoint and an access
token lasts an hour, so a connection's current one is kept in its row — sealed like the
refresh token — and reused by every thread and process until shortly before it expires:
one token request an hour per connection, not one per Calendar call. A call answered 401
refreshes once and is sent again (``calendar.calendar_service``).

A refresh holds a per-connection lock in its process and first reads the row again: when
another thread or process refreshed meanwhile, its token is taken instead of asking Google
for one more. (Two processes refreshing at the same moment both get a token that works; the
later one stays in the row.)

Not here: the Calendar client (``calendar``), the OAuth round trip (``oauth``).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import httplib2  # type: ignore[import-untyped]
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import Request as AuthRequest  # type: ignore[import-untyped]

from connectors.google import store
from connectors.google.calendar import TIMEOUT_SECONDS
from connectors.google.tokens import TokenCipher, TokenCipherError
from hub.config import Settings
from hub.persistence.uow import SqlDatabase

# Refreshed this long before Google's expiry (google-auth itself refreshes 3 min 45 s early).
EARLY = timedelta(minutes=5)

_guard = threading.Lock()
_locks: dict[str, threading.Lock] = {}


def _lock(connection_id: str) -> threading.Lock:
    with _guard:
        return _locks.setdefault(connection_id, threading.Lock())


def _naive(at: datetime) -> datetime:
    """google-auth keeps expiries as naive UTC."""
    return at.astimezone(UTC).replace(tzinfo=None)


class AccessTokens:
    """The access tokens of every connection, kept in the database."""

    def __init__(self, database: SqlDatabase, settings: Settings, cipher: TokenCipher) -> None:
        self.database = database
        self.settings = settings
        self.cipher = cipher

    def credentials(self, conn: store.Connection) -> ConnectionCredentials:
        """Credentials acting as ``conn``'s Google account, starting from its kept token."""
        token, expiry = None, None
        if conn.access_token is not None and conn.access_expires_at is not None:
            token, expiry = self._open(conn.access_token), _naive(conn.access_expires_at)
        return ConnectionCredentials(
            self, conn.id, self.cipher.open(conn.refresh_token), token, expiry
        )

    def _open(self, sealed: str) -> str | None:
        try:
            return self.cipher.open(sealed)
        except TokenCipherError:  # sealed with another key: refresh instead
            return None

    def kept(self, connection_id: str) -> tuple[str, datetime] | None:
        """The token in the row and its expiry (naive UTC), if it is still good to use."""
        with self.database.sessions() as session:
            found = store.cached_access_token(session, connection_id)
        if found is None or found[1] - EARLY <= datetime.now(UTC):
            return None
        token = self._open(found[0])
        return None if token is None else (token, _naive(found[1]))

    def keep(self, connection_id: str, token: str, expiry: datetime) -> None:
        with self.database.sessions.begin() as session:
            store.keep_access_token(
                session, connection_id, self.cipher.seal(token), expiry.replace(tzinfo=UTC)
            )


class ConnectionCredentials(Credentials):
    """google-auth user credentials whose refresh goes through ``AccessTokens``."""

    def __init__(
        self,
        tokens: AccessTokens,
        connection_id: str,
        refresh_token: str,
        token: str | None,
        expiry: datetime | None,
    ) -> None:
        s = tokens.settings
        super().__init__(  # type: ignore[no-untyped-call]
            token=token,
            expiry=expiry,
            refresh_token=refresh_token,
            token_uri=s.google_token_uri,
            client_id=s.google_client_id,
            client_secret=s.google_client_secret,
            # No scopes on refresh: Google then gives a token for everything the user
            # granted (checked when they connected).
            scopes=None,
        )
        self._tokens = tokens
        self._connection_id = connection_id

    def refresh(self, request: Any) -> None:
        """A new access token: the one another thread or process just kept, else Google's.
        The refresh goes over a connection of its own, closed afterwards (callers may hand
        a ``request`` whose connection nobody closes)."""
        with _lock(self._connection_id):
            kept = self._tokens.kept(self._connection_id)
            if kept is not None and kept[0] != self.token:
                self.token, self.expiry = kept
                return
            http = httplib2.Http(timeout=TIMEOUT_SECONDS)
            try:
                super().refresh(AuthRequest(http))  # type: ignore[no-untyped-call]
            finally:
                http.close()
            if self.token is not None and self.expiry is not None:
                self._tokens.keep(self._connection_id, self.token, self.expiry)
