"""The cookie that ties a Google round trip to the browser that started it: a random key,
set when a connect or a "Login with Google" starts and sent back with Google's answer (a
top-level GET, so ``SameSite=Lax`` carries it). ``GoogleOAuth`` keeps only its hash with the
state. One key serves every round trip the browser has in flight (two tabs work).

Like the console's cookies it is sent over HTTPS only when the hub is served over HTTPS, and
always in production; then it carries the ``__Host-`` prefix, so a sibling subdomain cannot
plant one.

Not here: checking it (``oauth``), the routes that set and read it (``web``,
``booking_pages.console_google``).
"""

from __future__ import annotations

import re
import secrets

from starlette.requests import Request
from starlette.responses import Response

from connectors.google.oauth import STATE_TTL
from hub.config import Settings

COOKIE = "turnero_google"
SECURE_COOKIE = "__Host-turnero_google"
KEY_FORM = re.compile(r"[A-Za-z0-9_-]{32,64}")


def _secure(settings: Settings) -> bool:
    return settings.production or settings.base_url.startswith("https://")


def _name(settings: Settings) -> str:
    return SECURE_COOKIE if _secure(settings) else COOKIE


def sent_key(request: Request, settings: Settings) -> str | None:
    """The key this browser sent, if it looks like one of ours."""
    value = request.cookies.get(_name(settings), "")
    return value if KEY_FORM.fullmatch(value) else None


def key_for(request: Request, settings: Settings) -> str:
    """The browser's key: the one it has, or a new one (``keep`` sets it)."""
    return sent_key(request, settings) or secrets.token_urlsafe(32)


def keep(response: Response, key: str, settings: Settings) -> None:
    response.set_cookie(
        _name(settings),
        key,
        max_age=int(STATE_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(settings),
        path="/",
    )
