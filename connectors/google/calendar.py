"""The Calendar v3 client of one connection — google-api-python-client built from its bundled
discovery document, pointed at ``Settings.google_api_url`` when set — the scopes it needs,
and what its failures mean for us: a revoked grant (or one without calendar access) breaks
the connection, a 410 asks for a full sync, rate limits and 5xx are worth another try, other
4xx are not.

Not here: what to send (``push``), what to do with what comes back (``pull``), where the
access token comes from (``access``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urljoin

import httplib2  # type: ignore[import-untyped]
from google.auth.credentials import Credentials
from google.auth.exceptions import RefreshError
from google_auth_httplib2 import AuthorizedHttp  # type: ignore[import-untyped]
from google_auth_httplib2 import Request as AuthRequest
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest

from hub.config import Settings
from scheduler.backoff import Backoff

CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
EMAIL_SCOPE = "https://www.googleapis.com/auth/userinfo.email"
# Asked for as Google names them when it answers: the token endpoint lists the scopes it
# granted in their long form ("email" comes back as .../userinfo.email).
SCOPES = ("openid", EMAIL_SCOPE, CALENDAR_SCOPE)
TIMEOUT_SECONDS = 30
# The pace kept per Google account after it said "slow down" (403 rate limit, 429) or failed
# (5xx, unreachable): full jitter, so one busy account never slows the others. Process-local
# on purpose: it spares calls this process would make in vain; the delivery queue's own
# retries are what keep every intent until Google takes it.
PACE = Backoff(base=timedelta(seconds=15), cap=timedelta(minutes=30), jitter=(0.0, 1.0))


class GoogleError(Exception):
    """A call to Google failed (``status``: the HTTP status, when there was one)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class BrokenConnectionError(GoogleError):
    """The grant is gone (revoked, expired, 401): nothing works until the user reconnects."""


class SyncTokenExpiredError(GoogleError):
    """410 Gone on an incremental list: start over with a full sync."""


class TransientGoogleError(GoogleError):
    """403 rate limit, 429, 5xx, a dropped connection: try again later."""


class RefusedError(GoogleError):
    """Google refused this request for good (400, 403 forbidden, 404)."""


def calendar_service(settings: Settings, credentials: Credentials) -> Any:
    """A Calendar v3 resource acting with ``credentials``. A call answered 401 refreshes
    the access token once and is sent again; a second 401 is an error."""
    http = AuthorizedHttp(
        credentials, http=httplib2.Http(timeout=TIMEOUT_SECONDS), max_refresh_attempts=1
    )
    options = {"api_endpoint": settings.google_api_url} if settings.google_api_url else None
    return build(
        "calendar",
        "v3",
        http=http,
        static_discovery=True,
        cache_discovery=False,
        client_options=options,
    )


# The bundled discovery document's servicePath and batchPath.
SERVICE_PATH = "calendar/v3/"
BATCH_PATH = "batch/calendar/v3"

BatchCallback = Callable[[str, Any, Exception | None], None]


def new_batch(settings: Settings, api: Any, callback: BatchCallback) -> BatchHttpRequest:
    """A Calendar batch request (multipart/mixed to the batch path) for ``api``'s requests;
    ``callback(request_id, answer, error)`` is told each part's outcome.

    The SDK puts the batch path under the discovery document's ``rootUrl`` even when
    ``client_options`` moved the API elsewhere, so with ``google_api_url`` set it goes under
    that URL's root instead (the URL without its service path)."""
    if not settings.google_api_url:
        return api.new_batch_http_request(callback=callback)
    url = settings.google_api_url
    if not url.endswith("/"):
        url += "/"
    root = url.removesuffix(SERVICE_PATH) if url.endswith(SERVICE_PATH) else urljoin(url, "/")
    return BatchHttpRequest(callback=callback, batch_uri=root + BATCH_PATH)


def execute_batch(batch: BatchHttpRequest, request: Any) -> None:
    """Send ``batch`` over the authorized connection of ``request`` (one of its calls),
    getting the access token first over that same connection: the SDK would fetch it over
    a connection of its own that it never closes. Failures become ``GoogleError``s."""
    http = request.http
    try:
        credentials = getattr(http, "credentials", None)
        if credentials is not None and not credentials.valid:
            credentials.refresh(AuthRequest(http.http))
        batch.execute(http=http)
    except Exception as exc:
        raise classify(exc) from exc


_RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})
# The grant does not cover the calendar (the user left it unticked): only reconnecting helps.
_SCOPE_REASONS = frozenset({"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"})


def classify(exc: Exception) -> GoogleError:
    """The ``GoogleError`` that ``exc`` (raised by the SDK) stands for."""
    if isinstance(exc, GoogleError):
        return exc
    if isinstance(exc, RefreshError):
        return BrokenConnectionError(f"Google refused the grant: {exc}")
    if isinstance(exc, HttpError):
        status = int(exc.resp.status)
        reasons = {str(d.get("reason")) for d in (exc.error_details or []) if isinstance(d, dict)}
        if status == 401:
            return BrokenConnectionError("Google answered 401: the grant is no longer valid", 401)
        if status == 403 and reasons & _SCOPE_REASONS:
            return BrokenConnectionError(
                "Google answered 403: the grant does not include calendar access", 403
            )
        if status == 410 and "deleted" not in reasons:
            return SyncTokenExpiredError("the sync token expired", 410)
        if status == 429 or status >= 500 or (status == 403 and reasons & _RATE_REASONS):
            return TransientGoogleError(f"Google answered {status}", status)
        return RefusedError(f"Google answered {status}: {exc.reason}", status)
    if isinstance(exc, (OSError, httplib2.HttpLib2Error)):
        return TransientGoogleError(f"could not reach Google: {exc!r}")
    raise exc


def is_gone(exc: GoogleError) -> bool:
    """404/410 on a single event: it is not there any more."""
    return exc.status in (404, 410)


def execute(request: Any) -> Any:
    """Run an SDK request, turning its failures into ``GoogleError``s."""
    try:
        return request.execute(num_retries=0)
    except Exception as exc:
        raise classify(exc) from exc
