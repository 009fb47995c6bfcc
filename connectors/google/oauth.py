"""The OAuth web-server flow with google-auth-oauthlib, for connecting a calendar (offline
access, so Google gives a refresh token) and for "Login with Google" (OpenID Connect): a
random ``state`` kept in the database with the PKCE verifier, checked once on the way back;
the code exchanged at ``Settings.google_token_uri``; the account's email read from the
userinfo endpoint (``TURNERO_GOOGLE_USERINFO_URI``).

Not here: HTTP routes (``web``), what a connection is allowed to do (``store``, ``push``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from google_auth_oauthlib.flow import Flow

from connectors.google import store
from connectors.google.calendar import SCOPES
from connectors.google.models import AuthStateRow
from connectors.google.tokens import TokenCipher
from hub.config import Settings
from hub.persistence.uow import SqlDatabase

DEFAULT_USERINFO_URI = "https://openidconnect.googleapis.com/v1/userinfo"
LOGIN_SCOPES = ("openid", "email")
STATE_TTL = timedelta(minutes=15)
CONNECT = "connect"
LOGIN = "login"
# The redirect URIs to register with Google for this client.
CONNECT_CALLBACK = "/connectors/google/connect/callback"
LOGIN_CALLBACK = "/console/login/google/callback"


class OAuthError(Exception):
    """The round trip cannot be completed (unknown or stale state, refused code)."""


class UnverifiedEmailError(OAuthError):
    """Google did not vouch for the account's email: it cannot identify anyone here."""


@dataclass(frozen=True, slots=True)
class Completed:
    purpose: str
    email: str
    business_id: str | None
    user_id: str | None
    refresh_token: str | None


class GoogleOAuth:
    def __init__(self, database: SqlDatabase, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self.cipher = TokenCipher.from_settings(settings)
        base = settings.base_url.rstrip("/")
        self.redirect = {
            CONNECT: base + CONNECT_CALLBACK,
            LOGIN: base + LOGIN_CALLBACK,
        }

    def _flow(self, purpose: str, verifier: str | None, state: str | None = None) -> Flow:
        s = self.settings
        config = {
            "web": {
                "client_id": s.google_client_id,
                "client_secret": s.google_client_secret,
                "auth_uri": s.google_auth_uri,
                "token_uri": s.google_token_uri,
                "redirect_uris": [self.redirect[purpose]],
            }
        }
        return Flow.from_client_config(
            config,
            scopes=list(SCOPES if purpose == CONNECT else LOGIN_SCOPES),
            redirect_uri=self.redirect[purpose],
            state=state,
            code_verifier=verifier,
            autogenerate_code_verifier=verifier is None,
        )

    def begin(
        self,
        purpose: str,
        now: datetime,
        *,
        business_id: str | None = None,
        user_id: str | None = None,
        login_hint: str | None = None,
    ) -> str:
        """The Google URL to send the browser to."""
        state = secrets.token_urlsafe(32)
        flow = self._flow(purpose, None)
        extra: dict[str, Any] = {"login_hint": login_hint} if login_hint else {}
        if purpose == CONNECT:
            extra.update(access_type="offline", prompt="consent")
        url, _ = flow.authorization_url(state=state, **extra)
        verifier = flow.code_verifier
        assert verifier is not None
        with self.database.sessions.begin() as session:
            store.add_state(
                session,
                AuthStateRow(
                    state=state,
                    purpose=purpose,
                    business_id=business_id,
                    user_id=user_id,
                    code_verifier=verifier,
                    created_at=now,
                ),
            )
        return str(url)

    def complete(self, purpose: str, state: str, code: str, now: datetime) -> Completed:
        """Check ``state`` (once, fresh, same purpose), exchange ``code`` with the PKCE
        verifier, and read who signed in."""
        with self.database.sessions.begin() as session:
            row = store.take_state(session, state, now - STATE_TTL)
        if row is None or row.purpose != purpose:
            raise OAuthError("this sign-in link is unknown or expired; start again")
        flow = self._flow(purpose, row.code_verifier, state)
        try:
            flow.fetch_token(code=code)
            session_http = flow.authorized_session()
            uri = self.settings.extra.get("TURNERO_GOOGLE_USERINFO_URI", DEFAULT_USERINFO_URI)
            with session_http:
                answer = session_http.get(uri, timeout=30)
            info = answer.json() if answer.ok else {}
        except Exception as exc:
            raise OAuthError(f"Google refused the sign-in: {exc}") from exc
        finally:
            flow.oauth2session.close()
        email = str(info.get("email") or "").lower()
        if not email or info.get("email_verified") is not True:
            raise UnverifiedEmailError("Google did not tell a verified email")
        refresh = flow.credentials.refresh_token
        return Completed(purpose, email, row.business_id, row.user_id, refresh)

    def connect(self, done: Completed, resource_ids: list[str], now: datetime) -> store.Connection:
        """Keep the grant of a completed connect flow, its refresh token sealed."""
        if done.refresh_token is None or done.business_id is None or done.user_id is None:
            raise OAuthError("Google gave no offline access; connect again")
        with self.database.sessions.begin() as session:
            return store.save_connection(
                session,
                business_id=done.business_id,
                user_id=done.user_id,
                google_email=done.email,
                resource_ids=resource_ids,
                sealed_refresh_token=self.cipher.seal(done.refresh_token),
                now=now,
            )
