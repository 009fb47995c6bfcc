"""Errors of the REST API and the one table that maps the core's typed errors to HTTP.

Every error answer has the same shape: ``{"error": {"code", "message", "details"}}``.
What counts as an error is decided by the core (``hub.domain.errors``); this module only
chooses the status code. No business rule lives here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import OperationalError as DBAPIOperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.domain import errors as domain

# Most specific first: SlotNotOfferedError is a SlotTakenError, both answer 409.
STATUS_BY_ERROR: tuple[tuple[type[domain.DomainError], int], ...] = (
    (domain.ValidationError, 422),
    (domain.OutsideCoverageError, 422),
    (domain.NotFoundError, 404),
    (domain.SlotTakenError, 409),
    (domain.IllegalTransitionError, 409),
    (domain.PolicyViolationError, 409),
    (domain.ConflictError, 409),
    (domain.StaleVersionError, 412),
    (domain.AuthenticationError, 401),
    (domain.PermissionDeniedError, 403),
)

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "examples": ["slot_taken"]},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}


class ApiError(Exception):
    """An HTTP-level error found at the edge (malformed JSON, bad bearer key, rate limit)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


def status_for(error: domain.DomainError) -> int:
    for kind, status in STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return 400


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": _jsonable(details or {})}}
    return JSONResponse(body, status_code=status, headers=headers)


def from_exception(exc: Exception) -> JSONResponse:
    """The answer for an error raised by a handler or the core."""
    if isinstance(exc, ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)
    if isinstance(exc, domain.AuthenticationError):
        return error_response(
            401, exc.code, exc.message, exc.details, {"WWW-Authenticate": "Bearer"}
        )
    if isinstance(exc, domain.DomainError):
        return error_response(status_for(exc), exc.code, exc.message, exc.details)
    raise exc


async def handle_api_error(request: Request, exc: Exception) -> Response:
    return from_exception(exc)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 answers, in our error shape."""
    status = int(getattr(exc, "status_code", 500))
    codes = {404: "not_found", 405: "method_not_allowed"}
    message = str(getattr(exc, "detail", "")) or "error"
    headers = getattr(exc, "headers", None)
    return error_response(status, codes.get(status, "http_error"), message, headers=headers)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    """A bug: answer in the error shape (the traceback goes to the server log) — except
    when the database is saturated or unreachable, which is no bug: the client may retry."""
    if isinstance(exc, (PoolTimeoutError, DBAPIOperationalError)):
        return error_response(
            503,
            "unavailable",
            "the service is busy; try again in a few seconds",
            headers={"Retry-After": "5"},
        )
    return error_response(500, "internal_error", "something went wrong on our side")
