"""``FakeGoogleAccounts``: the part of the fake Google that signs people in and hands out
tokens — the authorization endpoint (at once, or a consent page a browser clicks through),
the token endpoint, userinfo and revocation — written from Google's public documentation,
not from what our connector sends. Each behaviour cites the section it follows:

- [web-server] "Using OAuth 2.0 for Web Server Applications",
  developers.google.com/identity/protocols/oauth2/web-server
- [granular] "How to handle granular permissions",
  developers.google.com/identity/protocols/oauth2/resources/granular-permissions
- [scopes] "OAuth 2.0 Scopes for Google APIs",
  developers.google.com/identity/protocols/oauth2/scopes
- [oidc] "OpenID Connect", developers.google.com/identity/openid-connect/openid-connect
- [errors] Calendar API "Handle API errors", developers.google.com/calendar/api/guides/errors

``FakeGoogle`` (``fake``) adds the Calendar API on the same server.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import parse_qs, urlencode

Json = dict[str, Any]
Answer = tuple[int, Json | None, Json | None]

OPENID = "openid"
USERINFO_EMAIL = "https://www.googleapis.com/auth/userinfo.email"
USERINFO_PROFILE = "https://www.googleapis.com/auth/userinfo.profile"
CALENDAR = "https://www.googleapis.com/auth/calendar"
CALENDAR_READONLY = "https://www.googleapis.com/auth/calendar.readonly"
# [scopes] "Google OAuth2 API, v2": ``email`` and ``profile`` are the short names of the
# userinfo scopes, and the token endpoint answers with the long ones (what oauthlib then
# compares against what was asked: google-api-python-client PR #1088 shows the same answer).
LONG_FORMS = {"email": USERINFO_EMAIL, "profile": USERINFO_PROFILE}
# [granular] "Sign-In scopes" (email, profile, openid) are consented to first, as a whole;
# every other scope gets a checkbox the user may leave unticked.
SIGN_IN = frozenset({OPENID, USERINFO_EMAIL, USERINFO_PROFILE})
KNOWN = SIGN_IN | {CALENDAR, CALENDAR_READONLY}
DESCRIPTIONS = {
    CALENDAR: "See, edit, share, and permanently delete all the calendars you can access "
    "using Google Calendar",
    CALENDAR_READONLY: "See and download any calendar you can access using your Google Calendar",
}
ACCESS_LIFETIME = 3599  # [web-server] Step 5: "expires_in", about an hour


@dataclass
class Grant:
    """What one refresh token stands for: whose account, and the scopes it was given."""

    email: str
    scopes: frozenset[str]


@dataclass
class AccessToken:
    email: str
    scopes: frozenset[str]
    expires_at: float  # time.time()


def long_scopes(scope: str) -> frozenset[str]:
    return frozenset(LONG_FORMS.get(s, s) for s in scope.split())


def scope_text(scopes: frozenset[str]) -> str:
    """Granted scopes as the token endpoint writes them: space-delimited, long forms, in an
    order of Google's choosing (not the order asked)."""
    return " ".join(sorted(scopes, key=lambda s: (s != OPENID, s)))


class FakeGoogleAccounts:
    """State and handlers of Google's OAuth endpoints; the server lives in ``FakeGoogle``.

    What a test sets: ``consent`` (``"auto"``: the browser comes straight back, as the
    account in ``login_hint`` or ``account``; ``"form"``: a consent page to click through),
    ``untick`` (scopes the user leaves unticked on the automatic consent), ``unverified``
    (accounts whose email Google has not verified), ``access_lifetime``.
    What it reads: ``token_grants`` (the ``grant_type`` of every token request, in order),
    ``token_answers`` (what the token endpoint answered), ``refresh_tokens``.
    """

    client_id: str
    client_secret: str
    lock: threading.RLock
    calendars: dict[str, dict[str, Json]]
    calendar_list: dict[str, list[Json]]

    def _init_accounts(self) -> None:
        self.consent = "auto"
        self.account = "staff@example.com"
        self.untick: set[str] = set()
        self.unverified: set[str] = set()
        self.access_lifetime = ACCESS_LIFETIME
        self.refuse_access_tokens = False  # every API call answers 401, fresh token or not
        self.refresh_tokens: dict[str, Grant] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.codes: dict[str, Json] = {}
        self.consented: set[str] = set()  # accounts that granted this client offline access
        self.revoked: list[str] = []
        self.token_grants: list[str] = []
        self.token_answers: list[Json] = []

    # -- what a test does as the user ----------------------------------------------------

    def grant(self, email: str, scopes: frozenset[str] = SIGN_IN | {CALENDAR}) -> str:
        """A refresh token for ``email``, as if they had consented earlier."""
        token = "1//rt-" + secrets.token_urlsafe(12)
        with self.lock:
            self.refresh_tokens[token] = Grant(email, scopes)
            self.consented.add(email)
            self._open_account(email)
        return token

    def _open_account(self, email: str) -> None:
        self.calendars.setdefault(email, {})
        self.calendar_list.setdefault(
            email, [{"id": email, "summary": email, "primary": True, "accessRole": "owner"}]
        )

    def revoke(self, email: str) -> None:
        """The user removes the app from their Google account: every token of theirs dies."""
        with self.lock:
            for token in [t for t, g in self.refresh_tokens.items() if g.email == email]:
                del self.refresh_tokens[token]
            for token in [t for t, a in self.access_tokens.items() if a.email == email]:
                del self.access_tokens[token]
            self.consented.discard(email)

    def expire_access_tokens(self) -> None:
        """An hour goes by at Google: every access token handed out so far is refused."""
        with self.lock:
            for token in self.access_tokens.values():
                token.expires_at = 0.0

    @property
    def token_requests(self) -> int:
        return len(self.token_grants)

    # -- who is calling ------------------------------------------------------------------

    def caller(self, authorization: str | None) -> AccessToken | None:
        """The live access token in an ``Authorization: Bearer`` header. [errors] "401:
        Invalid Credentials": "The access token you're using is either expired or invalid"."""
        found = self.access_tokens.get((authorization or "").removeprefix("Bearer "))
        if found is None or found.expires_at <= time.time() or self.refuse_access_tokens:
            return None
        return found

    def owner(self, authorization: str | None) -> str | None:
        """Whose token this is, live or not (to say whose batch came)."""
        found = self.access_tokens.get((authorization or "").removeprefix("Bearer "))
        return None if found is None else found.email

    def userinfo(self, token: AccessToken) -> Answer:
        # [oidc] "Obtaining user profile information": the email claims come only with the
        # email scope.
        answer: Json = {"sub": "sub-" + token.email}
        if USERINFO_EMAIL in token.scopes:
            answer["email"] = token.email
            answer["email_verified"] = token.email not in self.unverified
        return 200, answer, None

    # -- the authorization endpoint ------------------------------------------------------

    def authorize(self, method: str, query: dict[str, str], raw: bytes) -> tuple[int, Json, bytes]:
        """``GET /auth`` (the browser arrives) and ``POST /auth`` (the consent page's form).
        Answers ``(status, headers, body)``."""
        if method == "POST":
            form = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
            ticked = frozenset(parse_qs(raw.decode()).get("grant", []))
            return self._decide(form, form.get("email", ""), ticked, form.get("decision"))
        problem = self._check_request(query)
        if problem is not None:
            return _page(400, "Error 400: " + problem, f"<p>{escape(problem)}</p>")
        if self.consent == "form":
            return self._consent_page(query)
        requested = long_scopes(query.get("scope", ""))
        ticked = requested - SIGN_IN - self.untick
        return self._decide(query, query.get("login_hint") or self.account, ticked, "allow")

    def _check_request(self, query: dict[str, str]) -> str | None:
        # [web-server] Step 2 "Redirect to Google's OAuth 2.0 server": the errors Google
        # shows the user instead of redirecting.
        if query.get("client_id") != self.client_id:
            return "invalid_client"
        if query.get("response_type") != "code":
            return "unsupported_response_type"
        if not query.get("redirect_uri"):
            return "redirect_uri_mismatch"
        if not long_scopes(query.get("scope", "")) <= KNOWN:
            return "invalid_scope"
        return None

    def _consent_page(self, query: dict[str, str]) -> tuple[int, Json, bytes]:
        """[granular]: the account and its basic profile first, then one checkbox per
        non-Sign-In scope, unticked until the user ticks it."""
        requested = long_scopes(query.get("scope", ""))
        hidden = "".join(
            f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
            for k, v in query.items()
        )
        boxes = "".join(
            f'<p><label><input type="checkbox" name="grant" value="{escape(s)}"> '
            f"{escape(DESCRIPTIONS.get(s, s))}</label></p>"
            for s in sorted(requested - SIGN_IN)
        )
        email = escape(query.get("login_hint", ""))
        body = (
            f'<form method="post" action="/auth">{hidden}'
            f'<p><label>Email <input name="email" type="email" value="{email}"></label></p>'
            "<p>Turnero wants to access your Google Account: your name, profile picture and "
            "email address.</p>"
            f"{boxes}"
            '<button type="submit" name="decision" value="allow">Continue</button> '
            '<button type="submit" name="decision" value="deny">Cancel</button></form>'
        )
        return _page(200, "Sign in with Google", body)

    def _decide(
        self, request: dict[str, str], email: str, ticked: frozenset[str], decision: str | None
    ) -> tuple[int, Json, bytes]:
        problem = self._check_request(request)
        if problem is not None:
            return _page(400, "Error 400: " + problem, f"<p>{escape(problem)}</p>")
        back = request["redirect_uri"]
        state = request.get("state", "")
        if decision != "allow" or not email:
            # [web-server] Step 4 "Handle the OAuth 2.0 server response": a refusal comes
            # back as ``error=access_denied`` (with the state).
            return (
                302,
                {"Location": back + "?" + urlencode({"error": "access_denied", "state": state})},
                b"",
            )
        requested = long_scopes(request.get("scope", ""))
        granted = (requested & SIGN_IN) | (requested & ticked)
        code = "4/code-" + secrets.token_urlsafe(12)
        self.codes[code] = {
            "email": email.strip().lower(),
            "challenge": request.get("code_challenge"),
            "method": request.get("code_challenge_method"),
            "redirect_uri": back,
            "client_id": request.get("client_id"),
            "scopes": frozenset(granted),
            "offline": request.get("access_type") == "offline",
            "prompt": request.get("prompt", ""),
        }
        target = (
            back + "?" + urlencode({"code": code, "state": state, "scope": scope_text(granted)})
        )
        return 302, {"Location": target}, b""

    # -- the token endpoint --------------------------------------------------------------

    def token(self, form: dict[str, list[str]]) -> Answer:
        f = {k: v[-1] for k, v in form.items()}
        self.token_grants.append(f.get("grant_type", ""))
        if f.get("client_id") != self.client_id or f.get("client_secret") != self.client_secret:
            return 401, {"error": "invalid_client", "error_description": "Unauthorized"}, None
        if f.get("grant_type") == "refresh_token":
            answer = self._refresh(f)
        elif f.get("grant_type") == "authorization_code":
            answer = self._exchange(f)
        else:
            answer = 400, {"error": "unsupported_grant_type"}, None
        if answer[0] == 200 and answer[1] is not None:
            self.token_answers.append(dict(answer[1]))
        return answer

    def _access(self, email: str, scopes: frozenset[str]) -> Json:
        token = "ya29." + secrets.token_urlsafe(16)
        self.access_tokens[token] = AccessToken(email, scopes, time.time() + self.access_lifetime)
        return {
            "access_token": token,
            "expires_in": self.access_lifetime,
            "token_type": "Bearer",
            "scope": scope_text(scopes),
        }

    def _refresh(self, f: dict[str, str]) -> Answer:
        # [web-server] "Refreshing an access token (offline access)"; a revoked or expired
        # refresh token answers ``invalid_grant`` ("Token has been expired or revoked.").
        grant = self.refresh_tokens.get(f.get("refresh_token", ""))
        if grant is None:
            return (
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                },
                None,
            )
        scopes = grant.scopes
        if f.get("scope"):
            # A refresh may ask for fewer scopes than the grant holds, never more.
            asked = long_scopes(f["scope"])
            if not asked <= grant.scopes:
                return 400, {"error": "invalid_scope"}, None
            scopes = asked
        return 200, self._access(grant.email, scopes), None

    def _exchange(self, f: dict[str, str]) -> Answer:
        # [web-server] Step 5 "Exchange authorization code for refresh and access tokens".
        # A code works once; a wrong redirect_uri or PKCE verifier is ``invalid_grant``.
        grant = self.codes.pop(f.get("code", ""), None)
        if grant is None:
            return (
                400,
                {"error": "invalid_grant", "error_description": "Malformed auth code."},
                None,
            )
        if grant["redirect_uri"] != f.get("redirect_uri"):
            return 400, {"error": "redirect_uri_mismatch"}, None
        if grant["challenge"] is not None:
            verifier = f.get("code_verifier", "")
            digest = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if grant["method"] != "S256" or digest != grant["challenge"]:
                return (
                    400,
                    {"error": "invalid_grant", "error_description": "PKCE check failed"},
                    None,
                )
        email, scopes = grant["email"], grant["scopes"]
        self._open_account(email)
        answer = self._access(email, scopes)
        # Step 1 "access_type": a refresh token only for offline access, and only the first
        # time the user consents unless ``prompt=consent`` asks for consent again.
        if grant["offline"] and (
            "consent" in grant["prompt"].split() or email not in self.consented
        ):
            refresh = "1//rt-" + secrets.token_urlsafe(12)
            self.refresh_tokens[refresh] = Grant(email, scopes)
            self.consented.add(email)
            answer["refresh_token"] = refresh
        return 200, answer, None

    def revoke_token(self, token: str) -> Answer:
        """[web-server] "Revoking a token": either token of a grant ends the whole grant."""
        grant = self.refresh_tokens.get(token)
        access = self.access_tokens.get(token)
        email = grant.email if grant is not None else access.email if access is not None else None
        if email is None:
            return 400, {"error": "invalid_token"}, None
        self.revoked.append(email)
        self.revoke(email)
        return 200, {}, None


def _page(status: int, title: str, body: str) -> tuple[int, Json, bytes]:
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}"
        f"</title></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return status, {"Content-Type": "text/html; charset=utf-8"}, html.encode()
