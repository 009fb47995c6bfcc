"""The OAuth web-server flow with google-auth-oauthlib, for connecting a calendar (offline
access, so Google gives a refresh token) and for "Login with Google" (OpenID Connect).

Each round trip is a random ``state`` kept in the database with its PKCE verifier and the
hash of a key that only the starting browser holds (``browser``): the answer is accepted
once, within ``STATE_TTL``, for the same purpose, and only from that browser — so nobody can
finish a round trip they started in someone else's browser (signing a victim into the
attacker's account, or linking the victim's calendar to the attacker's staff account).
Stale states are purged whenever a round trip starts.

The code is exchanged at ``Settings.google_token_uri``; what Google granted is read from its
answer (the user may untick calendar access); the account's email comes from the userinfo
endpoint (``TURNERO_GOOGLE_USERINFO_URI``).

Not here: HTTP routes and the cookie (``web``, ``browser``), what a connection is allowed to
do (``store``, ``push``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from google_auth_oauthlib.flow import Flow

from connectors.google import store
from connectors.google.calendar import CALENDAR_SCOPE, EMAIL_SCOPE, SCOPES
from connectors.google.models import AuthStateRow
from connectors.google.tokens import TokenCipher
from hub.config import Settings
from hub.persistence.uow import SqlDatabase

DEFAULT_USERINFO_URI = "https://openidconnect.googleapis.com/v1/userinfo"
LOGIN_SCOPES = ("openid", EMAIL_SCOPE)
STATE_TTL = timedelta(minutes=15)
# What ``begin`` makes (``secrets.token_urlsafe(32)``); anything else is not ours, and is
# refused before it reaches the database.
STATE_FORM = re.compile(r"[A-Za-z0-9_-]{43}")
CONNECT = "connect"
LOGIN = "login"
# The redirect URIs to register with Google for this client.
CONNECT_CALLBACK = "/connectors/google/connect/callback"
LOGIN_CALLBACK = "/console/login/google/callback"


class OAuthError(Exception):
    """The round trip cannot be completed; ``code`` says why, for the page that explains it:
    ``expired`` (unknown, used or stale state), ``other_browser`` (started in another
    browser), ``refused`` (Google said no), ``no_offline``, ``gone`` (the staff user left)."""

    code = "refused"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class UnverifiedEmailError(OAuthError):
    """Google did not vouch for the account's email: it cannot identify anyone here."""

    code = "unverified"


class CalendarNotGrantedError(OAuthError):
    """The user signed in but left calendar access unticked on Google's consent screen."""

    code = "no_calendar"


@dataclass(frozen=True, slots=True)
class Completed:
    purpose: str
    email: str
    business_id: str | None
    user_id: str | None
    refresh_token: str | None
    granted: frozenset[str] = frozenset()
    access_token: str | None = None
    access_expires_at: datetime | None = None


def browser_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def authorization_origin(settings: Settings) -> str | None:
    """The origin of Google's authorization endpoint (where the connect form's redirect
    goes), as a CSP source; None if it is not a plain http(s) origin."""
    parts = urlsplit(settings.google_auth_uri)
    host = parts.netloc
    if parts.scheme not in ("http", "https") or not host:
        return None
    if not all(c.isalnum() or c in ".-:[]" for c in host):
        return None
    return f"{parts.scheme}://{host}"


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

    def _flow(
        self,
        purpose: str,
        verifier: str | None,
        state: str | None = None,
        *,
        scopes: list[str] | None,
    ) -> Flow:
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
            scopes=scopes,
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
        browser: str,
        business_id: str | None = None,
        user_id: str | None = None,
        login_hint: str | None = None,
    ) -> str:
        """The Google URL to send the browser to. ``browser``: the key the starting browser
        keeps in its cookie (``browser.key_for``); only its hash is stored."""
        state = secrets.token_urlsafe(32)
        wanted = list(SCOPES if purpose == CONNECT else LOGIN_SCOPES)
        flow = self._flow(purpose, None, scopes=wanted)
        extra: dict[str, Any] = {"login_hint": login_hint} if login_hint else {}
        if purpose == CONNECT:
            # A refresh token every time (Google gives one only on a consent it showed).
            extra.update(access_type="offline", prompt="consent")
        else:
            extra.update(access_type="online")  # signing in needs no refresh token
        url, _ = flow.authorization_url(state=state, **extra)
        verifier = flow.code_verifier
        assert verifier is not None
        with self.database.sessions.begin() as session:
            store.purge_states(session, now - STATE_TTL)
            store.add_state(
                session,
                AuthStateRow(
                    state=state,
                    purpose=purpose,
                    business_id=business_id,
                    user_id=user_id,
                    code_verifier=verifier,
                    browser_hash=browser_hash(browser),
                    created_at=now,
                ),
            )
        return str(url)

    def abandon(self, state: str, now: datetime) -> None:
        """Google sent the browser back without a code (the user said no): the state is
        used up."""
        if STATE_FORM.fullmatch(state):
            with self.database.sessions.begin() as session:
                store.take_state(session, state, now - STATE_TTL)

    def _take(self, purpose: str, state: str, now: datetime, browser: str | None) -> AuthStateRow:
        row = None
        if STATE_FORM.fullmatch(state):
            with self.database.sessions.begin() as session:
                row = store.take_state(session, state, now - STATE_TTL)
        if row is None or row.purpose != purpose:
            raise OAuthError("this sign-in link is unknown or expired; start again", "expired")
        if browser is None or not hmac.compare_digest(
            browser_hash(browser).encode(), row.browser_hash.encode()
        ):
            raise OAuthError(
                "this sign-in was started in another browser; start again here", "other_browser"
            )
        return row

    def complete(
        self, purpose: str, state: str, code: str, now: datetime, *, browser: str | None
    ) -> Completed:
        """Check ``state`` (once, fresh, same purpose, same browser), exchange ``code`` with
        the PKCE verifier, and read what was granted and who signed in."""
        row = self._take(purpose, state, now, browser)
        # No scopes on this flow: Google answers with the scopes it granted, named its own
        # way and maybe fewer than asked (granular consent), and oauthlib would refuse any
        # difference ("Scope has changed"). What was granted is checked below instead.
        flow = self._flow(purpose, row.code_verifier, state, scopes=None)
        try:
            token = flow.fetch_token(code=code)
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
        # RFC 6749 §5.1: no "scope" in the answer means everything asked was granted.
        granted = token.get("scope") or (SCOPES if purpose == CONNECT else LOGIN_SCOPES)
        scopes = frozenset(granted.split() if isinstance(granted, str) else granted)
        expires_at = token.get("expires_at")
        return Completed(
            purpose,
            email,
            row.business_id,
            row.user_id,
            flow.credentials.refresh_token,
            scopes,
            token.get("access_token"),
            datetime.fromtimestamp(float(expires_at), UTC) if expires_at else None,
        )

    def connect(self, done: Completed, resource_ids: list[str], now: datetime) -> store.Connection:
        """Keep the grant of a completed connect flow, its tokens sealed. Refused when the
        user did not grant calendar access (nothing is kept then: an earlier connection of
        theirs stays as it was)."""
        if CALENDAR_SCOPE not in done.granted:
            raise CalendarNotGrantedError("Google gave no access to the calendar; connect again")
        if done.refresh_token is None or done.business_id is None or done.user_id is None:
            raise OAuthError("Google gave no offline access; connect again", "no_offline")
        access = done.access_token
        with self.database.sessions.begin() as session:
            return store.save_connection(
                session,
                business_id=done.business_id,
                user_id=done.user_id,
                google_email=done.email,
                resource_ids=resource_ids,
                sealed_refresh_token=self.cipher.seal(done.refresh_token),
                now=now,
                sealed_access_token=None if access is None else self.cipher.seal(access),
                access_expires_at=done.access_expires_at,
            )
