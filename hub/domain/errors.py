"""Typed errors raised by the core. Each has a stable machine-readable ``code``.

Entry points translate them to HTTP/CalDAV/CLI answers; nothing here knows about those.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error the core raises on purpose."""

    code = "domain_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details


class ValidationError(DomainError):
    """Input that can never be valid (end before start, unknown phone, …). Names the field."""

    code = "validation_error"

    def __init__(self, message: str, field: str | None = None, **details: Any) -> None:
        super().__init__(message, **details)
        self.field = field
        if field is not None:
            self.details["field"] = field


class NotFoundError(DomainError):
    """The thing asked for does not exist in this business."""

    code = "not_found"


class SlotTakenError(DomainError):
    """The time asked for is not free (overlap, capacity reached, not offered)."""

    code = "slot_taken"


class SlotNotOfferedError(SlotTakenError):
    """The time is outside what the availability engine offers to this actor."""

    code = "slot_not_offered"


class OutsideCoverageError(DomainError):
    """The client's address is outside where the business goes (and it refuses those)."""

    code = "outside_coverage"


class SlotUnreachableError(SlotTakenError):
    """Free, but no resource can get to the client's address in time for it (from its
    previous visit or base, or on to its next). Same code as taken, ``reason`` says why."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, reason="unreachable", **details)


class IllegalTransitionError(DomainError):
    """The booking's state does not allow the action asked for."""

    code = "illegal_transition"


class PolicyViolationError(DomainError):
    """A business rule stops the action (too late to cancel, too many reschedules, notice)."""

    code = "policy_violation"


class QuotaReachedError(PolicyViolationError):
    """The business took every booking its plan allows this month."""

    code = "booking_quota_reached"


class StaleVersionError(DomainError):
    """The caller changed an older version of the booking (If-Match did not match)."""

    code = "stale_version"


class ConflictError(DomainError):
    """A uniqueness rule was broken (slug taken, email already a user, …)."""

    code = "conflict"


class AuthenticationError(DomainError):
    """Credentials missing, wrong, revoked or locked out."""

    code = "unauthorized"


class PermissionDeniedError(DomainError):
    """Authenticated, but this actor may not do that."""

    code = "forbidden"


class TooManyAttemptsError(AuthenticationError):
    """Too many failed sign-ins from this address (or at this account): wait and retry.
    Raised before the password is checked, so it says nothing about the password."""

    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class BusinessSuspendedError(PermissionDeniedError):
    """The platform suspended the business: it takes no bookings and its keys and staff
    cannot sign in until it is reactivated."""

    code = "business_suspended"
